"""The parts every email of the site shares: sender, headers, quoted comment text, and one
SMTP connection per sending run."""

from __future__ import annotations

import contextlib
import smtplib
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import formataddr, make_msgid


def new_message(sender: str, site_title: str, to: str, subject: str) -> EmailMessage:
    """An automatic email from the site to one address (RFC 3834 `Auto-Submitted`)."""
    message = EmailMessage()
    message["From"] = formataddr((site_title, sender)) if site_title else sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"
    return message


def quoted(text: str) -> str:
    """A comment's Markdown as an email quote (`> ` on every line)."""
    return "\n".join(f"> {line}" if line else ">" for line in text.splitlines())


class Outbox:
    """One SMTP connection for a run: opened on first use, opened again after a failure."""

    def __init__(self, connect: Callable[[], smtplib.SMTP]) -> None:
        self._connect = connect
        self._smtp: smtplib.SMTP | None = None

    def send(self, message: EmailMessage) -> str | None:
        """Send one message; None when the server took it, else the error (500 characters)."""
        try:
            self._smtp = self._smtp or self._connect()
            self._smtp.send_message(message)
        except (smtplib.SMTPException, OSError) as exc:
            self._smtp = None  # reconnect for the next one
            return f"{type(exc).__name__}: {exc}"[:500]
        return None

    def close(self) -> None:
        """Say goodbye to the server, if a connection is open."""
        if self._smtp is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self._smtp.quit()
            self._smtp = None

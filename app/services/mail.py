"""The parts every email of the site shares: sender, headers, quoted comment text."""

from __future__ import annotations

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

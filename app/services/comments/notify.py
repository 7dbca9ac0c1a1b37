"""Reply notifications: queued when a reply is published, sent by `flask comments notify`.

The same outbox carries the double opt-in links of held comments (app.services.comments.trust);
the same run sends thread subscriptions' confirmations and digests
(app.services.comments.subscriptions), whose items every newly published comment queues here.

Only a reader who ticked "email me replies" (and gave an email) is ever written to, only
for a published reply by someone else, once per reply, and every email carries a one-click
unsubscribe link (RFC 8058) that needs nothing but the link.
"""

from __future__ import annotations

import hashlib
import hmac
import smtplib
import ssl
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, update

from app.models import Comment, Notification
from app.services import DbSession
from app.services.comments import subscriptions
from app.services.comments import trust as comment_trust
from app.services.mail import Outbox, new_message, quoted
from app.services.site.queries import utcnow

if TYPE_CHECKING:
    from app.services.site.settings import SiteSettings

MAX_ATTEMPTS = 5
BATCH = 100


def queue_replies(session: DbSession, replies: Iterable[Comment],
                  now: datetime | None = None) -> int:
    """What a newly published comment sends (flushed ids): an email for each reply whose
    parent's author asked for one, and an item of the next digest to the thread's
    subscribers (app.services.comments.subscriptions). Returns the reply emails queued."""
    replies = list(replies)
    subscriptions.queue_digests(session, replies)
    queued = 0
    for reply in replies:
        if reply.status != "published" or reply.deleted or not reply.parent_id:
            continue
        target = session.get(Comment, reply.reply_to_id or reply.parent_id)
        if (target is None or not target.notify or not target.email or target.deleted
                or target.status != "published"
                or (reply.email or "").lower() == target.email.lower()):
            continue
        exists = session.execute(select(Notification.id).where(
            Notification.comment_id == reply.id, Notification.email == target.email)).first()
        if exists is None:
            session.add(Notification(comment_id=reply.id, recipient_id=target.id,
                                     email=target.email, created_at=now or utcnow(),
                                     attempts=0))
            queued += 1
    return queued


def unsubscribe_token(secret: str, comment_id: int, email: str) -> str:
    """What proves an unsubscribe link was sent to this address for this comment."""
    message = f"unsubscribe:{comment_id}:{email.lower()}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:32]


def unsubscribe(session: DbSession, secret: str, comment_id: int, token: str) -> str | None:
    """Stop reply emails to the address behind the link; its email, or None if the link is bad."""
    comment = session.get(Comment, comment_id)
    if comment is None or not comment.email:
        return None
    if not hmac.compare_digest(unsubscribe_token(secret, comment_id, comment.email), token):
        return None
    email = comment.email.lower()
    session.execute(update(Comment).where(func.lower(Comment.email) == email)
                    .values(notify=False).execution_options(synchronize_session=False))
    session.execute(update(Notification).where(
        func.lower(Notification.email) == email, Notification.sent_at.is_(None),
        Notification.kind == "reply")
        .values(sent_at=utcnow(), last_error="unsubscribed")
        .execution_options(synchronize_session=False))
    session.commit()
    return comment.email


@dataclass(frozen=True)
class MailSettings:
    """Where and how to send: SMTP_* and MAIL_FROM from the app config."""

    host: str
    port: int
    security: str  # "starttls", "ssl" or "none"
    username: str
    password: str
    sender: str
    base_url: str
    site_title: str
    digest_minutes: int = 60  # COMMENTS_DIGEST_MINUTES: one thread digest per this interval

    @classmethod
    def from_config(cls, config: Mapping[str, Any], site: SiteSettings) -> MailSettings:
        """Settings from the app config and the site's (its base URL and title); ValueError
        naming what is missing."""
        sender = str(config.get("MAIL_FROM") or "")
        base = site.base_url
        if not sender:
            raise ValueError("set MAIL_FROM (the From address of reply emails)")
        if not base.startswith(("http://", "https://")):
            raise ValueError("set SITE_BASE_URL (e.g. https://blog.example.org): emails link "
                             "to the site")
        port = int(config.get("SMTP_PORT") or 25)
        security = str(config.get("SMTP_SECURITY") or "").lower() or (
            "ssl" if port == 465 else "starttls" if port == 587 else "none")
        if security not in ("starttls", "ssl", "none"):
            raise ValueError("SMTP_SECURITY must be starttls, ssl or none")
        return cls(str(config.get("SMTP_HOST") or "localhost"), port, security,
                   str(config.get("SMTP_USERNAME") or ""), str(config.get("SMTP_PASSWORD") or ""),
                   sender, base, site.title,
                   max(1, int(config.get("COMMENTS_DIGEST_MINUTES") or 60)))

    def connect(self) -> smtplib.SMTP:
        """An open, logged-in SMTP connection."""
        if self.security == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(self.host, self.port, timeout=30,
                                                  context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=30)
            if self.security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
        if self.username:
            smtp.login(self.username, self.password)
        return smtp


@dataclass
class SendReport:
    """What one run of the sender did."""

    sent: int = 0
    failed: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)


def build_message(mail: MailSettings, secret: str, note: Notification, reply: Comment,
                  page_title: str) -> EmailMessage:
    """The email for one notification: plain text, with a one-click unsubscribe link."""
    link = f"{mail.base_url}/comments/{reply.id}"  # the permalink: finds its page of the thread
    stop = (f"{mail.base_url}/comments/unsubscribe/{note.recipient_id}/"
            f"{unsubscribe_token(secret, note.recipient_id, note.email)}")
    author = reply.author or "Anonymous"
    message = new_message(mail.sender, mail.site_title, note.email,
                          f"{author} replied to your comment on \u201c{page_title}\u201d")
    message["List-Unsubscribe"] = f"<{stop}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(
        f"{author} replied to your comment on \u201c{page_title}\u201d:\n\n"
        + quoted(reply.text_md)
        + f"\n\nRead and answer it: {link}\n\n"
        f"You get this email because you asked for replies to your comment. "
        f"Stop all reply emails: {stop}\n")
    return message


def _still_wanted(session: DbSession, note: Notification, comment: Comment | None) -> bool:
    """A reply email while the reply is up and its reader still asks; a confirmation while
    its comment is held."""
    if comment is None or comment.deleted:
        return False
    if note.kind == comment_trust.CONFIRM:
        return comment.status == "pending"
    target = session.get(Comment, note.recipient_id)
    return comment.status == "published" and target is not None and bool(target.notify)


def send_pending(session: DbSession, mail: MailSettings, secret: str,
                 limit: int = BATCH) -> SendReport:
    """Send queued emails, then thread subscriptions' confirmations and due digests, over
    one SMTP connection; each is committed as it goes."""
    report = SendReport()
    outbox = Outbox(mail.connect)
    try:
        _send_notifications(session, mail, secret, outbox, report, limit)
        subscriptions.send_due(session, mail, secret, outbox, report, MAX_ATTEMPTS)
    finally:
        outbox.close()
    return report


def _send_notifications(session: DbSession, mail: MailSettings, secret: str, outbox: Outbox,
                        report: SendReport, limit: int) -> None:
    """Send the reply emails and comment confirmations of the outbox table."""
    pending = list(session.execute(
        select(Notification).where(Notification.sent_at.is_(None),
                                   Notification.attempts < MAX_ATTEMPTS)
        .order_by(Notification.id).limit(limit)).scalars())
    for note in pending:
        comment = session.get(Comment, note.comment_id)
        if not _still_wanted(session, note, comment) or comment is None:
            note.sent_at, note.last_error = utcnow(), "skipped: no longer wanted"
            report.skipped += 1
            session.commit()
            continue
        title = subscriptions.page_title(session, comment.thread_url)
        message = (comment_trust.build_confirmation(mail, secret, note, comment, title)
                   if note.kind == comment_trust.CONFIRM
                   else build_message(mail, secret, note, comment, title))
        error = outbox.send(message)
        note.attempts += 1
        if error is not None:
            note.last_error = error
            report.failed += 1
            report.errors.append(f"notification {note.id}: {error}")
        else:
            note.sent_at = utcnow()
            report.sent += 1
        session.commit()

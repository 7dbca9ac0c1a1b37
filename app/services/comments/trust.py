"""Whom `first` moderation trusts, and the double opt-in that proves an address.

Trust never comes from anything a stranger can type. A comment is published at once in
`first` mode only when the browser sending it holds the signed author cookie of a comment a
moderator approved. A typed email, a name or a network proves nothing: a comment that gives
the address of an approved commenter is held, and a link is emailed to that address; the
comment is published when someone who reads that mailbox opens the link and confirms.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Collection
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import TYPE_CHECKING

from sqlalchemy import exists, func, select

from app.models import Comment, Notification
from app.services import DbSession
from app.services.mail import new_message, quoted
from app.services.site.queries import utcnow

if TYPE_CHECKING:
    from app.services.comments.notify import MailSettings

CONFIRM = "confirm"
MAX_CONFIRMATIONS_PER_DAY = 3  # per address: the form cannot be used to flood a mailbox


def browser_is_trusted(session: DbSession, own_ids: Collection[object]) -> bool:
    """True when the browser's signed cookie names a comment a moderator let through."""
    ids = [i for i in own_ids if isinstance(i, int)]
    if not ids:
        return False
    return bool(session.execute(select(exists().where(
        Comment.id.in_(ids), Comment.status == "published", Comment.deleted.is_(False)
    ))).scalar())


def address_is_known(session: DbSession, comment: Comment) -> bool:
    """True when another published comment gave the same address (same keyed hash)."""
    if not comment.email:
        return False
    return bool(session.execute(select(exists().where(
        Comment.author_key == comment.author_key, Comment.id != comment.id,
        Comment.status == "published", Comment.deleted.is_(False),
    ))).scalar())


def queue_confirmation(session: DbSession, comment: Comment, now: datetime | None = None) -> bool:
    """Queue the double opt-in email for a held comment from a known address (flushed ids).

    At most MAX_CONFIRMATIONS_PER_DAY per address; True when one was queued.
    """
    now = now or utcnow()
    if comment.status != "pending" or not address_is_known(session, comment):
        return False
    email = comment.email or ""
    recent = session.execute(select(func.count()).select_from(Notification).where(
        Notification.kind == CONFIRM, func.lower(Notification.email) == email.lower(),
        Notification.created_at > now - timedelta(days=1))).scalar_one()
    if recent >= MAX_CONFIRMATIONS_PER_DAY:
        return False
    session.add(Notification(comment_id=comment.id, recipient_id=comment.id, email=email,
                             created_at=now, attempts=0, kind=CONFIRM))
    return True


def confirm_token(secret: str, comment_id: int, email: str) -> str:
    """What proves a confirmation link was sent to this address for this comment."""
    message = f"confirm-comment:{comment_id}:{email.lower()}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:32]


def confirm(session: DbSession, secret: str, comment_id: int, token: str) -> str:
    """Publish a held comment whose link was opened: "published", "already" or "bad".

    "bad" for a wrong token, a comment gone, rejected as spam, or whose address no longer
    belongs to an approved comment. The caller commits (and bumps the site generation).
    """
    comment = session.get(Comment, comment_id)
    if comment is None or not comment.email or comment.deleted:
        return "bad"
    if not hmac.compare_digest(confirm_token(secret, comment_id, comment.email), token):
        return "bad"
    if comment.status == "published":
        return "already"
    if comment.status != "pending" or not address_is_known(session, comment):
        return "bad"
    comment.status = "published"
    return "published"


def build_confirmation(mail: MailSettings, secret: str, note: Notification, comment: Comment,
                       page_title: str) -> EmailMessage:
    """The double opt-in email: what was written, and the link that publishes it."""
    link = (f"{mail.base_url}/comments/confirm/{comment.id}/"
            f"{confirm_token(secret, comment.id, note.email)}")
    message = new_message(mail.sender, mail.site_title, note.email,
                          f"Confirm your comment on \u201c{page_title}\u201d")
    message.set_content(
        f"A comment giving this email address was posted on \u201c{page_title}\u201d:\n\n"
        + quoted(comment.text_md)
        + f"\n\nIf you wrote it, publish it now: {link}\n\n"
        "If you did not, ignore this email: the comment waits for the moderator, and "
        "nothing is published without this link.\n")
    return message

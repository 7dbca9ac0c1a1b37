"""Thread subscriptions: "email me about new comments on this post", in digests.

A reader asks with an address (the comment form's checkbox, or the small form under the
thread). Double opt-in: `flask comments notify` mails a confirmation link first, and nothing
else goes to that address for that post until the link is followed. Each comment published
on the thread afterwards (on posting, on confirming, on approval: wherever reply emails are
queued, app.services.comments.notify.queue_replies) becomes an item of the subscriber's next
digest, unless they wrote it (same address). A digest goes at most once per
COMMENTS_DIGEST_MINUTES per subscriber, listing every item since the last one, to that one
address; it names comment authors, never their addresses. Every mail of a subscription
carries the one-click unsubscribe link (RFC 8058), which deletes the row, address included.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from app.models import Comment, Page, ThreadDigestItem, ThreadSubscription
from app.services import DbSession, ratelimit
from app.services.comments.rules import (
    CommentError,
    CommentSettings,
    check_email,
    check_open,
    client_network,
    keyed_hash,
    text_field,
)
from app.services.comments.trust import MAX_CONFIRMATIONS_PER_DAY
from app.services.mail import Outbox, new_message, quoted
from app.services.site.queries import utcnow

if TYPE_CHECKING:
    from app.services.comments.notify import MailSettings, SendReport

CONFIRM_DAYS = 7  # an unconfirmed subscription (and its address) is forgotten after this
DIGEST_LISTED = 50  # comments written out in one digest; more are counted and linked


@dataclass(frozen=True)
class SubscriptionInput:
    """A validated request to follow a thread."""

    url: str
    email: str


def validate(data: Mapping[str, Any], settings: CommentSettings) -> SubscriptionInput:
    """Check a subscription request's fields; CommentError naming the first bad field."""
    if data.get("homepage"):
        raise CommentError(400, "this field must be left empty", "homepage", "honeypot")
    url = text_field(data, "url", 1024, required=True)
    email = check_email(text_field(data, "email", settings.max_email, required=True))
    assert email is not None  # required: an empty one raised above
    return SubscriptionInput(url, email)


def subscribe(session: DbSession, page: Page, email: str, client_ip: str, secret: str,
              settings: CommentSettings, article_defaults: Mapping[str, Any],
              now: datetime | None = None) -> None:
    """Ask for the thread's digests from the form or the API (rate-limited like comments),
    and commit; refused (403) where comments are. The answer is the same whether or not the
    address was already subscribed."""
    check_open(page, article_defaults)
    key = "subscribe:" + keyed_hash(secret, "net:" + client_network(client_ip))
    try:
        if not ratelimit.hit(session, key, settings.rate_limit, settings.rate_window):
            raise CommentError(429, "too many requests from your network; try again in a "
                               "minute", None, "rate_limited")
        request(session, page.url_path, email, now)
        session.commit()
    except BaseException:
        session.rollback()
        raise


def request(session: DbSession, thread_url: str, email: str,
            now: datetime | None = None) -> ThreadSubscription | None:
    """A subscription of `email` to the thread, new (awaiting its confirmation mail) or the
    one already there; None when the address had its day's share of confirmation mails.
    Runs in the caller's transaction."""
    now = now or utcnow()
    address = email.strip().lower()
    found = _find(session, thread_url, address)
    if found is not None:
        return found
    recent = session.execute(select(func.count()).select_from(ThreadSubscription).where(
        ThreadSubscription.email == address, ThreadSubscription.confirmed_at.is_(None),
        ThreadSubscription.created_at > now - timedelta(days=1))).scalar_one()
    if recent >= MAX_CONFIRMATIONS_PER_DAY:
        return None
    row = ThreadSubscription(thread_url=thread_url, email=address, created_at=now, attempts=0)
    try:
        with session.begin_nested():  # a concurrent twin wins the unique key: use it
            session.add(row)
    except IntegrityError:
        return _find(session, thread_url, address)
    return row


def _find(session: DbSession, thread_url: str, address: str) -> ThreadSubscription | None:
    return session.execute(select(ThreadSubscription).where(
        ThreadSubscription.thread_url == thread_url, ThreadSubscription.email == address)
    ).scalar_one_or_none()


def token(secret: str, purpose: str, subscription: ThreadSubscription) -> str:
    """What proves a link (purpose "confirm" or "unsubscribe") was mailed to this address
    for this subscription."""
    message = f"thread-{purpose}:{subscription.id}:{subscription.email}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:32]


def _checked(session: DbSession, secret: str, purpose: str, subscription_id: int,
             given: str) -> ThreadSubscription | None:
    row = session.get(ThreadSubscription, subscription_id)
    if row is None or not hmac.compare_digest(token(secret, purpose, row), given):
        return None
    return row


def confirm(session: DbSession, secret: str, subscription_id: int,
            given: str) -> ThreadSubscription | None:
    """Confirm the subscription a mailed link names (and commit); None when the link is bad
    or the subscription is gone."""
    row = _checked(session, secret, "confirm", subscription_id, given)
    if row is not None and row.confirmed_at is None:
        row.confirmed_at = utcnow()
        session.commit()
    return row


def unsubscribe(session: DbSession, secret: str, subscription_id: int,
                given: str) -> tuple[str, str] | None:
    """End the subscription a mailed link names: its row, address and pending items are
    deleted (committed). (address, thread URL), or None when the link is bad or used."""
    row = _checked(session, secret, "unsubscribe", subscription_id, given)
    if row is None:
        return None
    gone = (row.email, row.thread_url)
    session.delete(row)
    session.commit()
    return gone


def queue_digests(session: DbSession, comments: Iterable[Comment]) -> int:
    """Add each newly published comment (flushed ids) to the next digest of its thread's
    confirmed subscribers, except the one who wrote it; returns the items added."""
    added = 0
    for comment in comments:
        if comment.status != "published" or comment.deleted:
            continue
        wanted = select(ThreadSubscription.id).where(
            ThreadSubscription.thread_url == comment.thread_url,
            ThreadSubscription.confirmed_at.is_not(None),
            ThreadSubscription.email != (comment.email or "").lower(),
            ThreadSubscription.id.not_in(select(ThreadDigestItem.subscription_id).where(
                ThreadDigestItem.comment_id == comment.id)))
        for subscription_id in session.execute(wanted).scalars():
            session.add(ThreadDigestItem(subscription_id=subscription_id,
                                         comment_id=comment.id))
            added += 1
    return added


# -- sending, from `flask comments notify` ----------------------------------------------------


def page_title(session: DbSession, thread_url: str) -> str:
    """The title of the post a thread belongs to (its URL when it has none, or is gone)."""
    return session.execute(select(Page.title).where(
        Page.url_path == thread_url)).scalar() or thread_url


def _link(mail: MailSettings, secret: str, purpose: str, row: ThreadSubscription) -> str:
    return (f"{mail.base_url}/comments/subscriptions/{row.id}/{purpose}/"
            f"{token(secret, purpose, row)}")


def build_confirmation(mail: MailSettings, secret: str, row: ThreadSubscription,
                       page_title: str) -> EmailMessage:
    """The double opt-in email: the link that starts the digests."""
    message = new_message(mail.sender, mail.site_title, row.email,
                          f"Confirm: new comments on \u201c{page_title}\u201d")
    message.set_content(
        f"Someone asked for emails about new comments on \u201c{page_title}\u201d "
        f"({mail.base_url}{row.thread_url}) to be sent to this address.\n\n"
        f"If it was you, confirm: {_link(mail, secret, 'confirm', row)}\n\n"
        "If it was not, ignore this email: nothing more is sent without this link, and "
        f"the address is forgotten in {CONFIRM_DAYS} days.\n")
    return message


def build_digest(mail: MailSettings, secret: str, row: ThreadSubscription,
                 comments: list[Comment], page_title: str) -> EmailMessage:
    """One digest: the thread's new comments since the last, with one-click unsubscribe."""
    stop = _link(mail, secret, "unsubscribe", row)
    count = len(comments)
    subject = (f"New comment on \u201c{page_title}\u201d" if count == 1
               else f"{count} new comments on \u201c{page_title}\u201d")
    message = new_message(mail.sender, mail.site_title, row.email, subject)
    message["List-Unsubscribe"] = f"<{stop}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    parts = [f"{subject}:\n"]
    for comment in comments[:DIGEST_LISTED]:
        parts.append(f"{comment.author or 'Anonymous'} wrote on "
                     f"{comment.created_at:%Y-%m-%d %H:%M} UTC:\n\n{quoted(comment.text_md)}\n\n"
                     f"{mail.base_url}{comment.thread_url}#comment-{comment.id}\n")
    if count > DIGEST_LISTED:
        parts.append(f"... and {count - DIGEST_LISTED} more: "
                     f"{mail.base_url}{row.thread_url}#comments\n")
    parts.append("You get this email because you subscribed to new comments on this post. "
                 f"Unsubscribe: {stop}\n")
    message.set_content("\n".join(parts))
    return message


def _digest_comments(session: DbSession, row: ThreadSubscription) -> list[Comment]:
    """The items' comments still published, not the subscriber's own, oldest first."""
    return list(session.execute(
        select(Comment).join(ThreadDigestItem, ThreadDigestItem.comment_id == Comment.id)
        .where(ThreadDigestItem.subscription_id == row.id, Comment.status == "published",
               Comment.deleted.is_(False),
               func.lower(func.coalesce(Comment.email, "")) != row.email)
        .order_by(Comment.created_at, Comment.id)).scalars())


def _send(session: DbSession, outbox: Outbox, message: EmailMessage, row: ThreadSubscription,
          report: SendReport) -> bool:
    """Send one mail of a subscription and record how it went (committed); True if sent."""
    error = outbox.send(message)
    if error is None:
        row.attempts, row.last_error = 0, None
        report.sent += 1
    else:
        row.attempts += 1
        row.last_error = error
        report.failed += 1
        report.errors.append(f"thread subscription {row.id}: {error}")
    session.commit()
    return error is None


def send_due(session: DbSession, mail: MailSettings, secret: str, outbox: Outbox,
             report: SendReport, max_attempts: int, now: datetime | None = None) -> None:
    """Forget stale unconfirmed subscriptions, mail confirmation links, then the digests
    that are due (each subscriber's last one at least COMMENTS_DIGEST_MINUTES ago)."""
    now = now or utcnow()
    session.execute(delete(ThreadSubscription).where(
        ThreadSubscription.confirmed_at.is_(None),
        ThreadSubscription.created_at < now - timedelta(days=CONFIRM_DAYS)))
    session.commit()
    unconfirmed = session.execute(select(ThreadSubscription).where(
        ThreadSubscription.confirmed_at.is_(None), ThreadSubscription.confirm_sent_at.is_(None),
        ThreadSubscription.attempts < max_attempts).order_by(ThreadSubscription.id)).scalars()
    for row in list(unconfirmed):
        title = page_title(session, row.thread_url)
        if _send(session, outbox, build_confirmation(mail, secret, row, title), row, report):
            row.confirm_sent_at = utcnow()
            session.commit()
    due = session.execute(select(ThreadSubscription).where(
        ThreadSubscription.confirmed_at.is_not(None),
        ThreadSubscription.attempts < max_attempts,
        (ThreadSubscription.last_sent_at.is_(None))
        | (ThreadSubscription.last_sent_at <= now - timedelta(minutes=mail.digest_minutes)),
        ThreadSubscription.id.in_(select(ThreadDigestItem.subscription_id)),
    ).order_by(ThreadSubscription.id)).scalars()
    for row in list(due):
        comments = _digest_comments(session, row)
        if comments:
            title = page_title(session, row.thread_url)
            if not _send(session, outbox, build_digest(mail, secret, row, comments, title),
                         row, report):
                continue
            row.last_sent_at = utcnow()
        # The items sent, and those whose comment was unpublished or deleted since.
        gone = select(Comment.id).where(
            (Comment.status != "published") | Comment.deleted.is_(True))
        session.execute(delete(ThreadDigestItem).where(
            ThreadDigestItem.subscription_id == row.id,
            ThreadDigestItem.comment_id.in_([c.id for c in comments])
            | ThreadDigestItem.comment_id.in_(gone)))
        session.commit()

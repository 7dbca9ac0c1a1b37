"""Moderation: the queue, approve / spam / delete in bulk, closing a post."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from app.models import Comment, Page
from app.services import DbSession
from app.services.comments import notify
from app.services.comments.rules import CommentError
from app.services.comments.threads import remove
from app.services.site.state import bump_generation

ACTIONS = ("approve", "spam", "delete")


def list_comments(session: DbSession, status: str | None = "pending", url: str | None = None,
                  limit: int = 200) -> list[Comment]:
    """Comments by status (None: all) and post URL, oldest first."""
    query = select(Comment).order_by(Comment.created_at, Comment.id).limit(limit)
    if status:
        query = query.where(Comment.status == status)
    if url:
        query = query.where(Comment.thread_url == url)
    return list(session.execute(query).scalars())


def moderate(session: DbSession, ids: Sequence[int], action: str) -> int:
    """Apply an action to comments by id; returns how many were found."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}; use one of {ACTIONS}")
    comments = list(session.execute(select(Comment).where(Comment.id.in_(list(ids)))).scalars())
    if action == "approve":
        for comment in comments:
            comment.status = "published"
        notify.queue_replies(session, comments)
    elif action == "spam":
        for comment in comments:
            comment.status = "spam"
    else:
        remove(session, comments)
    if comments:
        bump_generation(session)
    session.commit()
    return len(comments)


def set_closed(session: DbSession, url: str, closed: bool) -> Page:
    """Close (or reopen) a post to new comments."""
    url = url if url.endswith("/") else url + "/"
    page = session.execute(select(Page).where(Page.url_path == url)).scalar_one_or_none()
    if page is None:
        raise CommentError(404, f"no page at {url}", "url", "not_found")
    page.comments_closed = closed
    bump_generation(session)
    session.commit()
    return page

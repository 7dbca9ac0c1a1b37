"""Moderation: the queue, approve / spam / delete in bulk, closing a post.

Approving teaches the spam model a ham comment, marking as spam a spam one, in the same
transaction as the decision (app/services/comments/spam_store.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from app.models import Comment, Page
from app.services import DbSession
from app.services.comments import notify, spam_store
from app.services.comments.rules import CommentError
from app.services.comments.threads import remove
from app.services.site.state import bump_generation

ACTIONS = ("approve", "spam", "delete")
SORTS = ("score", "date")


def _order(sort: str, newest_first: bool = False) -> tuple[Any, ...]:
    """By date (oldest or newest first), or by spam score, highest first, then by date."""
    if sort not in SORTS:
        raise ValueError(f"unknown sort {sort!r}; use one of {SORTS}")
    by_date = ((Comment.created_at.desc(), Comment.id.desc()) if newest_first
               else (Comment.created_at, Comment.id))
    return by_date if sort == "date" else (Comment.spam_score.desc().nulls_last(), *by_date)


def queue(session: DbSession, status: str, sort: str = "score", limit: int = 200) -> list[Comment]:
    """The moderation page's comments of a status, not deleted: by spam score (highest
    first) or by date; ties, and `date`, oldest first when pending, else newest first."""
    return list(session.execute(
        select(Comment).where(Comment.status == status, Comment.deleted.is_(False))
        .order_by(*_order(sort, newest_first=status != "pending")).limit(limit)
    ).scalars())


def list_comments(session: DbSession, status: str | None = "pending", url: str | None = None,
                  limit: int = 200, sort: str = "date") -> list[Comment]:
    """Comments by status (None: all) and post URL, oldest first (or by spam score)."""
    query = select(Comment).order_by(*_order(sort)).limit(limit)
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
        spam_store.learn(session, comments, "ham")
        for comment in comments:
            comment.status = "published"
        notify.queue_replies(session, comments)
    elif action == "spam":
        spam_store.learn(session, comments, "spam")
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

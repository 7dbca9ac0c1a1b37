"""Every comment as JSON, for the admin: a full, lossless backup (emails included)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import select

from app.models import Comment, Page
from app.services import DbSession
from app.services.site.queries import utcnow

FORMAT = "hugo-flask-blog/comments"
FORMAT_VERSION = 1


def _iso(value: datetime | None) -> str | None:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


def comment_record(comment: Comment, title: str | None) -> dict[str, Any]:
    """One comment with every field an admin needs to restore it."""
    return {
        "id": comment.id,
        "thread_url": comment.thread_url,
        "post_title": title,
        "parent_id": comment.parent_id,
        "reply_to_id": comment.reply_to_id,
        "depth": comment.depth,
        "status": comment.status,
        "deleted": comment.deleted,
        "author": comment.author,
        "email": comment.email,
        "website": comment.website,
        "text_md": comment.text_md,
        "text_html": comment.text_html,
        "notify": comment.notify,
        "created_at": _iso(comment.created_at),
        "updated_at": _iso(comment.updated_at),
        "external_id": comment.external_id,
    }


def export_comments(session: DbSession) -> dict[str, Any]:
    """All comments, every status, deleted markers included, oldest first, with metadata."""
    rows = session.execute(
        select(Comment, Page.title)
        .outerjoin(Page, Page.id == Comment.page_id)
        .order_by(Comment.created_at, Comment.id)
    ).all()
    comments = [comment_record(comment, title) for comment, title in rows]
    statuses = Counter(c["status"] for c in comments)
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "generated_at": _iso(utcnow()),
        "counts": {
            "total": len(comments),
            "threads": len({c["thread_url"] for c in comments}),
            "deleted": sum(1 for c in comments if c["deleted"]),
            **{status: statuses.get(status, 0) for status in ("published", "pending", "spam")},
        },
        "comments": comments,
    }

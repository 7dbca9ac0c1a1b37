"""What the comment feeds list: published comments, newest first."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import ColumnElement, select

from app.models import Comment, Page
from app.services import DbSession
from app.services.site.queries import published


def _visible() -> ColumnElement[bool]:
    return (Comment.status == "published") & Comment.deleted.is_(False)


def recent_on_posts(session: DbSession, batch: int) -> Iterator[tuple[Comment, Page]]:
    """Every visible comment on a published regular page with its page, newest first.

    Read `batch` rows at a time, so a caller that stops early reads no further.
    """
    query = (
        select(Comment, Page).join(Page, Page.id == Comment.page_id)
        .where(_visible(), Page.kind == "page", published())
        .order_by(Comment.created_at.desc(), Comment.id.desc())
    )
    offset = 0
    while True:
        rows = session.execute(query.limit(batch).offset(offset)).tuples().all()
        yield from rows
        if len(rows) < batch:
            return
        offset += batch


def on_page(session: DbSession, page_id: int, limit: int) -> list[Comment]:
    """Up to `limit` visible comments on one page, newest first."""
    return list(session.execute(
        select(Comment).where(Comment.page_id == page_id, _visible())
        .order_by(Comment.created_at.desc(), Comment.id.desc()).limit(limit)
    ).scalars())

"""What the moderation page shows besides the queue itself (moderation.queue): titles,
counts by status, and posts by comments."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from app.models import Comment, Page
from app.services import DbSession

STATUSES = ("pending", "published", "spam")


@dataclass
class PostRow:
    """A post with its comment counts, for the closing table."""

    page: Page
    published: int = 0
    pending: int = 0
    spam: int = 0


def page_titles(session: DbSession, page_ids: Collection[int]) -> dict[int, str]:
    """The titles of these pages, by id."""
    if not page_ids:
        return {}
    rows = session.execute(select(Page.id, Page.title).where(Page.id.in_(list(page_ids))))
    return {page_id: title for page_id, title in rows.all()}


def status_counts(session: DbSession) -> dict[str, int]:
    """How many undeleted comments each status holds (absent: none)."""
    rows = session.execute(select(Comment.status, func.count()).where(
        Comment.deleted.is_(False)).group_by(Comment.status))
    return {status: count for status, count in rows}


def posts(session: DbSession, recent: int) -> list[PostRow]:
    """Posts with comments, closed posts and the `recent` newest posts, newest first."""
    rows: dict[int, PostRow] = {}
    counted = session.execute(
        select(Comment.page_id, Comment.status, func.count())
        .where(Comment.page_id.is_not(None), Comment.deleted.is_(False))
        .group_by(Comment.page_id, Comment.status)
    ).all()
    wanted = {page_id for page_id, _, _ in counted}
    wanted.update(session.execute(select(Page.id).where(Page.comments_closed.is_(True)))
                  .scalars())
    wanted.update(session.execute(
        select(Page.id).where(Page.kind == "page").order_by(Page.date.desc().nulls_last())
        .limit(recent)).scalars())
    if wanted:
        for page in session.execute(select(Page).where(Page.id.in_(wanted))).scalars():
            rows[page.id] = PostRow(page)
    for page_id, status, count in counted:
        if page_id in rows and status in STATUSES:
            setattr(rows[page_id], status, count)
    oldest = datetime.min
    return sorted(rows.values(), key=lambda r: (r.page.date or oldest, r.page.id), reverse=True)

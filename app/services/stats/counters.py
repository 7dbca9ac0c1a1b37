"""Counting views and likes, reading them, and the most read and most liked pages.

Storage, and why it is atomic everywhere:
- a view is one upsert of the page's counter, `INSERT ... ON CONFLICT (url) DO UPDATE SET
  views = page_stats.views + 1`, once `daily.first_today` has said the reader is new today;
  SQLite runs one writer at a time, PostgreSQL locks the row, so no increment is lost;
- a like is one row per browser and page (`INSERT ... ON CONFLICT DO NOTHING`, else the
  `DELETE` that undoes it), and a page's likes are its rows' count: never out of step.
The database is the truth on every backend: with Redis only the day's marks move there (no
counter waits in Redis for a write-back that a crash, a backup or `flask site copy` would
miss). Rows are keyed by the page's URL, like comment threads, so they outlive a re-import.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.dialects import postgresql, sqlite

from app.models import Page, PageLike, PageStat
from app.services import DbSession, ratelimit
from app.services.comments.rules import client_network, keyed_hash
from app.services.site.article import article_flag
from app.services.site.queries import published
from app.services.stats import daily
from app.services.stats.bots import is_bot

TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
MAX_URLS = 100


@dataclass(frozen=True)
class StatsSettings:
    """How many views and likes a network may send in a window (the comments' kind of limit)."""

    view_rate_limit: int = 120
    view_rate_window: int = 60
    like_rate_limit: int = 10
    like_rate_window: int = 60

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> StatsSettings:
        """From STATS_VIEW_RATE_LIMIT/_WINDOW and STATS_LIKE_RATE_LIMIT/_WINDOW."""
        return cls(int(config.get("STATS_VIEW_RATE_LIMIT", 120)),
                   int(config.get("STATS_VIEW_RATE_WINDOW", 60)),
                   int(config.get("STATS_LIKE_RATE_LIMIT", 10)),
                   int(config.get("STATS_LIKE_RATE_WINDOW", 60)))


class StatsError(Exception):
    """A view or like refused: an HTTP status, a message and a stable code."""

    def __init__(self, status: int, message: str, code: str) -> None:
        super().__init__(message)
        self.status, self.message, self.code = status, message, code

    def as_json(self) -> dict[str, str]:
        """The API's error body."""
        return {"error": self.message, "code": self.code}


@dataclass(frozen=True)
class Reader:
    """Who is asking, as far as counting goes: an address (only its network is used) and a
    User-Agent. Neither is stored."""

    ip: str
    user_agent: str

    @property
    def network(self) -> str:
        """The /24 or /64 the address is in."""
        return client_network(self.ip)


@dataclass(frozen=True)
class Counted:
    """A page's count after a view or a like: whether this request changed it."""

    changed: bool
    count: int


@dataclass(frozen=True)
class PageCounts:
    """A page's views and likes, each None where the page does not show it."""

    views: int | None
    likes: int | None


@dataclass(frozen=True)
class TopEntry:
    """A line of a top list."""

    url: str
    title: str
    views: int
    likes: int


def _insert(session: DbSession) -> Any:
    return (postgresql.insert if session.get_bind().dialect.name == "postgresql"
            else sqlite.insert)


def normal_url(url: object) -> str | None:
    """A page URL as stored (with its trailing slash), or None for anything else."""
    if not isinstance(url, str) or not url.startswith("/") or "\x00" in url or len(url) > 1024:
        return None
    return url if url.endswith("/") else url + "/"


def stats_page(session: DbSession, url: object) -> Page:
    """The published post at `url`; 404 for anything else."""
    path = normal_url(url)
    page = None if path is None else session.execute(
        select(Page).where(Page.url_path == path, published())).scalar_one_or_none()
    if page is None or page.kind != "page":
        raise StatsError(404, "no such post", "not_found")
    return page


def views_of(session: DbSession, url: str) -> int:
    """A page's view count."""
    return int(session.execute(select(PageStat.views).where(PageStat.url == url)).scalar() or 0)


def likes_of(session: DbSession, url: str) -> int:
    """A page's like count."""
    return int(session.execute(
        select(func.count()).select_from(PageLike).where(PageLike.url == url)).scalar_one())


def _client_key(secret: str, reader: Reader) -> str:
    return keyed_hash(secret, "net:" + reader.network)


def count_view(session: DbSession, page: Page, reader: Reader, secret: str,
               settings: StatsSettings, defaults: Mapping[str, Any],
               now: datetime | None = None) -> Counted:
    """Count a view of `page` unless the client is a bot, the page shows no views, or this
    reader was counted on it today; 429 past the network's limit. Commits."""
    url = page.url_path
    if is_bot(reader.user_agent) or not article_flag(page, defaults, "showViews"):
        return Counted(False, views_of(session, url))
    try:
        if not ratelimit.hit(session, "view:" + _client_key(secret, reader),
                             settings.view_rate_limit, settings.view_rate_window):
            raise StatsError(429, "too many views from your network; try again in a minute",
                             "rate_limited")
        if not daily.first_today(session, reader.network, reader.user_agent, url, now):
            session.commit()
            return Counted(False, views_of(session, url))
        views = session.execute(
            _insert(session)(PageStat).values(url=url, views=1)
            .on_conflict_do_update(index_elements=[PageStat.url],
                                   set_={"views": PageStat.views + 1})
            .returning(PageStat.views)).scalar_one()
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return Counted(True, int(views))


def toggle_like(session: DbSession, page: Page, token: object, reader: Reader, secret: str,
                settings: StatsSettings, defaults: Mapping[str, Any],
                now: datetime | None = None) -> Counted:
    """Like `page` for the browser holding `token`, or undo its like (a second press).

    `changed` is True when the page is now liked by it. 404 when the page takes no likes,
    400 for a malformed token, 429 past the network's limit. Commits.
    """
    if not article_flag(page, defaults, "showLikes"):
        raise StatsError(404, "this post takes no likes", "not_found")
    if not isinstance(token, str) or not TOKEN.fullmatch(token):
        raise StatsError(400, "token must be 16 to 64 letters, digits, - or _", "invalid")
    url = page.url_path
    key = keyed_hash(secret, f"like:{token}\n{url}")
    try:
        if not ratelimit.hit(session, "like:" + _client_key(secret, reader),
                             settings.like_rate_limit, settings.like_rate_window):
            raise StatsError(429, "too many likes from your network; try again in a minute",
                             "rate_limited")
        added = session.execute(
            _insert(session)(PageLike).values(key=key, url=url,
                                              created_at=(now or datetime.now(UTC))
                                              .replace(tzinfo=None))
            .on_conflict_do_nothing(index_elements=[PageLike.key])
            .returning(PageLike.key)).first()
        if added is None:
            session.execute(delete(PageLike).where(PageLike.key == key))
        likes = likes_of(session, url)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return Counted(added is not None, likes)


def page_counts(session: DbSession, urls: Iterable[object],
                defaults: Mapping[str, Any]) -> dict[str, PageCounts]:
    """Views and likes of the published posts among `urls` (as given), each where the post
    shows it; URLs that are not posts are left out."""
    wanted: dict[str, str] = {}
    for url in list(urls)[:MAX_URLS]:
        path = normal_url(url)
        if path is not None and isinstance(url, str):
            wanted.setdefault(path, url)
    if not wanted:
        return {}
    pages = session.execute(select(Page).where(
        Page.url_path.in_(wanted), Page.kind == "page", published())).scalars().all()
    views = dict(session.execute(select(PageStat.url, PageStat.views)
                                 .where(PageStat.url.in_(wanted))).tuples().all())
    likes = dict(session.execute(select(PageLike.url, func.count()).where(
        PageLike.url.in_(wanted)).group_by(PageLike.url)).tuples().all())
    result: dict[str, PageCounts] = {}
    for page in pages:
        path = page.url_path
        result[wanted[path]] = PageCounts(
            int(views.get(path, 0)) if article_flag(page, defaults, "showViews") else None,
            int(likes.get(path, 0)) if article_flag(page, defaults, "showLikes") else None)
    return result


def _top(session: DbSession, by_likes: bool, limit: int) -> list[TopEntry]:
    like_counts = (select(PageLike.url.label("url"), func.count().label("likes"))
                   .group_by(PageLike.url).subquery())
    urls = select(PageStat.url.label("url")).union(select(like_counts.c.url)).subquery()
    views = func.coalesce(PageStat.views, 0)
    likes = func.coalesce(like_counts.c.likes, 0)
    order = (likes.desc(), views.desc()) if by_likes else (views.desc(), likes.desc())
    rows = session.execute(
        select(urls.c.url, func.coalesce(Page.title, ""), views, likes)
        .outerjoin(PageStat, PageStat.url == urls.c.url)
        .outerjoin(like_counts, like_counts.c.url == urls.c.url)
        .outerjoin(Page, Page.url_path == urls.c.url)
        .where((likes if by_likes else views) > 0)
        .order_by(*order, urls.c.url).limit(limit)).all()
    return [TopEntry(str(url), str(title), int(v), int(n)) for url, title, v, n in rows]


def top_read(session: DbSession, limit: int = 10) -> list[TopEntry]:
    """The most read pages, most views first (ties: most likes, then URL)."""
    return _top(session, False, limit)


def top_liked(session: DbSession, limit: int = 10) -> list[TopEntry]:
    """The most liked pages, most likes first (ties: most views, then URL)."""
    return _top(session, True, limit)

"""Typed SQLAlchemy 2.0 models: the database alone is enough to serve the site."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql import false

from app.extensions import Model

# Dates are stored as naive UTC: the same on SQLite and PostgreSQL.


class Page(Model):
    """One content file: a regular page, a section (_index.md) or the home page."""

    __tablename__ = "pages"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_path: Mapped[str] = mapped_column(String(1024), unique=True)
    kind: Mapped[str] = mapped_column(String(16), default="page")
    lang: Mapped[str] = mapped_column(String(16), default="en")
    url_path: Mapped[str] = mapped_column(String(1024), unique=True)
    section: Mapped[str] = mapped_column(String(255), default="", index=True)
    title: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    date: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    lastmod: Mapped[datetime | None] = mapped_column(DateTime)
    publish_date: Mapped[datetime | None] = mapped_column(DateTime)
    expiry_date: Mapped[datetime | None] = mapped_column(DateTime)
    draft: Mapped[bool] = mapped_column(Boolean, default=False)
    weight: Mapped[int] = mapped_column(Integer, default=0)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    body: Mapped[str] = mapped_column(Text, default="")
    body_line: Mapped[int] = mapped_column(Integer, default=1)
    summary_html: Mapped[str] = mapped_column(Text, default="")
    truncated: Mapped[bool] = mapped_column(Boolean, default=False)
    plain_text: Mapped[str] = mapped_column(Text, default="")
    word_count: Mapped[int] = mapped_column(Integer, default=0)
    reading_time: Mapped[int] = mapped_column(Integer, default=0)
    source_hash: Mapped[str] = mapped_column(String(64))
    render_hash: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[datetime] = mapped_column(DateTime)
    comments_closed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Hugo's .Path (/docs/foo), the section it is listed in, and its translations' key.
    hugo_path: Mapped[str] = mapped_column(String(1024), default="", server_default="",
                                           index=True)
    parent_path: Mapped[str] = mapped_column(String(1024), default="", server_default="",
                                             index=True)
    translation_key: Mapped[str] = mapped_column(String(1024), default="", server_default="",
                                                 index=True)
    link_title: Mapped[str] = mapped_column(Text, default="", server_default="")
    refs: Mapped[dict[str, str | None] | None] = mapped_column(JSON)  # ref target -> URL
    # What rendering the page warned about, [[line, reason], ...]; printed by every import.
    warnings: Mapped[list[list[Any]] | None] = mapped_column(JSON(none_as_null=True))

    terms: Mapped[list[PageTerm]] = relationship(
        back_populates="page", cascade="all, delete-orphan", order_by="PageTerm.position"
    )
    aliases: Mapped[list[Alias]] = relationship(
        back_populates="page", cascade="all, delete-orphan"
    )
    files: Mapped[list[BundleFile]] = relationship(
        back_populates="page", cascade="all, delete-orphan", order_by="BundleFile.rel_path"
    )

    def param(self, key: str, default: Any = None) -> Any:
        """A front matter param, looked up case-insensitively."""
        return (self.params or {}).get(key.lower(), default)


class Term(Model):
    """A taxonomy term such as a tag; case-insensitive, one row per language."""

    __tablename__ = "terms"
    __table_args__ = (UniqueConstraint("taxonomy", "lang", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    taxonomy: Mapped[str] = mapped_column(String(64))
    lang: Mapped[str] = mapped_column(String(16), default="en")
    slug: Mapped[str] = mapped_column(String(512))
    name: Mapped[str] = mapped_column(String(512))  # the spelling first met
    # What Hugo shows: the term page's title, else the name in title case ("" until imported).
    title: Mapped[str] = mapped_column(String(512), default="", server_default="")

    pages: Mapped[list[PageTerm]] = relationship(back_populates="term")


class PageTerm(Model):
    """A page's use of a term, in front matter order."""

    __tablename__ = "page_terms"

    page_id: Mapped[int] = mapped_column(
        ForeignKey("pages.id", ondelete="CASCADE"), primary_key=True
    )
    term_id: Mapped[int] = mapped_column(
        ForeignKey("terms.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)

    page: Mapped[Page] = relationship(back_populates="terms")
    term: Mapped[Term] = relationship(back_populates="pages", lazy="joined")


class Alias(Model):
    """An old URL that redirects (301) to a page."""

    __tablename__ = "aliases"

    id: Mapped[int] = mapped_column(primary_key=True)
    path: Mapped[str] = mapped_column(String(1024), unique=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id", ondelete="CASCADE"), index=True)

    page: Mapped[Page] = relationship(back_populates="aliases")


class Blob(Model):
    """File content, stored once per distinct SHA-256."""

    __tablename__ = "blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    size: Mapped[int] = mapped_column(Integer)
    media_type: Mapped[str] = mapped_column(String(128))
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)


class BundleFile(Model):
    """A file of a page bundle, served under the page's URL."""

    __tablename__ = "bundle_files"
    __table_args__ = (UniqueConstraint("page_id", "rel_path"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id", ondelete="CASCADE"))
    rel_path: Mapped[str] = mapped_column(String(1024))
    url_path: Mapped[str] = mapped_column(String(2048), unique=True)
    blob_sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"), index=True)

    page: Mapped[Page] = relationship(back_populates="files")
    blob: Mapped[Blob] = relationship(lazy="joined")


class SiteState(Model):
    """Small counters shared by every worker and host, such as the site generation."""

    __tablename__ = "site_state"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


class SiteSetting(Model):
    """Settings read from the imported site's configuration (hugo.toml), as JSON."""

    __tablename__ = "site_settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)


class Comment(Model):
    """A reader's comment: Markdown source and sanitized HTML, rendered once on write."""

    __tablename__ = "comments"
    __table_args__ = (
        Index("ix_comments_page_status_created", "page_id", "status", "created_at"),
        # A thread's top-level comments in page order (migration 0013).
        Index("ix_comments_thread_roots", "page_id", "parent_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The thread outlives a page that is pruned and re-imported: it is found again by URL.
    page_id: Mapped[int | None] = mapped_column(ForeignKey("pages.id", ondelete="SET NULL"))
    thread_url: Mapped[str] = mapped_column(String(1024), index=True)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    reply_to_id: Mapped[int | None] = mapped_column(Integer)  # as asked, before depth capping
    depth: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # published/pending/spam
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    author: Mapped[str] = mapped_column(String(100), default="")
    email: Mapped[str | None] = mapped_column(String(254))
    author_key: Mapped[str] = mapped_column(String(64), index=True)  # keyed hash, never shown
    website: Mapped[str | None] = mapped_column(String(500))
    text_md: Mapped[str] = mapped_column(Text, default="")
    text_html: Mapped[str] = mapped_column(Text, default="")
    notify: Mapped[bool] = mapped_column(Boolean, default=False)
    client_key: Mapped[str] = mapped_column(String(64), default="")  # keyed hash of the network
    external_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The spam score [0, 1] it got on arrival (app/services/comments/spam.py); None: before
    # scoring existed, or imported. `spam_learned`: "ham" or "spam" once a moderator's
    # decision on it taught the model (so a changed decision is unlearned first).
    spam_score: Mapped[float | None] = mapped_column(Float)
    spam_learned: Mapped[str | None] = mapped_column(String(4))


class SpamFeature(Model):
    """The spam model: in how many approved (ham) and spam comments a feature was seen.

    Rows whose feature starts with "#" hold totals: `#docs` the decisions, `#total` the
    features counted. Updated in the transaction of each moderation decision.
    """

    __tablename__ = "spam_features"

    feature: Mapped[str] = mapped_column(String(200), primary_key=True)
    ham: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    spam: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class Notification(Model):
    """An email waiting to go (or gone): the outbox `flask comments notify` sends.

    `reply`: a reply to a comment whose author asked for replies. `confirm`: the double
    opt-in link for a held comment that gives the address of an approved commenter.
    """

    __tablename__ = "notifications"
    __table_args__ = (UniqueConstraint("comment_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(  # the reply
        ForeignKey("comments.id", ondelete="CASCADE"), index=True)
    recipient_id: Mapped[int] = mapped_column(  # the comment replied to, whose author asked
        ForeignKey("comments.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    kind: Mapped[str] = mapped_column(String(16), default="reply", server_default="reply")


class ThreadSubscription(Model):
    """A reader who asked for emails about new comments on one post (a thread).

    Double opt-in: nothing but the confirmation link is sent until `confirmed_at` is set.
    The address is kept only to send, lower-cased; unsubscribing deletes the row (and its
    pending digest items). `last_sent_at`: the last digest, so one goes per interval.
    """

    __tablename__ = "thread_subscriptions"
    __table_args__ = (UniqueConstraint("thread_url", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_url: Mapped[str] = mapped_column(String(1024))  # the post's URL path, as comments
    email: Mapped[str] = mapped_column(String(254), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    confirm_sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # failed sends in a row
    last_error: Mapped[str | None] = mapped_column(String(500))


class ThreadDigestItem(Model):
    """A published comment waiting for the next digest to a confirmed subscriber."""

    __tablename__ = "thread_digest_items"

    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("thread_subscriptions.id", ondelete="CASCADE"), primary_key=True)
    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), primary_key=True, index=True)


class RateBucket(Model):
    """Events a rate limit counted for a key in one millisecond (its sliding window's log)."""

    __tablename__ = "rate_buckets"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    window: Mapped[int] = mapped_column(BigInteger, primary_key=True)  # Unix time in ms
    count: Mapped[int] = mapped_column(Integer, default=0)


class ImageVariant(Model):
    """A resized copy of a bundle image (WebP), offered through srcset."""

    __tablename__ = "image_variants"

    source_sha256: Mapped[str] = mapped_column(
        ForeignKey("blobs.sha256", ondelete="CASCADE"), primary_key=True
    )
    width: Mapped[int] = mapped_column(Integer, primary_key=True)
    variant_sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"), index=True)


class PageStat(Model):
    """How many readers a page had: one per network, browser and day (app/services/stats/).

    Keyed by the page's URL, as comment threads are: the count outlives a re-import, a prune
    and re-import of the page, a backup and restore, and a copy.
    """

    __tablename__ = "page_stats"

    url: Mapped[str] = mapped_column(String(1024), primary_key=True)
    views: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


class PageLike(Model):
    """One browser's like of a page: a keyed hash of (the browser's random token, the URL).

    A page's likes are its rows, so a like and an unlike are one INSERT or DELETE each.
    """

    __tablename__ = "page_likes"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    url: Mapped[str] = mapped_column(String(1024), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)


# Today's state of the view counter, never carried by a backup (app/services/backup/dump.py
# skips these tables) and emptied when the day turns: the day's random salt, and the salted
# hashes of the readers counted today. Not models of the site's data: their own metadata.
EPHEMERAL = MetaData()

view_salts = Table(
    "view_salts", EPHEMERAL,
    Column("day", Date, primary_key=True),
    Column("salt", String(64), nullable=False),
)

view_marks = Table(
    "view_marks", EPHEMERAL,
    Column("mark", String(64), primary_key=True),
    Column("day", Date, nullable=False, index=True),
)

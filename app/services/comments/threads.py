"""Comments: create, edit, delete and read threads. Rendered once, on write."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select, update
from sqlalchemy.orm import aliased

from app.models import Comment, Page
from app.render.comment_markdown import count_links, render_comment
from app.services import DbSession, ratelimit
from app.services.comments import notify, spam_store, subscriptions
from app.services.comments import trust as comment_trust
from app.services.comments.rules import (
    MAX_ID,
    CommentError,
    CommentInput,
    CommentSettings,
    check_open,
    client_network,
    keyed_hash,
)
from app.services.comments.spam import Document, Score
from app.services.site.article import BLOWFISH_DEFAULTS, shows_comments
from app.services.site.queries import published, utcnow
from app.services.site.state import bump_generation


@dataclass
class ThreadNode:
    """A comment with its replies, ready for a template or JSON."""

    comment: Comment
    replies: list[ThreadNode] = field(default_factory=list)
    own: bool = False  # the viewer wrote it (holds its token)


def thread_page(session: DbSession, url: str) -> Page:
    """The published page a thread belongs to; 404 for anything else."""
    if not url.startswith("/") or "\x00" in url or len(url) > 1024:
        raise CommentError(404, "no such post", "url", "not_found")
    # A plain lookup: a comment needs the page row, not its terms and files.
    page = session.execute(select(Page).where(
        Page.url_path == (url if url.endswith("/") else url + "/"), published())
    ).scalar_one_or_none()
    if page is None or page.kind != "page":
        raise CommentError(404, "no such post", "url", "not_found")
    return page


def reply_placement(session: DbSession, parent: Comment | None,
                    max_depth: int) -> tuple[Comment | None, int]:
    """Where a reply goes: under its parent, or, past the depth limit, at the last level."""
    if parent is None:
        return None, 0
    depth = min(parent.depth + 1, max_depth - 1)
    anchor: Comment | None = parent
    while anchor is not None and anchor.depth >= depth:
        anchor = session.get(Comment, anchor.parent_id) if anchor.parent_id else None
    return anchor, depth


def _parent(session: DbSession, page: Page, parent_id: int | None,
            settings: CommentSettings) -> tuple[Comment | None, int]:
    if parent_id is None:
        return None, 0
    parent = session.get(Comment, parent_id)
    if parent is None or parent.page_id != page.id or parent.status != "published":
        raise CommentError(400, "parent_id is not a published comment of this post",
                           "parent_id", "bad_parent")
    return reply_placement(session, parent, settings.max_depth)


def _initial_status(session: DbSession, own_ids: Collection[int], settings: CommentSettings,
                    spam_score: Score) -> str:
    """none: published; all: held; first: published only from a browser already approved.

    In every mode, a comment the trained spam model scores above the threshold is held.
    """
    if spam_score.holds(settings.spam_threshold):
        return "pending"
    if settings.moderation == "none":
        return "published"
    if settings.moderation == "all":
        return "pending"
    return "published" if comment_trust.browser_is_trusted(session, own_ids) else "pending"


def create_comment(session: DbSession, data: CommentInput, client_ip: str, secret: str,
                   settings: CommentSettings, now: datetime | None = None,
                   page: Page | None = None, own_ids: Collection[int] = (),
                   article_defaults: Mapping[str, Any] = BLOWFISH_DEFAULTS) -> Comment:
    """Store a new comment, or raise CommentError (404, 403, 400, 409, 429).

    own_ids: the comments the sender's signed author cookie names (trust in `first` mode).
    article_defaults: the site's [params.article] (a post without comments takes none).
    A comment held in `first` mode that gives an approved commenter's address has its
    double opt-in email queued. `data.subscribe`: the thread's digests are asked for too.
    """
    now = now or utcnow()
    page = page if page is not None else thread_page(session, data.url)
    check_open(page, article_defaults)
    html = render_comment(data.text)
    if count_links(html) > settings.max_links:
        raise CommentError(400, f"text has too many links (at most {settings.max_links})",
                           "text", "too_many_links")
    parent, depth = _parent(session, page, data.parent_id, settings)
    network = client_network(client_ip)
    client_key = keyed_hash(secret, "net:" + network)
    identity = f"email:{data.email.lower()}" if data.email else f"anon:{data.author}:{network}"
    author_key = keyed_hash(secret, identity)
    duplicate = session.execute(
        select(Comment.id).where(Comment.author_key == author_key, Comment.page_id == page.id,
                                 Comment.text_md == data.text,
                                 Comment.created_at > now - timedelta(hours=1))
    ).first()
    if duplicate is not None:
        raise CommentError(409, "this comment was already posted", "text", "duplicate")
    try:
        if not ratelimit.hit(session, "comment:" + client_key, settings.rate_limit,
                             settings.rate_window):
            raise CommentError(429, "too many comments from your network; try again in a "
                               "minute", None, "rate_limited")
        spam_score = spam_store.score(session, Document(data.text, data.author, data.email,
                                                        data.website, client_key))
        comment = Comment(
            page_id=page.id, thread_url=page.url_path, parent_id=parent.id if parent else None,
            reply_to_id=data.parent_id, depth=depth, spam_score=spam_score.value,
            status=_initial_status(session, own_ids, settings, spam_score), author=data.author,
            email=data.email, author_key=author_key, website=data.website, text_md=data.text,
            text_html=html, notify=data.notify, client_key=client_key, created_at=now,
        )
        session.add(comment)
        if data.subscribe and data.email:  # its confirmation mail comes first
            subscriptions.request(session, page.url_path, data.email, now)
        if comment.status == "published":
            session.flush()
            notify.queue_replies(session, [comment], now)
        elif comment.status == "pending" and settings.moderation == "first" and comment.email:
            session.flush()
            comment_trust.queue_confirmation(session, comment, now)
        bump_generation(session)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return comment


def _own(session: DbSession, comment_id: int, token_ids: Collection[int],
         settings: CommentSettings, now: datetime) -> Comment:
    comment = session.get(Comment, comment_id) if 0 < comment_id < MAX_ID else None
    if comment is None:
        raise CommentError(404, "no such comment", None, "not_found")
    if comment_id not in token_ids:
        raise CommentError(403, "only the author can change this comment", None, "forbidden")
    if now - comment.created_at > timedelta(seconds=settings.edit_window):
        raise CommentError(403, "the time to edit this comment has passed", None, "expired")
    if comment.deleted:
        raise CommentError(409, "this comment was deleted", None, "deleted")
    return comment


def check_editable(session: DbSession, comment_id: int, token_ids: Collection[int],
                   settings: CommentSettings, now: datetime | None = None) -> Comment:
    """The comment if the viewer may still change it; CommentError (403/404/409) if not."""
    return _own(session, comment_id, token_ids, settings, now or utcnow())


def edit_comment(session: DbSession, comment_id: int, token_ids: Collection[int], text: str,
                 settings: CommentSettings, now: datetime | None = None) -> Comment:
    """Replace a comment's text within the edit window; the viewer must hold its token."""
    now = now or utcnow()
    comment = _own(session, comment_id, token_ids, settings, now)
    html = render_comment(text)
    if count_links(html) > settings.max_links:
        raise CommentError(400, f"text has too many links (at most {settings.max_links})",
                           "text", "too_many_links")
    comment.text_md, comment.text_html, comment.updated_at = text, html, now
    bump_generation(session)
    session.commit()
    return comment


def delete_comment(session: DbSession, comment_id: int, token_ids: Collection[int],
                   settings: CommentSettings, now: datetime | None = None) -> Comment | None:
    """Delete within the window; a comment with replies stays as a "deleted" marker."""
    now = now or utcnow()
    comment = _own(session, comment_id, token_ids, settings, now)
    result = remove(session, [comment])
    bump_generation(session)
    session.commit()
    return result[0] if result else None


def remove(session: DbSession, comments: Iterable[Comment]) -> list[Comment]:
    """Delete comments; those with replies become markers so the thread keeps its shape."""
    kept = []
    for comment in comments:
        has_replies = session.execute(
            select(exists().where(Comment.parent_id == comment.id))
        ).scalar()
        if has_replies:
            comment.deleted = True
            comment.text_md = comment.text_html = ""
            comment.author, comment.email, comment.website = "", None, None
            kept.append(comment)
        else:
            session.delete(comment)
    session.flush()
    return kept


def build_thread(comments: Iterable[Comment], own: Collection[int] = ()) -> list[ThreadNode]:
    """Nest comments under their parents, oldest first at every level."""
    nodes = {c.id: ThreadNode(c, own=c.id in own) for c in comments}
    roots: list[ThreadNode] = []
    children: dict[int, list[ThreadNode]] = defaultdict(list)
    for node in sorted(nodes.values(), key=lambda n: (n.comment.created_at, n.comment.id)):
        parent_id = node.comment.parent_id
        (children[parent_id] if parent_id in nodes else roots).append(node)
    for node in nodes.values():
        node.replies = children.get(node.comment.id, [])
    return roots


@dataclass(frozen=True)
class ThreadSlice:
    """One page of a thread: `per_page` top-level comments with all their replies."""

    nodes: list[ThreadNode]
    number: int  # 1-based
    pages: int  # at least 1, even for an empty thread


def _visible(own: Collection[int]) -> ColumnElement[bool]:
    """Published comments, plus the viewer's own pending ones."""
    condition: ColumnElement[bool] = Comment.status == "published"
    if own:
        condition = or_(condition, (Comment.id.in_(list(own))) & (Comment.status == "pending"))
    return condition


def _listed_roots(page_id: int, own: Collection[int]) -> ColumnElement[bool]:
    """The top-level comments a thread's pages list: the visible ones, and hidden ones that
    have replies (whose visible replies then stand at the top level of that root's page)."""
    reply = aliased(Comment)
    return and_(Comment.page_id == page_id, Comment.parent_id.is_(None),
                or_(_visible(own), exists().where(reply.parent_id == Comment.id)))


def root_count(session: DbSession, page_id: int, own: Collection[int] = ()) -> int:
    """How many top-level entries the thread's pages list."""
    return session.execute(
        select(func.count()).select_from(Comment).where(_listed_roots(page_id, own))
    ).scalar_one()


def page_count(roots: int, per_page: int) -> int:
    """Pages of a thread with `roots` top-level comments (1 for an empty thread)."""
    return max(1, -(-roots // per_page))


def thread_slice(session: DbSession, page_id: int, number: int, per_page: int,
                 own: Collection[int] = (), marked: Collection[int] = ()) -> ThreadSlice:
    """Page `number` of a thread, oldest top-level comments first; CommentError 404 past the
    last page. `own`: the viewer's comments (their pending ones are shown); `marked`: those
    the template or JSON marks as the viewer's.

    Two queries whatever the thread's size: the page's roots (offset on the
    (page_id, parent_id, created_at) index), then their descendants through parent_id (a
    recursive CTE on the parent_id index).
    """
    pages = page_count(root_count(session, page_id, own), per_page)
    if number < 1 or number > pages:
        raise CommentError(404, "no such page of comments", "page", "not_found")
    root_ids = list(session.execute(
        roots_statement(page_id, own, (number - 1) * per_page, per_page)).scalars())
    if not root_ids:
        return ThreadSlice([], number, pages)
    rows = session.execute(replies_statement(root_ids, own)).scalars()
    return ThreadSlice(build_thread(rows, marked), number, pages)


def roots_statement(page_id: int, own: Collection[int], offset: int,
                    limit: int) -> Select[tuple[int]]:
    """The ids of a page's top-level comments, in page order (read from the
    ix_comments_thread_roots index)."""
    return (select(Comment.id).where(_listed_roots(page_id, own))
            .order_by(Comment.created_at, Comment.id).offset(offset).limit(limit))


def replies_statement(root_ids: Collection[int], own: Collection[int]) -> Select[tuple[Comment]]:
    """The visible comments of the trees under `root_ids`, roots included: a recursive
    walk down the parent_id index."""
    tree = select(Comment.id).where(Comment.id.in_(list(root_ids))).cte("tree", recursive=True)
    tree = tree.union_all(select(Comment.id).where(Comment.parent_id == tree.c.id))
    return select(Comment).where(Comment.id.in_(select(tree.c.id)), _visible(own))


def comment_page(session: DbSession, comment_id: int, per_page: int,
                 own: Collection[int] = ()) -> tuple[Comment, int]:
    """A visible comment on a thread and the number of the page that shows it; CommentError
    404 when there is no such comment (or it is hidden, or its post is gone)."""
    comment = session.get(Comment, comment_id) if 0 < comment_id < MAX_ID else None
    if comment is None or comment.page_id is None or not session.execute(
            select(exists().where(Comment.id == comment_id, _visible(own)))).scalar():
        raise CommentError(404, "no such comment", None, "not_found")
    chain = select(Comment.id, Comment.parent_id).where(Comment.id == comment_id).cte(
        "chain", recursive=True)
    chain = chain.union_all(select(Comment.id, Comment.parent_id)
                            .where(Comment.id == chain.c.parent_id))
    root_id = session.execute(select(chain.c.id).where(chain.c.parent_id.is_(None))).scalar_one()
    root = comment if root_id == comment.id else session.get(Comment, root_id)
    assert root is not None
    before = session.execute(
        select(func.count()).select_from(Comment).where(
            _listed_roots(comment.page_id, own),
            or_(Comment.created_at < root.created_at,
                and_(Comment.created_at == root.created_at, Comment.id < root.id)))
    ).scalar_one()
    return comment, before // per_page + 1


def comment_location(session: DbSession, comment_id: int, per_page: int,
                     own: Collection[int] = (),
                     article_defaults: Mapping[str, Any] = BLOWFISH_DEFAULTS) -> str:
    """Where comment N is shown: its post's URL, `?comments=P` when its page is not the
    first, and `#comment-N`. CommentError 404 when no published post shows it."""
    comment, number = comment_page(session, comment_id, per_page, own)
    page = thread_page(session, comment.thread_url)
    if page.id != comment.page_id or not shows_comments(page, article_defaults):
        raise CommentError(404, "no such comment", None, "not_found")
    query = f"?comments={number}" if number > 1 else ""
    return f"{page.url_path}{query}#comment-{comment.id}"


def has_own_pending(session: DbSession, page_id: int, own: Collection[int]) -> bool:
    """True when the viewer has a comment awaiting moderation on this page."""
    if not own:
        return False
    return session.execute(select(exists().where(
        Comment.page_id == page_id, Comment.id.in_(list(own)), Comment.status == "pending"
    ))).scalar_one()


def counts(session: DbSession, page_ids: Collection[int]) -> dict[int, int]:
    """Published, not deleted comments per page."""
    if not page_ids:
        return {}
    rows = session.execute(
        select(Comment.page_id, func.count()).where(
            Comment.page_id.in_(list(page_ids)), Comment.status == "published",
            Comment.deleted.is_(False)).group_by(Comment.page_id)
    )
    return {page_id: count for page_id, count in rows}


def reattach_all(session: DbSession) -> None:
    """Give (re-)imported pages back the comments left at their URLs, in one statement."""
    owner = (select(Page.id).where(Page.url_path == Comment.thread_url)
             .scalar_subquery())
    session.execute(update(Comment).where(Comment.page_id.is_(None),
                                          Comment.thread_url.in_(select(Page.url_path)))
                    .values(page_id=owner).execution_options(synchronize_session=False))


@dataclass(frozen=True)
class Personal:
    """The viewer's own comments on a page: those only they see, those they may still edit."""

    pending: frozenset[int]
    editable: frozenset[int]

    def __bool__(self) -> bool:
        return bool(self.pending or self.editable)


def personal_ids(session: DbSession, page_id: int, own: Collection[int], edit_window: int,
                 now: datetime | None = None) -> Personal:
    """The viewer's comments on a page that are pending, and those still editable."""
    if not own:
        return Personal(frozenset(), frozenset())
    since = (now or utcnow()) - timedelta(seconds=edit_window)
    rows = session.execute(select(Comment.id, Comment.status, Comment.created_at).where(
        Comment.page_id == page_id, Comment.id.in_(list(own)), Comment.deleted.is_(False),
        Comment.status.in_(("pending", "published")),
    )).all()
    return Personal(frozenset(r.id for r in rows if r.status == "pending"),
                    frozenset(r.id for r in rows if r.created_at > since))


def latest_author(session: DbSession, own: Collection[int]) -> dict[str, str]:
    """The name and website of the viewer's latest comment, to fill the form in again. The
    email stays out: no response ever carries an address (the API's rule too)."""
    if not own:
        return {}
    row = session.execute(
        select(Comment.author, Comment.website)
        .where(Comment.id.in_(list(own)), Comment.deleted.is_(False))
        .order_by(Comment.id.desc()).limit(1)
    ).first()
    if row is None:
        return {}
    return {"author": row.author or "", "website": row.website or ""}

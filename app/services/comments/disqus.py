"""Import a Disqus XML export: threads found by URL, replies, authors, HTML made safe."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO
from urllib.parse import unquote, urlsplit
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import parse as safe_parse
from sqlalchemy import select

from app.models import Comment, Page
from app.render.html_markdown import convert_message
from app.services import DbSession
from app.services.comments.rules import CommentSettings, client_network, keyed_hash
from app.services.comments.threads import reply_placement
from app.services.site.queries import published, utcnow
from app.services.site.state import bump_generation

DSQ_ID = "{http://disqus.com/disqus-internals}id"


class DisqusImportError(Exception):
    """The file is not a readable, safe Disqus export; nothing was written."""


@dataclass
class DisqusReport:
    """What an import did."""

    threads: int = 0
    threads_matched: int = 0
    unmatched: list[str] = field(default_factory=list)
    threads_deleted: int = 0
    added: int = 0
    duplicates: int = 0
    spam: int = 0
    deleted_markers: int = 0
    deleted_skipped: int = 0
    skipped_unmatched: int = 0
    reparented: int = 0

    @property
    def threads_unmatched(self) -> int:
        """How many threads matched no published post."""
        return len(self.unmatched)


@dataclass
class _Post:
    dsq_id: str
    thread: str
    parent: str | None
    message: str
    created: datetime
    deleted: bool
    spam: bool
    name: str
    email: str
    username: str
    ip: str
    children: list[_Post] = field(default_factory=list)


def _local(element: Element) -> str:
    return element.tag.rsplit("}", 1)[-1]


def _child(element: Element, name: str) -> Element | None:
    return next((c for c in element if _local(c) == name), None)


def _text(element: Element | None, name: str) -> str:
    found = _child(element, name) if element is not None else None
    return (found.text or "").strip() if found is not None else ""


def _flag(element: Element, name: str) -> bool:
    return _text(element, name).lower() == "true"


def _ref(element: Element, name: str) -> str | None:
    found = _child(element, name)
    return found.get(DSQ_ID) if found is not None else None


def _date(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return utcnow()
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


def _read(source: Path | IO[bytes]) -> Element:
    try:
        if isinstance(source, Path):
            with source.open("rb") as handle:
                root = safe_parse(handle, forbid_dtd=True).getroot()
        else:
            root = safe_parse(source, forbid_dtd=True).getroot()
    except ParseError as error:
        line, column = getattr(error, "position", (0, 0))
        raise DisqusImportError(f"malformed XML at line {line}, column {column}: {error}") \
            from None
    except DefusedXmlException as error:
        raise DisqusImportError(f"refused: the file declares a DTD or entities, which a Disqus "
                                f"export never does ({type(error).__name__})") from None
    assert root is not None  # a document that parses has a root element
    if _local(root) != "disqus":
        raise DisqusImportError(f"not a Disqus export: the root element is <{_local(root)}>")
    return root


def _candidates(link: str) -> list[str]:
    parts = urlsplit(link.strip())
    path = parts.path
    if not parts.netloc and not path.startswith("/") and "/" in path:
        path = path[path.index("/"):]  # "example.com/posts/x" without a scheme
    if not path.startswith("/"):
        return []
    out: list[str] = []
    for raw in (unquote(path), path):
        for variant in (raw, re.sub(r"/index\.html?$", "/", raw)):
            stem = variant.rstrip("/")
            out += [stem + "/", stem]
    return out


def _pages(session: DbSession) -> dict[str, Page]:
    rows = session.execute(select(Page).where(Page.kind == "page", published())).scalars()
    return {page.url_path: page for page in rows}


def _match(pages: dict[str, Page], thread: Element) -> Page | None:
    for source in (_text(thread, "link"), _text(thread, "id")):
        for candidate in _candidates(source):
            if candidate in pages:
                return pages[candidate]
    return None


def _post(element: Element) -> _Post:
    author = _child(element, "author")
    return _Post(
        dsq_id=element.get(DSQ_ID) or "", thread=_ref(element, "thread") or "",
        parent=_ref(element, "parent"), message=_text(element, "message"),
        created=_date(_text(element, "createdAt")), deleted=_flag(element, "isDeleted"),
        spam=_flag(element, "isSpam"), name=_text(author, "name")[:100],
        email=_text(author, "email"), username=_text(author, "username"),
        ip=_text(element, "ipAddress"),
    )


def _existing(session: DbSession, external_ids: list[str]) -> dict[str, Comment]:
    found: dict[str, Comment] = {}
    for start in range(0, len(external_ids), 500):
        chunk = external_ids[start:start + 500]
        for comment in session.execute(
            select(Comment).where(Comment.external_id.in_(chunk))
        ).scalars():
            found[comment.external_id or ""] = comment
    return found


def _kept(posts: list[_Post]) -> set[str]:
    """Posts to import: a deleted one only when a kept reply hangs under it."""
    kept: set[str] = set()
    for post in reversed(posts):  # children come after their parents in `posts`
        if post.spam or not post.deleted or any(c.dsq_id in kept for c in post.children):
            kept.add(post.dsq_id)
    return kept


def _ordered(posts: dict[str, _Post]) -> list[_Post]:
    """Parents before children, oldest first at every level."""
    for post in posts.values():
        post.children.clear()
    roots: list[_Post] = []
    for post in sorted(posts.values(), key=lambda p: (p.created, p.dsq_id)):
        parent = posts.get(post.parent or "")
        if parent is not None and parent.thread == post.thread and parent is not post:
            parent.children.append(post)
        else:
            roots.append(post)
    order: list[_Post] = []
    seen: set[str] = set()
    stack = list(reversed(roots))
    while stack:
        post = stack.pop()
        if post.dsq_id in seen:
            continue
        seen.add(post.dsq_id)
        order.append(post)
        stack.extend(reversed(post.children))
    order += [p for p in posts.values() if p.dsq_id not in seen]  # parent cycles
    return order


def _comment(post: _Post, page: Page, secret: str) -> Comment:
    email = post.email if "@" in post.email and len(post.email) <= 254 else None
    identity = f"email:{email.lower()}" if email else f"disqus:{post.username or post.name}"
    text_md, text_html = ("", "") if post.deleted and not post.spam else convert_message(
        post.message)
    marker = post.deleted and not post.spam
    return Comment(
        page_id=page.id, thread_url=page.url_path,
        status="spam" if post.spam else "published", deleted=marker,
        author="" if marker else (post.name or "Anonymous"), email=None if marker else email,
        author_key=keyed_hash(secret, identity), website=None, text_md=text_md,
        text_html=text_html, notify=False,
        client_key=keyed_hash(secret, "net:" + client_network(post.ip)) if post.ip else "",
        external_id=f"disqus:{post.dsq_id}", created_at=post.created,
    )


def import_disqus(session: DbSession, source: Path | IO[bytes], secret: str,
                  settings: CommentSettings | None = None) -> DisqusReport:
    """Import a Disqus export in one transaction; a second run adds nothing twice."""
    settings = settings or CommentSettings()
    root = _read(source)
    report = DisqusReport()
    pages = _pages(session)
    threads: dict[str, Page] = {}
    for element in (e for e in root if _local(e) == "thread"):
        report.threads += 1
        if _flag(element, "isDeleted"):
            report.threads_deleted += 1
            continue
        page = _match(pages, element)
        if page is None:
            report.unmatched.append(_text(element, "link") or _text(element, "id"))
        else:
            report.threads_matched += 1
            threads[element.get(DSQ_ID) or ""] = page
    posts: dict[str, _Post] = {}
    for element in (e for e in root if _local(e) == "post"):
        post = _post(element)
        if post.thread in threads and post.dsq_id:
            posts[post.dsq_id] = post
        else:
            report.skipped_unmatched += 1
    order = _ordered(posts)
    kept = _kept(order)
    wanted = {f"disqus:{i}" for p in order for i in (p.dsq_id, p.parent) if i}
    by_dsq = {key.removeprefix("disqus:"): c
              for key, c in _existing(session, sorted(wanted)).items()}
    try:
        for post in order:
            if post.dsq_id in by_dsq:
                report.duplicates += 1
                continue
            if post.dsq_id not in kept:
                report.deleted_skipped += 1
                continue
            page = threads[post.thread]
            asked = by_dsq.get(post.parent or "")
            if asked is not None and asked.page_id != page.id:
                asked = None
            if post.parent and asked is None:
                report.reparented += 1
            parent, depth = reply_placement(session, asked, settings.max_depth)
            comment = _comment(post, page, secret)
            comment.parent_id = parent.id if parent else None
            comment.reply_to_id = asked.id if asked else None
            comment.depth = depth
            session.add(comment)
            session.flush()
            by_dsq[post.dsq_id] = comment
            report.added += 1
            report.spam += post.spam
            report.deleted_markers += comment.deleted
        if report.added:
            bump_generation(session)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return report

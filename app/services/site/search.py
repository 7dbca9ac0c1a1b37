"""Full-text search of published pages: SQLite FTS5 or PostgreSQL full-text search.

The index lives in the database (migration 0003) and follows every write to `pages` through
triggers, so an import, a prune or any other change re-indexes in its own transaction and
the importer knows nothing of search. This module turns what a reader typed into a safe
query (words only, each a prefix, all required), ranks published pages with titles weighing
more, and returns HTML snippets in which only the `<mark>` tags are not escaped.

Cost stays bounded with 10,000 posts: the database does one pass over the matches to count
and order them, a second only when there are few enough to score each one (bm25 /
ts_rank), and snippets are cut in Python from the ten pages shown (ts_headline would parse
each whole page again, several milliseconds apiece).
"""

from __future__ import annotations

import html
import logging
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy import (
    ColumnElement,
    Float,
    Integer,
    Select,
    bindparam,
    case,
    column,
    func,
    literal_column,
    select,
    table,
    text,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import selectinload
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.selectable import Join

from app.models import Page, PageTerm
from app.services import DbSession
from app.services.site.queries import published
from app.services.site.search_text import bigrams, has_cjk, split_scripts

log = logging.getLogger(__name__)

MAX_QUERY_CHARS = 200
MAX_TERMS = 10
MAX_TERM_CHARS = 64
PAGE_SIZE = 10
# Up to this many matches every one is scored (bm25, ts_rank); beyond, see _ranked().
FULL_RANK_LIMIT = 500
MAX_EXPANSION = 32  # words a prefix may stand for before FTS5 merges them itself
SNIPPET_CHARS = 220
SNIPPET_CONTEXT = 40  # characters shown before the first match
SNIPPET_SCAN_CHARS = 200_000  # snippets come from the start of very long pages
SQLITE_VISIBILITY_INDEX = "ix_pages_search_visibility"  # migration 0003

_WORD = re.compile(r"[^\W_]+")

_fts = table("page_search", column("rowid"))
_pg_index = table("page_search", column("page_id"), column("title_document"),
                  column("document"))
# Title matches (weight A) count far more than body matches (weight B).
_PG_WEIGHTS = "'{0.05, 0.1, 0.2, 1.0}'::float4[]"
_FTS5_WEIGHTS = (10.0, 1.0)  # bm25 weights of the title and body columns
_PG_NO_SEQSCAN = text(
    "SELECT current_setting('enable_seqscan'), set_config('enable_seqscan', 'off', true)"
)
_PG_SEQSCAN = text("SELECT set_config('enable_seqscan', :value, true)")
_VOCABULARY = text(
    "SELECT term FROM page_search_terms WHERE term >= :low AND term < :high LIMIT :limit"
)


@dataclass(frozen=True)
class SearchHit:
    """One published page that matched, with its highlighted title and snippet."""

    page: Page
    title_html: Markup
    snippet_html: Markup
    rank: float


@dataclass(frozen=True)
class SearchResults:
    """A page of hits for a query, with the total number of matching pages."""

    query: str
    terms: list[str]
    total: int = 0
    hits: list[SearchHit] = field(default_factory=list)
    limit: int = PAGE_SIZE
    offset: int = 0

    @property
    def pages(self) -> int:
        """How many result pages the total makes."""
        return max(1, -(-self.total // self.limit)) if self.limit else 1


# --- what the reader typed -------------------------------------------------------------------


def clean_query(query: str | None) -> str:
    """What a reader typed, bounded and normalized: at most 200 characters, no controls."""
    text_ = unicodedata.normalize("NFKC", (query or "")[: MAX_QUERY_CHARS * 2])
    text_ = "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in text_)
    return " ".join(text_.split())[:MAX_QUERY_CHARS]


def query_terms(query: str | None) -> list[str]:
    """The words of a query, lower-cased, deduplicated and bounded; no operator survives."""
    terms: list[str] = []
    for whole in _WORD.findall(clean_query(query).lower()):
        for word in split_scripts(whole[:MAX_TERM_CHARS]):
            if word not in terms:
                terms.append(word)
            if len(terms) == MAX_TERMS:
                return terms
    return terms


def fts5_query(terms: list[str], expansions: dict[str, list[str]] | None = None) -> str:
    """Every term required; a prefix unless it is one character (too many words match).

    `expansions` lists, for some terms, every indexed word they begin: those become
    `("word" OR "words")`, which FTS5 reads lazily, where `"word"*` would merge them all.
    """
    expansions = expansions or {}
    parts = []
    for term in terms:
        if has_cjk(term):  # the phrase of its character pairs; one character: a prefix
            parts.append('"' + " ".join(bigrams(term)) + '"' + ("*" if len(term) == 1 else ""))
        elif term in expansions:
            words = " OR ".join('"' + word.replace('"', '""') + '"' for word in expansions[term])
            parts.append(f"({words})")
        else:
            parts.append(f'"{term}"' + ("*" if len(term) > 1 else ""))
    return " AND ".join(parts)


def tsquery(terms: list[str]) -> str:
    """The same for PostgreSQL's to_tsquery: quoted lexemes, `:*` prefixes, joined by `&`;
    a CJK word is the phrase of its character pairs, a single CJK character a prefix."""
    parts = []
    for term in terms:
        if has_cjk(term):
            pairs = bigrams(term)
            parts.append("(" + " <-> ".join(f"'{pair}'" for pair in pairs) + ")"
                         if len(term) > 1 else f"'{term}':*")
        else:
            parts.append(f"'{term}'" + (":*" if len(term) > 1 else ""))
    return " & ".join(parts)


# --- snippets ---------------------------------------------------------------------------------


class _Folding(dict[int, str]):
    """str.translate table: each character lower-cased and without accents, still one
    character, so that offsets in the folded text are offsets in the original."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        lower = char.lower() if len(char.lower()) == 1 else char
        base = "".join(part for part in unicodedata.normalize("NFKD", lower)
                       if not unicodedata.combining(part))
        self[code] = folded = base if len(base) == 1 else lower
        return folded


_FOLDING = _Folding()


def _fold(value: str) -> str:
    return value.lower() if value.isascii() else value.translate(_FOLDING)


class _Matcher:
    """Finds the words that match the query, as the indexes do: a prefix of two characters
    or more, or the whole word; case and accents folded. One regex over the folded text."""

    def __init__(self, terms: list[str]) -> None:
        folded = sorted({_fold(term) for term in terms if term}, key=len, reverse=True)
        # A Chinese or Japanese word sits inside a run of letters: matched anywhere.
        cjk = "|".join(re.escape(term) for term in folded if has_cjk(term))
        folded = [term for term in folded if not has_cjk(term)]
        prefixes = "|".join(re.escape(term) for term in folded if len(term) > 1)
        # One-letter words are marked only when the query has nothing longer: noise else.
        exact = "" if prefixes or cjk else "|".join(re.escape(term) for term in folded)
        options = []
        if cjk:
            options.append(f"(?P<cjk>{cjk})")
        if prefixes:
            options.append(f"(?P<prefix>{prefixes})[^\\W_]*")
        if exact:
            options.append(f"(?P<exact>{exact})(?![^\\W_])")
        # No look-behind for the word start: the literal scan is far quicker without it,
        # and the few matches that start inside a word are dropped below.
        self.pattern = re.compile("|".join(options)) if options else None

    def find(self, value: str) -> list[tuple[int, int, str]]:
        """(start, end, term) of every matching word."""
        if self.pattern is None:
            return []
        folded = _fold(value)
        return [(found.start(), found.end(), found.group(found.lastgroup or 0))
                for found in self.pattern.finditer(folded)
                if found.lastgroup == "cjk" or not found.start()
                or not folded[found.start() - 1].isalnum()]


def _marked(value: str, spans: list[tuple[int, int, str]], start: int, end: int) -> str:
    out, position = [], start
    for first, last, _ in spans:
        if first < start or last > end:
            continue
        out.append(str(escape(value[position:first])))
        out.append(f"<mark>{escape(value[first:last])}</mark>")
        position = last
    out.append(str(escape(value[position:end])))
    return "".join(out)


def highlight(value: str, matcher: _Matcher) -> Markup:
    """The whole text, escaped, with every matching word in <mark>."""
    return Markup(_marked(value, matcher.find(value), 0, len(value)))  # noqa: S704 - escaped


def _space_before(value: str, start: int, end: int) -> int:
    """The last whitespace in value[start:end], or -1."""
    return max(value.rfind(" ", start, end), value.rfind("\n", start, end))


def snippet(value: str, matcher: _Matcher, size: int = SNIPPET_CHARS) -> Markup:
    """About `size` characters around the densest run of matches, cut between words,
    escaped, with matches in <mark> and an ellipsis where the text goes on."""
    value = value[:SNIPPET_SCAN_CHARS].strip()
    spans = matcher.find(value)
    # Slide a window over the matches: most distinct terms, then most matches.
    best, first, ahead = (0, 0), 0, 0
    inside: dict[str, int] = {}
    for behind, (start, _, term) in enumerate(spans):
        while ahead < len(spans) and (ahead <= behind or spans[ahead][1] <= start + size):
            inside[spans[ahead][2]] = inside.get(spans[ahead][2], 0) + 1
            ahead += 1
        if (len(inside), ahead - behind) > best:
            best, first = (len(inside), ahead - behind), start
        inside[term] -= 1
        if not inside[term]:
            del inside[term]
    # Some context before the first match, a full window near the end, cut at spaces.
    start = max(0, min(first - min(SNIPPET_CONTEXT, size // 4), len(value) - size))
    if start:
        space = value.find(" ", start, first)
        start = space + 1 if space >= 0 else first
    end = min(len(value), start + size)
    if end < len(value):
        space = _space_before(value, start, end)
        end = space if space > start else end
    before = "… " if start else ""
    after = " …" if end < len(value) else ""
    return Markup("{}{}{}").format(  # the middle part is escaped by _marked
        before, Markup(_marked(value, spans, start, end)), after)  # noqa: S704


# --- the search ------------------------------------------------------------------------------


def search(session: DbSession, query: str | None, lang: str, limit: int = PAGE_SIZE,
           offset: int = 0) -> SearchResults:
    """Published regular pages matching every word of the query, best first."""
    cleaned = clean_query(query)
    terms = query_terms(cleaned)
    limit = max(1, min(int(limit), 100))
    offset = max(0, int(offset))
    empty = SearchResults(cleaned, terms, limit=limit, offset=offset)
    if not terms:
        return empty
    dialect = session.get_bind().dialect.name
    try:
        if dialect == "sqlite":
            total, ranked = _search_sqlite(session, terms, lang, limit, offset)
        elif dialect == "postgresql":
            total, ranked = _search_postgresql(session, terms, lang, limit, offset)
        else:
            return empty
    except DBAPIError:
        # A query the database refused must never become a 500: log it, answer nothing.
        log.exception("search failed for %r", cleaned)
        session.rollback()
        return empty
    if not ranked:
        return SearchResults(cleaned, terms, total, limit=limit, offset=offset)
    pages = {
        page.id: page
        for page in session.execute(
            select(Page).where(Page.id.in_([page_id for page_id, _ in ranked]))
            .options(selectinload(Page.terms).joinedload(PageTerm.term))
        ).scalars()
    }
    matcher = _Matcher(terms)
    hits = []
    for page_id, rank in ranked:
        page = pages.get(page_id)
        if page is None:
            continue
        hits.append(SearchHit(
            page=page,
            title_html=highlight(page.title or page.url_path, matcher),
            # Hugo's plain text keeps HTML entities (&rsquo;, &lt;): decode, then escape.
            snippet_html=snippet(html.unescape(page.plain_text or ""), matcher),
            rank=rank,
        ))
    return SearchResults(cleaned, terms, total, hits, limit, offset)


def _visible(lang: str) -> tuple[ColumnElement[bool], ...]:
    return (published(), Page.kind == "page", Page.lang == lang)


Ranked = list[tuple[int, float]]


def _ranked(session: DbSession, matches: Select[tuple[int]], lang: str, limit: int, offset: int,
            order: Callable[[bool], ColumnElement[float]]) -> tuple[int, Ranked]:
    """(total, one page of [(page id, rank)], best first) among the visible matches.

    Scoring a match reads its whole document, so the first pass orders by what reads none:
    pages whose title matches first, then newest first; it also counts. When there are
    FULL_RANK_LIMIT matches or fewer, a second pass scores each one (bm25, ts_rank); with
    more, the words are so common that a score says little, and the first order stands.
    """
    visible = matches.where(*_visible(lang))
    tie_break = (Page.date.desc(), Page.id.desc())
    rows = session.execute(
        visible.add_columns(order(True).label("score"), func.count().over().label("total"))
        .order_by(text("score DESC"), *tie_break).limit(limit).offset(offset)
    ).all()
    if rows:
        total = int(rows[0].total)
    elif offset:  # past the last page: still say how many there are
        total = int(session.execute(
            select(func.count()).select_from(visible.subquery())
        ).scalar_one())
    else:
        total = 0
    if not rows or total > FULL_RANK_LIMIT:
        return total, [(row.id, float(row.score or 0)) for row in rows]
    # SQLite's bm25() cannot run under a window function: this pass does not count.
    rows = session.execute(
        visible.add_columns(order(False).label("score"))
        .order_by(text("score DESC"), *tie_break).limit(limit).offset(offset)
    ).all()
    return total, [(row.id, float(row.score or 0)) for row in rows]


class _IndexedJoin(Join):
    """`... JOIN pages INDEXED BY <index> ON ...`: SQLite's planner would read wide rows."""

    inherit_cache = True


@compiles(_IndexedJoin)
def _render_indexed_join(element: _IndexedJoin, compiler: SQLCompiler, **kw: Any) -> str:
    # SQLAlchemy leaves its compiler's visit methods unannotated.
    rendered: str = compiler.visit_join(element, **kw)  # type: ignore[no-untyped-call]
    return rendered.replace(" JOIN pages ON ",
                            f" JOIN pages INDEXED BY {SQLITE_VISIBILITY_INDEX} ON ", 1)


def _fts5_expansions(session: DbSession, terms: list[str]) -> dict[str, list[str]] | None:
    """Indexed words for each longer ASCII prefix; None when one of them begins no word.

    Prefixes of two or three characters have their own prefix index; other scripts are
    left to FTS5, so that the tokenizer's case and accent folding is never guessed.
    """
    expansions = {}
    for term in terms:
        if len(term) <= 3 or not term.isascii():
            continue
        words = list(session.execute(
            _VOCABULARY, {"low": term, "high": term + "\U0010ffff", "limit": MAX_EXPANSION + 1}
        ).scalars())
        if not words:
            return None
        if len(words) <= MAX_EXPANSION:
            expansions[term] = words
    return expansions


def _search_sqlite(session: DbSession, terms: list[str], lang: str, limit: int,
                   offset: int) -> tuple[int, Ranked]:
    expansions = _fts5_expansions(session, terms)
    if expansions is None:
        return 0, []
    match = fts5_query(terms, expansions)
    # A narrow covering index answers "published?" without reading the wide page rows.
    matches = (
        select(Page.id).select_from(_IndexedJoin(_fts, Page.__table__, Page.id == _fts.c.rowid))
        .where(literal_column("page_search").op("MATCH")(bindparam("match", match)))
    )

    def order(broad: bool) -> ColumnElement[float]:
        if broad:
            in_title = select(literal_column("rowid", Integer)).select_from(
                func.page_search(bindparam("title_match", f"{{title}} : ({match})")))
            return case((_fts.c.rowid.in_(in_title), 1.0), else_=0.0)
        # bm25() is lower for better matches: negate it so that higher is better.
        return -func.bm25(literal_column("page_search"), *_FTS5_WEIGHTS, type_=Float)

    return _ranked(session, matches, lang, limit, offset, order)


def _search_postgresql(session: DbSession, terms: list[str], lang: str, limit: int,
                       offset: int) -> tuple[int, Ranked]:
    config = func.blog_search_config(bindparam("search_lang", lang))
    query = func.to_tsquery(config, bindparam("tsquery", tsquery(terms)))
    matches = (
        select(Page.id).select_from(_pg_index).join(Page, Page.id == _pg_index.c.page_id)
        .where(_pg_index.c.document.op("@@")(query))
    )

    def order(broad: bool) -> ColumnElement[float]:
        if broad:  # the title's small vector is stored inline; the document is TOASTed
            return func.ts_rank(_pg_index.c.title_document, query, type_=Float)
        return func.ts_rank(literal_column(_PG_WEIGHTS), _pg_index.c.document, query,
                            type_=Float)

    # The planner does not cost reading a TOASTed tsvector: for a word found in most pages
    # it picks a sequential scan that decompresses every document (0.4 s for 10,000 posts)
    # over the GIN index (20 ms). Forbid that for these statements only.
    previous = session.execute(_PG_NO_SEQSCAN).scalar_one()
    try:
        return _ranked(session, matches, lang, limit, offset, order)
    finally:
        session.execute(_PG_SEQSCAN, {"value": previous})


def rebuild_index(session: DbSession) -> None:
    """Rebuild the whole index from `pages` (the triggers keep it current; this repairs)."""
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        session.execute(text("INSERT INTO page_search (page_search) VALUES ('rebuild')"))
    elif dialect == "postgresql":
        session.execute(text("DELETE FROM page_search"))
        # Each page in its own language's configuration (migration 0009).
        session.execute(text(
            "SELECT page_search_upsert(id, lang, title, plain_text) FROM pages"))

"""full-text search index of pages

SQLite: an FTS5 table `page_search` whose external content is the view
`page_search_source` over pages (rowid = pages.id), kept in sync by triggers on pages, and a
narrow covering index on pages for the published-page filter.
PostgreSQL: a table `page_search` holding a weighted tsvector per page (title A, plain text
B) behind a GIN index, plus the title's own small vector for ranking broad queries, kept in
sync by a trigger on pages and emptied by the foreign key's ON DELETE CASCADE.
Either way the index changes in the transaction that changes the page, whoever writes it,
and the ORM needs no column.

A later migration that makes SQLite recreate `pages` (batch "move and copy") drops the
triggers with the old table: it must run SQLITE_TRIGGERS again (tests/test_search.py
checks that they exist at head).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 10:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


# The page's plain text is Hugo's .Plain: text with HTML entities (&rsquo;, &lt;, ...). The
# index and its snippets read it through this view, with the entities the renderer writes
# decoded (&amp; last), so that "rsquo" is no word and snippets read as text.
ENTITIES = (
    ("&rsquo;", "\u2019"), ("&lsquo;", "\u2018"), ("&rdquo;", "\u201d"), ("&ldquo;", "\u201c"),
    ("&ndash;", "\u2013"), ("&mdash;", "\u2014"), ("&hellip;", "\u2026"), ("&laquo;", "\u00ab"),
    ("&raquo;", "\u00bb"), ("&nbsp;", "\u00a0"), ("&quot;", '"'), ("&#34;", '"'), ("&#39;", "'"),
    ("&#x27;", "'"), ("&apos;", "'"), ("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"),
)


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def decoded(expression: str) -> str:
    """SQL that decodes ENTITIES in a text expression (SQLite and PostgreSQL alike)."""
    for entity, char in ENTITIES:
        expression = f"replace({expression}, {_sql_string(entity)}, {_sql_string(char)})"
    return expression


SQLITE_VIEW = (
    "CREATE VIEW page_search_source AS "
    f"SELECT id, title, {decoded('plain_text')} AS body FROM pages"
)

SQLITE_TABLE = (
    "CREATE VIRTUAL TABLE page_search USING fts5("
    "title, body, content='page_search_source', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2', prefix='2 3')"
)

# The index's own word list: search expands a word prefix into the words it starts, which
# FTS5 looks up one by one instead of merging every matching word's list in memory.
SQLITE_VOCABULARY = "CREATE VIRTUAL TABLE page_search_terms USING fts5vocab(page_search, row)"

SQLITE_TRIGGERS = (
    f"""CREATE TRIGGER pages_search_insert AFTER INSERT ON pages BEGIN
      INSERT INTO page_search (rowid, title, body)
      VALUES (new.id, new.title, {decoded('new.plain_text')});
    END""",
    f"""CREATE TRIGGER pages_search_delete AFTER DELETE ON pages BEGIN
      INSERT INTO page_search (page_search, rowid, title, body)
      VALUES ('delete', old.id, old.title, {decoded('old.plain_text')});
    END""",
    f"""CREATE TRIGGER pages_search_update AFTER UPDATE OF title, plain_text ON pages BEGIN
      INSERT INTO page_search (page_search, rowid, title, body)
      VALUES ('delete', old.id, old.title, {decoded('old.plain_text')});
      INSERT INTO page_search (rowid, title, body)
      VALUES (new.id, new.title, {decoded('new.plain_text')});
    END""",
)

# `blog_search`: the `simple` configuration (no stemming, no stop words, like FTS5's
# unicode61) with accents folded by `unaccent` when the extension can be installed.
PG_DOCUMENT = (
    "setweight(to_tsvector('blog_search', coalesce({row}.title, '')), 'A') || "
    "setweight(to_tsvector('blog_search', coalesce({row}.plain_text, '')), 'B')"
)
PG_TITLE = "to_tsvector('blog_search', coalesce({row}.title, ''))"

# Search joins every match to pages to keep the published ones: on SQLite this narrow index
# answers that without reading the wide page rows (the query names it with INDEXED BY).
SQLITE_VISIBILITY_INDEX = (
    "CREATE INDEX ix_pages_search_visibility "
    "ON pages (id, kind, lang, draft, publish_date, expiry_date, date)"
)


def _upgrade_sqlite() -> None:
    op.execute(SQLITE_VISIBILITY_INDEX)
    op.execute(SQLITE_VIEW)
    op.execute(SQLITE_TABLE)
    op.execute(SQLITE_VOCABULARY)
    for trigger in SQLITE_TRIGGERS:
        op.execute(trigger)
    op.execute("INSERT INTO page_search (page_search) VALUES ('rebuild')")


def _unaccent_available(bind) -> bool:
    """Install unaccent if allowed; a failure must not abort the migration's transaction."""
    available = bind.exec_driver_sql(
        "SELECT 1 FROM pg_available_extensions WHERE name = 'unaccent'").first()
    if available is None:
        return False
    try:
        with bind.begin_nested():
            bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS unaccent")
    except Exception:  # no privilege: search without accent folding
        return False
    return True


def _upgrade_postgresql() -> None:
    bind = op.get_bind()
    op.execute("CREATE TEXT SEARCH CONFIGURATION blog_search (COPY = pg_catalog.simple)")
    if _unaccent_available(bind):
        op.execute(
            "ALTER TEXT SEARCH CONFIGURATION blog_search ALTER MAPPING FOR "
            "asciiword, asciihword, hword_asciipart, word, hword, hword_part "
            "WITH unaccent, simple"
        )
    op.execute(
        "CREATE TABLE page_search ("
        " page_id integer PRIMARY KEY"
        "  CONSTRAINT fk_page_search_page_id_pages REFERENCES pages (id) ON DELETE CASCADE,"
        " title_document tsvector NOT NULL,"
        " document tsvector NOT NULL)"
    )
    op.execute("CREATE INDEX ix_page_search_document ON page_search USING gin (document)")
    op.execute(f"""
        CREATE FUNCTION page_search_refresh() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          INSERT INTO page_search (page_id, title_document, document)
          VALUES (NEW.id, {PG_TITLE.format(row="NEW")}, {PG_DOCUMENT.format(row="NEW")})
          ON CONFLICT (page_id) DO UPDATE
          SET title_document = EXCLUDED.title_document, document = EXCLUDED.document;
          RETURN NULL;
        END $$""")
    op.execute(
        "CREATE TRIGGER pages_search_insert AFTER INSERT ON pages "
        "FOR EACH ROW EXECUTE FUNCTION page_search_refresh()"
    )
    op.execute(
        "CREATE TRIGGER pages_search_update AFTER UPDATE OF title, plain_text ON pages "
        "FOR EACH ROW WHEN (OLD.title IS DISTINCT FROM NEW.title "
        "OR OLD.plain_text IS DISTINCT FROM NEW.plain_text) "
        "EXECUTE FUNCTION page_search_refresh()"
    )
    op.execute(
        f"INSERT INTO page_search (page_id, title_document, document) "
        f"SELECT id, {PG_TITLE.format(row='pages')}, {PG_DOCUMENT.format(row='pages')} "
        f"FROM pages"
    )


def upgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _upgrade_sqlite()
    elif dialect == "postgresql":
        _upgrade_postgresql()


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for name in ("pages_search_update", "pages_search_delete", "pages_search_insert"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS page_search_terms")
        op.execute("DROP TABLE IF EXISTS page_search")
        op.execute("DROP VIEW IF EXISTS page_search_source")
        op.execute("DROP INDEX IF EXISTS ix_pages_search_visibility")
    elif dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS pages_search_update ON pages")
        op.execute("DROP TRIGGER IF EXISTS pages_search_insert ON pages")
        op.execute("DROP FUNCTION IF EXISTS page_search_refresh()")
        op.execute("DROP TABLE IF EXISTS page_search")
        op.execute("DROP TEXT SEARCH CONFIGURATION IF EXISTS blog_search")
        # unaccent stays: other objects may use it, and it costs nothing.

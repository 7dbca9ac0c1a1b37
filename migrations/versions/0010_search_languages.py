"""search per language: stemming on PostgreSQL, Chinese and Japanese words on both

SQLite: the FTS5 index reads each page through `blog_search_text()`, a function the app
registers on every SQLite connection (app/services/site/search_text.py): the text as written,
then the pairs of neighbouring Chinese/Japanese characters, so that a word inside a run
written without spaces is found. The view and the triggers of migration 0003 are recreated
with it and the index is rebuilt. (A later migration that recreates `pages` must run
SQLITE_TRIGGERS below, not 0003's.)
PostgreSQL: one text search configuration per language PostgreSQL can stem
(`blog_search_french` copies `french`, with accents folded by unaccent when available);
`blog_search_config(lang)` picks a page's, `blog_search` (simple) for any other language.
`blog_search_text()` adds the same CJK pairs in SQL. The trigger indexes each page with its
own language's configuration through `page_search_upsert()`, which search's repair
(`rebuild_index`) calls too.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 06:30:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# As migration 0003: the entities Hugo's plain text keeps, decoded for the SQLite index.
ENTITIES = (
    ("&rsquo;", "\u2019"), ("&lsquo;", "\u2018"), ("&rdquo;", "\u201d"), ("&ldquo;", "\u201c"),
    ("&ndash;", "\u2013"), ("&mdash;", "\u2014"), ("&hellip;", "\u2026"), ("&laquo;", "\u00ab"),
    ("&raquo;", "\u00bb"), ("&nbsp;", "\u00a0"), ("&quot;", '"'), ("&#34;", '"'), ("&#39;", "'"),
    ("&#x27;", "'"), ("&apos;", "'"), ("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"),
)


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def decoded(expression: str) -> str:
    """SQL that decodes ENTITIES in a text expression."""
    for entity, char in ENTITIES:
        expression = f"replace({expression}, {_sql_string(entity)}, {_sql_string(char)})"
    return expression


def _sqlite_statements(wrap: str) -> tuple[str, tuple[str, ...]]:
    """The view and the triggers of the SQLite index, the text passed through `wrap`."""
    def text(row: str) -> tuple[str, str]:
        return (wrap.format(f"{row}title"), wrap.format(decoded(f"{row}plain_text")))

    view = ("CREATE VIEW page_search_source AS SELECT id, {0} AS title, {1} AS body FROM pages"
            .format(*text("")))
    new, old = text("new."), text("old.")
    triggers = (
        f"""CREATE TRIGGER pages_search_insert AFTER INSERT ON pages BEGIN
          INSERT INTO page_search (rowid, title, body) VALUES (new.id, {new[0]}, {new[1]});
        END""",
        f"""CREATE TRIGGER pages_search_delete AFTER DELETE ON pages BEGIN
          INSERT INTO page_search (page_search, rowid, title, body)
          VALUES ('delete', old.id, {old[0]}, {old[1]});
        END""",
        f"""CREATE TRIGGER pages_search_update AFTER UPDATE OF title, plain_text ON pages BEGIN
          INSERT INTO page_search (page_search, rowid, title, body)
          VALUES ('delete', old.id, {old[0]}, {old[1]});
          INSERT INTO page_search (rowid, title, body) VALUES (new.id, {new[0]}, {new[1]});
        END""",
    )
    return view, triggers


SQLITE_VIEW, SQLITE_TRIGGERS = _sqlite_statements("blog_search_text({})")
_OLD_SQLITE_VIEW, _OLD_SQLITE_TRIGGERS = _sqlite_statements("{}")
_SQLITE_TRIGGER_NAMES = ("pages_search_insert", "pages_search_delete", "pages_search_update")


def _sqlite(view: str, triggers: tuple[str, ...]) -> None:
    for name in _SQLITE_TRIGGER_NAMES:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP VIEW IF EXISTS page_search_source")
    op.execute(view)
    for trigger in triggers:
        op.execute(trigger)
    op.execute("INSERT INTO page_search (page_search) VALUES ('rebuild')")


# Language code (its part before any "-") -> PostgreSQL's Snowball configuration.
PG_LANGUAGES = {
    "ar": "arabic", "ca": "catalan", "da": "danish", "de": "german", "el": "greek",
    "en": "english", "es": "spanish", "eu": "basque", "fi": "finnish", "fr": "french",
    "ga": "irish", "hi": "hindi", "hu": "hungarian", "hy": "armenian", "id": "indonesian",
    "it": "italian", "lt": "lithuanian", "nb": "norwegian", "ne": "nepali", "nl": "dutch",
    "nn": "norwegian", "no": "norwegian", "pt": "portuguese", "ro": "romanian",
    "ru": "russian", "sr": "serbian", "sv": "swedish", "ta": "tamil", "tr": "turkish",
    "yi": "yiddish",
}
# Literal characters (the database speaks UTF-8): the class of app/services/site/search_text.py.
_PG_CJK = "[\u3005\u3006\u3007\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff" \
          "\uf900-\ufaff\uff66-\uff9f]"
_WORD_TYPES = "asciiword, asciihword, hword_asciipart, word, hword, hword_part"


def _pg_configs(bind) -> dict[str, str]:
    """Language code -> configuration created here, for the languages this server stems."""
    available = {row[0] for row in bind.exec_driver_sql(
        "SELECT cfgname FROM pg_ts_config WHERE cfgnamespace = 'pg_catalog'::regnamespace")}
    stems = {row[0] for row in bind.exec_driver_sql("SELECT dictname FROM pg_ts_dict")}
    unaccent = bind.exec_driver_sql(
        "SELECT 1 FROM pg_extension WHERE extname = 'unaccent'").first() is not None
    made: dict[str, str] = {}
    for language in sorted(set(PG_LANGUAGES.values()) & available):
        name = f"blog_search_{language}"
        op.execute(f"CREATE TEXT SEARCH CONFIGURATION {name} (COPY = pg_catalog.{language})")
        if unaccent and f"{language}_stem" in stems:
            op.execute(f"ALTER TEXT SEARCH CONFIGURATION {name} ALTER MAPPING FOR "
                       f"{_WORD_TYPES} WITH unaccent, {language}_stem")
        made.update({code: name for code, lang in PG_LANGUAGES.items() if lang == language})
    return made


def _upgrade_postgresql() -> None:
    bind = op.get_bind()
    configs = _pg_configs(bind)
    cases = " ".join(f"WHEN {_sql_string(code)} THEN {_sql_string(name)}::regconfig"
                     for code, name in sorted(configs.items()))
    op.execute(f"""
        CREATE FUNCTION blog_search_config(lang text) RETURNS regconfig
        LANGUAGE sql STABLE PARALLEL SAFE AS $$
          SELECT CASE split_part(lower(coalesce(lang, '')), '-', 1) {cases}
          ELSE 'blog_search'::regconfig END
        $$""")
    op.execute(f"""
        CREATE FUNCTION blog_search_text(value text) RETURNS text
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
          SELECT CASE WHEN value ~ '{_PG_CJK}' THEN value || E'\\n' || (
            SELECT string_agg(CASE WHEN length(run) = 1 THEN run ELSE (
              SELECT string_agg(substr(run, i, 2), ' ')
              FROM generate_series(1, length(run) - 1) AS i) END, ' ')
            FROM (SELECT m[1] AS run FROM regexp_matches(value, '({_PG_CJK}+)', 'g') AS m) AS runs
          ) ELSE coalesce(value, '') END
        $$""")
    op.execute("""
        CREATE FUNCTION page_search_upsert(pid integer, lang text, title text, body text)
        RETURNS void LANGUAGE plpgsql AS $$
        DECLARE
          cfg regconfig := blog_search_config(lang);
          heading tsvector := to_tsvector(cfg, blog_search_text(coalesce(title, '')));
        BEGIN
          INSERT INTO page_search (page_id, title_document, document)
          VALUES (pid, heading, setweight(heading, 'A') ||
                  setweight(to_tsvector(cfg, blog_search_text(coalesce(body, ''))), 'B'))
          ON CONFLICT (page_id) DO UPDATE
          SET title_document = EXCLUDED.title_document, document = EXCLUDED.document;
        END $$""")
    op.execute("""
        CREATE OR REPLACE FUNCTION page_search_refresh() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          PERFORM page_search_upsert(NEW.id, NEW.lang, NEW.title, NEW.plain_text);
          RETURN NULL;
        END $$""")
    op.execute("DROP TRIGGER IF EXISTS pages_search_update ON pages")
    op.execute(
        "CREATE TRIGGER pages_search_update AFTER UPDATE OF title, plain_text, lang ON pages "
        "FOR EACH ROW WHEN (OLD.title IS DISTINCT FROM NEW.title "
        "OR OLD.plain_text IS DISTINCT FROM NEW.plain_text OR OLD.lang IS DISTINCT FROM NEW.lang) "
        "EXECUTE FUNCTION page_search_refresh()"
    )
    op.execute("SELECT page_search_upsert(id, lang, title, plain_text) FROM pages")


# Migration 0003's documents, for the downgrade.
_PG_OLD_REFRESH = """
    CREATE OR REPLACE FUNCTION page_search_refresh() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO page_search (page_id, title_document, document)
      VALUES (NEW.id, to_tsvector('blog_search', coalesce(NEW.title, '')),
              setweight(to_tsvector('blog_search', coalesce(NEW.title, '')), 'A') ||
              setweight(to_tsvector('blog_search', coalesce(NEW.plain_text, '')), 'B'))
      ON CONFLICT (page_id) DO UPDATE
      SET title_document = EXCLUDED.title_document, document = EXCLUDED.document;
      RETURN NULL;
    END $$"""


def _downgrade_postgresql() -> None:
    bind = op.get_bind()
    op.execute(_PG_OLD_REFRESH)
    op.execute("DROP TRIGGER IF EXISTS pages_search_update ON pages")
    op.execute(
        "CREATE TRIGGER pages_search_update AFTER UPDATE OF title, plain_text ON pages "
        "FOR EACH ROW WHEN (OLD.title IS DISTINCT FROM NEW.title "
        "OR OLD.plain_text IS DISTINCT FROM NEW.plain_text) "
        "EXECUTE FUNCTION page_search_refresh()"
    )
    op.execute("DROP FUNCTION IF EXISTS page_search_upsert(integer, text, text, text)")
    op.execute("DROP FUNCTION IF EXISTS blog_search_text(text)")
    op.execute("DROP FUNCTION IF EXISTS blog_search_config(text)")
    for row in bind.exec_driver_sql(
            "SELECT cfgname FROM pg_ts_config WHERE cfgname LIKE 'blog\\_search\\_%'").all():
        op.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {row[0]}")
    op.execute(
        "INSERT INTO page_search (page_id, title_document, document) SELECT id, "
        "to_tsvector('blog_search', coalesce(title, '')), "
        "setweight(to_tsvector('blog_search', coalesce(title, '')), 'A') || "
        "setweight(to_tsvector('blog_search', coalesce(plain_text, '')), 'B') FROM pages "
        "ON CONFLICT (page_id) DO UPDATE SET title_document = EXCLUDED.title_document, "
        "document = EXCLUDED.document"
    )


def upgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _sqlite(SQLITE_VIEW, SQLITE_TRIGGERS)
    elif dialect == "postgresql":
        _upgrade_postgresql()


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _sqlite(_OLD_SQLITE_VIEW, _OLD_SQLITE_TRIGGERS)
    elif dialect == "postgresql":
        _downgrade_postgresql()

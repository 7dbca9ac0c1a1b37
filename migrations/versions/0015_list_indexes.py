"""list indexes, round two: menus and section links read after each import in one step

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 12:10:00

After each import (a new site generation) every worker rebuilds its header and footer from
the database. At 10,000 pages two of those queries read every page of the language:

- a menu entry or a main section is found by its Hugo path (`hugo_path = ? AND lang = ?`),
  but without table statistics SQLite preferred `ix_pages_list` (lang only) over the
  one-column `ix_pages_hugo_path` and read every row (28 ms); an index on both columns,
  with the visibility filters, is an exact lookup;
- the pages that add themselves to a menu from their front matter are the few whose params
  mention "menu": on SQLite a partial index holds only those (the query repeats the
  index's condition word for word, `app/services/site/menus.py` MENU_PARAMS_PATTERN), where
  the main and the footer menu each read every page before (15 ms each). PostgreSQL keeps
  its plan (it has statistics; a partial index on a JSON-to-text cast is not made there).

"""
import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

# Must match app/services/site/menus.py MENU_PARAMS_PATTERN and its expression exactly
# (SQLite compares the expressions when it decides whether a query may use a partial index).
_MENU_WHERE = "lower(CAST(params AS VARCHAR)) LIKE '%\"menu%'"


def upgrade():
    op.create_index("ix_pages_hugo_path_lang", "pages",
                    ["hugo_path", "lang", "kind", "draft", "publish_date", "expiry_date"])
    if op.get_bind().dialect.name == "sqlite":
        op.create_index("ix_pages_menu_params", "pages", ["lang"],
                        sqlite_where=sa.text(_MENU_WHERE))


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.drop_index("ix_pages_menu_params", table_name="pages")
    op.drop_index("ix_pages_hugo_path_lang", table_name="pages")

"""list indexes: newest-first lists served from an index, even with 10,000 pages

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 19:50:00

The home page, its page 50 and section lists sort published pages newest first. Without an
index the database sorts every page row (with its body) for each list page; with this one it
walks the index in order and stops after the page it needs, and counts without the table.
PostgreSQL gets `date DESC NULLS LAST`, the order the queries ask for; SQLite's DESC already
puts NULLs last.
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_FILTERS = ("draft", "publish_date", "expiry_date", "section")


def _date_desc() -> sa.TextClause:
    dialect = op.get_bind().dialect.name
    return sa.text("date DESC NULLS LAST" if dialect == "postgresql" else "date DESC")


def upgrade():
    op.create_index("ix_pages_list", "pages",
                    ["lang", "kind", _date_desc(), "title", "url_path", *_FILTERS])
    op.create_index("ix_pages_children", "pages",
                    ["parent_path", "lang", "weight", _date_desc(), "link_title", "title",
                     "url_path", "kind", *_FILTERS])
    op.create_index("ix_page_terms_term_page", "page_terms", ["term_id", "page_id"])
    # The publish and expiry moments still ahead (app/services/pages.visibility_boundaries).
    op.create_index("ix_pages_publish_date", "pages", ["publish_date"])
    op.create_index("ix_pages_expiry_date", "pages", ["expiry_date"])


def downgrade():
    op.drop_index("ix_pages_expiry_date", table_name="pages")
    op.drop_index("ix_pages_publish_date", table_name="pages")
    op.drop_index("ix_page_terms_term_page", table_name="page_terms")
    op.drop_index("ix_pages_children", table_name="pages")
    op.drop_index("ix_pages_list", table_name="pages")

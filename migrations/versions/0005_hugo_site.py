"""Hugo sites: site settings from hugo.toml; what pages need for sections, translations, refs;
term titles

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 17:00:00

Columns are only added (plain ALTER TABLE ADD COLUMN on SQLite, no table rebuild), so the
search triggers of 0003 stay in place.
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_PATHS = ("hugo_path", "parent_path", "translation_key")


def upgrade():
    op.create_table(
        "site_settings",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_site_settings")),
    )
    for name in _PATHS:
        op.add_column("pages", sa.Column(name, sa.String(length=1024), nullable=False,
                                         server_default=""))
        op.create_index(op.f(f"ix_pages_{name}"), "pages", [name], unique=False)
    op.add_column("pages", sa.Column("link_title", sa.Text(), nullable=False, server_default=""))
    op.add_column("pages", sa.Column("refs", sa.JSON(), nullable=True))
    op.add_column("terms", sa.Column("title", sa.String(length=512), nullable=False,
                                     server_default=""))


def downgrade():
    op.drop_column("terms", "title")
    op.drop_column("pages", "refs")
    op.drop_column("pages", "link_title")
    for name in reversed(_PATHS):
        op.drop_index(op.f(f"ix_pages_{name}"), table_name="pages")
        op.drop_column("pages", name)
    op.drop_table("site_settings")

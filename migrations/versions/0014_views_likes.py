"""views and likes: per-page counts that survive re-imports, and today's view marks

`page_stats` holds each page's view count and `page_likes` one row per browser that likes a
page (a keyed hash of its random token and the URL), both keyed by the page's URL so they
outlive a re-import. `view_salts` and `view_marks` hold only today's random salt and the
salted hashes of today's readers; they are emptied as the day turns and never backed up.

Revision ID: 0014
Revises: 0011
Create Date: 2026-12-06 10:10:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "page_stats",
        sa.Column("url", sa.String(length=1024), nullable=False),
        sa.Column("views", sa.BigInteger(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("url"),
    )
    op.create_table(
        "page_likes",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("url", sa.String(length=1024), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_index("ix_page_likes_url", "page_likes", ["url"])
    op.create_table(
        "view_salts",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("salt", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("day"),
    )
    op.create_table(
        "view_marks",
        sa.Column("mark", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("mark"),
    )
    op.create_index("ix_view_marks_day", "view_marks", ["day"])


def downgrade():
    op.drop_index("ix_view_marks_day", table_name="view_marks")
    op.drop_table("view_marks")
    op.drop_table("view_salts")
    op.drop_index("ix_page_likes_url", table_name="page_likes")
    op.drop_table("page_likes")
    op.drop_table("page_stats")

"""thread roots: an index to page a thread by its top-level comments

A page of a thread holds COMMENTS_PER_PAGE top-level comments with all their replies
(app/services/comments/threads.py, thread_slice). Its roots are read in page order
(`page_id = ? AND parent_id IS NULL ORDER BY created_at, id`) from this index; the replies
are found through the existing parent_id index by a recursive query, so no column has to be
kept in step on create, reattach or Disqus import.

Revision ID: 0013
Revises: 0011
Create Date: 2026-12-06 10:20:00
"""
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_comments_thread_roots", "comments",
                    ["page_id", "parent_id", "created_at", "id"])


def downgrade():
    op.drop_index("ix_comments_thread_roots", table_name="comments")

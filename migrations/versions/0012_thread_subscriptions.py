"""thread subscriptions: "email me about new comments on this post", with digests

`thread_subscriptions` holds one row per (post URL, address): the address only while the
subscription lasts (unsubscribing deletes the row), when its confirmation link was mailed,
when it was confirmed (nothing else is sent before), and when the last digest went.
`thread_digest_items` is the digest's outbox: the published comments the next digest to a
subscriber lists (app/services/comments/subscriptions.py).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 10:20:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "thread_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("thread_url", sa.String(length=1024), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("confirm_sent_at", sa.DateTime(), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(), nullable=True),
        sa.Column("last_sent_at", sa.DateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_thread_subscriptions")),
        sa.UniqueConstraint("thread_url", "email",
                            name=op.f("uq_thread_subscriptions_thread_url_email")),
    )
    with op.batch_alter_table("thread_subscriptions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_thread_subscriptions_email"), ["email"],
                              unique=False)
    op.create_table(
        "thread_digest_items",
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["subscription_id"], ["thread_subscriptions.id"],
                                name=op.f("fk_thread_digest_items_subscription_id_"
                                          "thread_subscriptions"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["comment_id"], ["comments.id"],
                                name=op.f("fk_thread_digest_items_comment_id_comments"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("subscription_id", "comment_id",
                                name=op.f("pk_thread_digest_items")),
    )
    with op.batch_alter_table("thread_digest_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_thread_digest_items_comment_id"), ["comment_id"],
                              unique=False)


def downgrade():
    with op.batch_alter_table("thread_digest_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_thread_digest_items_comment_id"))
    op.drop_table("thread_digest_items")
    with op.batch_alter_table("thread_subscriptions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_thread_subscriptions_email"))
    op.drop_table("thread_subscriptions")

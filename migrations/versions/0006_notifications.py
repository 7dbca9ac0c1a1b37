"""notifications: the outbox of reply emails

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 19:40:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(["comment_id"], ["comments.id"],
                                name=op.f("fk_notifications_comment_id_comments"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["recipient_id"], ["comments.id"],
                                name=op.f("fk_notifications_recipient_id_comments"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint("comment_id", "email", name=op.f("uq_notifications_comment_id_email")),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notifications_comment_id"), ["comment_id"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_notifications_recipient_id"), ["recipient_id"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_notifications_sent_at"), ["sent_at"], unique=False)


def downgrade():
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notifications_sent_at"))
        batch_op.drop_index(batch_op.f("ix_notifications_recipient_id"))
        batch_op.drop_index(batch_op.f("ix_notifications_comment_id"))
    op.drop_table("notifications")

"""trust and sliding limits: confirmation emails in the outbox; rate events per millisecond

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 06:30:00

`notifications.kind` tells a reply email (`reply`, every row so far) from the double opt-in
link sent for a held comment (`confirm`). `rate_buckets` now logs the events of a sliding
window: `window` holds the Unix time in milliseconds (64 bits), no longer a fixed window's
number. Rows left from before read as moments of 1970: they no longer count, and the next
hit of their key deletes them (rows are kept here, as every migration keeps data).
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("notifications") as batch:
        batch.add_column(sa.Column("kind", sa.String(length=16), server_default="reply",
                                   nullable=False))
    with op.batch_alter_table("rate_buckets") as batch:  # SQLite: the table is copied
        batch.alter_column("window", type_=sa.BigInteger(), existing_type=sa.Integer(),
                           existing_nullable=False)


def downgrade():
    op.execute("DELETE FROM rate_buckets")  # millisecond times do not fit 32 bits
    with op.batch_alter_table("rate_buckets") as batch:
        batch.alter_column("window", type_=sa.Integer(), existing_type=sa.BigInteger(),
                           existing_nullable=False)
    with op.batch_alter_table("notifications") as batch:
        batch.drop_column("kind")

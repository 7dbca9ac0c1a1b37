"""page warnings: what rendering a page warned about, kept so that every import lists them

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 06:30:00

An import renders only the pages that changed; the warnings of the others (a broken ref, an
unknown shortcode) were printed once and then lost. Each page keeps its own now, as a JSON
list of [line, reason] (NULL: none), and every import prints all of them.
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("pages") as batch:
        batch.add_column(sa.Column("warnings", sa.JSON(none_as_null=True), nullable=True))


def downgrade():
    with op.batch_alter_table("pages") as batch:
        batch.drop_column("warnings")

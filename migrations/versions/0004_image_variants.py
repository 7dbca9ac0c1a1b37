"""image variants: resized WebP copies of bundle images

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 16:45:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "image_variants",
        sa.Column("source_sha256", sa.String(length=64), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("variant_sha256", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["source_sha256"], ["blobs.sha256"],
                                name=op.f("fk_image_variants_source_sha256_blobs"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["variant_sha256"], ["blobs.sha256"],
                                name=op.f("fk_image_variants_variant_sha256_blobs")),
        sa.PrimaryKeyConstraint("source_sha256", "width", name=op.f("pk_image_variants")),
    )
    with op.batch_alter_table("image_variants", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_image_variants_variant_sha256"), ["variant_sha256"],
                              unique=False)


def downgrade():
    with op.batch_alter_table("image_variants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_image_variants_variant_sha256"))
    op.drop_table("image_variants")

"""spam scores: a score on each comment, and the model the moderator's decisions train

`comments.spam_score` is the score [0, 1] a comment got when it arrived (NULL for the
comments already there, and imported ones); `comments.spam_learned` says which decision on
it the model learned ("ham", "spam"), so a changed decision is unlearned first.
`spam_features` holds the model: per feature, in how many approved and spam comments it was
seen (app/services/comments/spam_store.py). Starting empty, the model is neutral until the
moderator has made 5 decisions of each kind.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 09:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("comments") as batch:
        batch.add_column(sa.Column("spam_score", sa.Float(), nullable=True))
        batch.add_column(sa.Column("spam_learned", sa.String(length=4), nullable=True))
    op.create_table(
        "spam_features",
        sa.Column("feature", sa.String(length=200), nullable=False),
        sa.Column("ham", sa.Integer(), server_default="0", nullable=False),
        sa.Column("spam", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("feature"),
    )


def downgrade():
    op.drop_table("spam_features")
    with op.batch_alter_table("comments") as batch:
        batch.drop_column("spam_learned")
        batch.drop_column("spam_score")

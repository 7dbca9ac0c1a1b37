"""The spam model in the database: load the counts a score needs, save what a decision teaches.

The model is the `spam_features` table: per feature, in how many approved and spam comments
it was seen, plus the `#docs` and `#total` rows. A decision adds to the counts with one
INSERT ... ON CONFLICT DO UPDATE per feature (SQLite and PostgreSQL), in the decision's own
transaction: it is learned exactly when it is committed, concurrent moderators add up, and
nothing else is kept (no file, no cache, nothing sent anywhere). The math is in spam.py.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from app.models import Comment, SpamFeature
from app.services import DbSession
from app.services.comments import spam
from app.services.comments.spam import MIN_DECISIONS

LABELS = ("ham", "spam")
DOCS = "#docs"
TOTAL = "#total"


def document_of(comment: Comment) -> spam.Document:
    """What the classifier reads of a stored comment."""
    return spam.Document(comment.text_md, comment.author or "", comment.email, comment.website,
                         comment.client_key or "")


def load_counts(session: DbSession, found: Iterable[str]) -> spam.Counts:
    """The model's totals and the counts of these features (one query, plus the vocabulary)."""
    wanted = sorted(set(found) | {DOCS, TOTAL})
    rows = {f: (h, s) for f, h, s in session.execute(
        select(SpamFeature.feature, SpamFeature.ham, SpamFeature.spam)
        .where(SpamFeature.feature.in_(wanted)))}
    docs, total = rows.pop(DOCS, (0, 0)), rows.pop(TOTAL, (0, 0))
    if not spam.is_trained(spam.Counts(docs[0], docs[1])):
        return spam.Counts(docs[0], docs[1])  # the rest is not needed
    vocabulary = session.execute(select(func.count()).select_from(SpamFeature).where(
        ~SpamFeature.feature.startswith("#"),
        or_(SpamFeature.ham > 0, SpamFeature.spam > 0))).scalar_one()
    return spam.Counts(docs[0], docs[1], total[0], total[1], vocabulary, rows)


@dataclass(frozen=True)
class Progress:
    """How many decisions the model learned, and whether that is enough to score."""

    ham: int
    spam: int
    needed: int = MIN_DECISIONS

    @property
    def trained(self) -> bool:
        """True once the model scores (spam.is_trained)."""
        return spam.is_trained(spam.Counts(self.ham, self.spam))


def progress(session: DbSession) -> Progress:
    """The decisions learned so far (for the moderation page)."""
    counts = load_counts(session, ())
    return Progress(counts.ham_docs, counts.spam_docs)


def score(session: DbSession, doc: spam.Document) -> spam.Score:
    """The spam score of a new comment, from the decisions committed so far."""
    found = spam.features(doc)
    return spam.score(load_counts(session, found), found)


def learn(session: DbSession, comments: Iterable[Comment], label: str) -> int:
    """Teach the model a decision on these comments ("ham" or "spam"); returns how many.

    A comment already learned with the other label is unlearned first (a moderator changing
    their mind); one already learned with this label, or a deleted marker, teaches nothing.
    Each comment's label is claimed by a conditional UPDATE, so two moderators deciding on
    the same comment at once count it once (the row lock on PostgreSQL, the write lock on
    SQLite). The caller commits: the counts change with the decision or not at all.
    """
    if label not in LABELS:
        raise ValueError(f"label must be one of {LABELS}")
    other = LABELS[1 - LABELS.index(label)]
    by_id = {comment.id: comment for comment in comments}
    if not by_id:
        return 0

    def claim(condition: ColumnElement[bool]) -> set[int]:
        return set(session.execute(
            update(Comment).where(Comment.id.in_(list(by_id)), Comment.deleted.is_(False),
                                  condition)
            .values(spam_learned=label).returning(Comment.id)).scalars())

    moved = claim(Comment.spam_learned == other)
    fresh = claim(Comment.spam_learned.is_(None))
    deltas: Counter[tuple[str, str]] = Counter()
    for comment_id in sorted(moved | fresh):
        if comment_id in moved:
            _count(deltas, by_id[comment_id], other, -1)
        _count(deltas, by_id[comment_id], label, 1)
    _save(session, deltas)
    return len(moved | fresh)


def _count(deltas: Counter[tuple[str, str]], comment: Comment, label: str, sign: int) -> None:
    found = spam.features(document_of(comment))
    for name in found:
        deltas[name, label] += sign
    deltas[DOCS, label] += sign
    deltas[TOTAL, label] += sign * len(found)


def _save(session: DbSession, deltas: Counter[tuple[str, str]]) -> None:
    """Add the deltas to the table, features in a fixed order (no deadlock between two)."""
    rows: dict[str, dict[str, object]] = {}
    for (name, label), delta in deltas.items():
        if delta:
            rows.setdefault(name, {"feature": name, "ham": 0, "spam": 0})[label] = delta
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(SpamFeature)
    statement = statement.on_conflict_do_update(
        index_elements=[SpamFeature.feature],
        set_={"ham": SpamFeature.ham + statement.excluded.ham,
              "spam": SpamFeature.spam + statement.excluded.spam},
    )
    session.execute(statement, [rows[name] for name in sorted(rows)])

"""The site generation number: bumped on every change, read by every worker."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.models import SiteState

GENERATION = "generation"


def get_generation(session: Session) -> int:
    """The current site generation (0 before the first import)."""
    value = session.execute(
        select(SiteState.value).where(SiteState.key == GENERATION)
    ).scalar_one_or_none()
    return int(value or 0)


def bump_generation(session: Session) -> None:
    """Increment the generation inside the caller's transaction."""
    result = session.execute(
        update(SiteState).where(SiteState.key == GENERATION).values(value=SiteState.value + 1)
    )
    if result.rowcount == 0:
        session.add(SiteState(key=GENERATION, value=1))

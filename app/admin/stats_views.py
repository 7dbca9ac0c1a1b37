"""The admin's views and likes page: the most read and the most liked posts."""

from __future__ import annotations

from flask import render_template

from app.admin import bp
from app.extensions import db
from app.services.stats import counters

TOP = 20


@bp.get("/stats")
def stats() -> tuple[str, int]:
    """The most read and the most liked posts (views and likes counted by this server)."""
    return render_template("admin/stats.html", top=TOP,
                           most_read=counters.top_read(db.session, TOP),
                           most_liked=counters.top_liked(db.session, TOP)), 200

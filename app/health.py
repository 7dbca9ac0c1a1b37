"""`/healthz` for load balancers: the database and the cache both answer."""

from __future__ import annotations

import time
import uuid

from flask import Blueprint, Response, jsonify
from sqlalchemy import text

from app.extensions import cache, db

bp = Blueprint("health", __name__)


def _check_database() -> str:
    db.session.execute(text("SELECT 1")).scalar_one()
    return "ok"


def _check_cache() -> str:
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    ok = cache.get(key) == "1"
    cache.delete(key)
    if not ok:
        raise RuntimeError("the cache did not return what was stored")
    return "ok"


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    """200 when the database and the cache answer, 503 (naming what failed) otherwise."""
    started = time.perf_counter()
    checks: dict[str, str] = {}
    healthy = True
    for name, check in (("database", _check_database), ("cache", _check_cache)):
        try:
            checks[name] = check()
        except Exception as exc:
            checks[name] = f"error: {type(exc).__name__}"
            healthy = False
            db.session.rollback()
    body = {"status": "ok" if healthy else "unavailable", "checks": checks,
            "ms": round((time.perf_counter() - started) * 1000, 2)}
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response, 200 if healthy else 503

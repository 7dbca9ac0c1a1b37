"""The comments API against its own contract: schemathesis drives /api/openapi.json.

Every operation gets generated requests (valid and invalid); no answer may be a server error
or break the documented status codes, content types, headers and response schemas. Posts
get a valid form token half of the time and, then, the URL of the real post, so that the
generated comments also reach the write path instead of stopping at the first 400.
Generation is derandomized: CI runs the same examples every time (a new finding is a change
in the app or the schema, never luck).
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from flask import Flask
from flask_migrate import upgrade
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select

from app.extensions import db
from app.models import Page
from app.services.comments.tokens import form_token
from tests import backends
from tests.conftest import ROOT, SEED_CONTENT, make_app

POST = "/posts/the-rise-of-ai-generated-images/"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance]
_STATE: dict[str, Any] = {}


def _site() -> Flask:
    """The seed site on a fresh SQLite file, built when the module is collected.

    (schemathesis's lazy fixture loader does not run under this pytest, so the schema is
    loaded from a real app at import time; the folder goes when the process exits.)
    """
    folder = Path(tempfile.mkdtemp(prefix="contract-"))
    atexit.register(shutil.rmtree, folder, True)
    app = make_app(folder, COMMENTS_MODERATION="none", COMMENTS_MIN_FILL_SECONDS=0,
                   COMMENTS_RATE_LIMIT=1_000_000)
    _STATE["app"] = app
    _seed(app)
    return app


def _seed(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["content", "import", str(SEED_CONTENT)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        _STATE["page_id"] = db.session.execute(
            select(Page.id).where(Page.url_path == POST)).scalar_one()
        db.session.remove()


@pytest.fixture(scope="module", autouse=True)
def _own_database() -> None:
    """On PostgreSQL all tests of a run share one database, which each new app wipes: the
    app built at collection is given its schema and seed again before this module runs."""
    if not backends.use_postgres():
        return
    app = _STATE["app"]
    with app.app_context():
        db.engine.dispose()
        backends.postgres_url()  # wipes the run's database, as make_app does
        upgrade(directory=str(ROOT / "migrations"))
    _seed(app)


schema = schemathesis.openapi.from_wsgi("/api/openapi.json", _site())


def _usable(case: Any) -> None:
    """Give half of the posts a token and the real post's URL; a quarter a valid comment."""
    body = case.body
    if case.method.upper() != "POST" or not isinstance(body, dict):
        return
    pick = hash(repr(sorted(body.items(), key=str))) % 4
    if pick < 2:
        body["form_token"] = form_token(_STATE["app"].config["SECRET_KEY"], _STATE["page_id"])
        body["url"] = POST
    if pick == 0 and case.path == "/api/comments":
        # A comment that passes every rule, so the write path is always exercised.
        _STATE["posted"] = _STATE.get("posted", 0) + 1
        case.body = {"url": POST, "form_token": body["form_token"],
                     "text": f"Contract comment {_STATE['posted']}."}


@schema.parametrize()
@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                 HealthCheck.function_scoped_fixture])
def test_the_api_keeps_its_contract(case: Any) -> None:
    _usable(case)
    case.call_and_validate(checks=CHECKS)


def test_the_contract_reached_the_write_path() -> None:
    """Guard against a contract run that only ever saw 400s: comments were stored."""
    from app.models import Comment

    app = _STATE["app"]
    with app.app_context():
        stored = db.session.execute(select(Comment.id)).first()
        db.session.remove()
    assert stored is not None

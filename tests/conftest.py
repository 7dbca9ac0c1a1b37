"""Shared fixtures: a real app on a real SQLite file, migrated with the real migrations."""

from __future__ import annotations

import os
import shutil
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from flask_migrate import upgrade
from werkzeug.security import generate_password_hash
from werkzeug.test import TestResponse

from app import create_app
from app.extensions import db as _db
from tests import backends
from tests.html import soup
from tests.shared import ROOT
from tests.smtp_server import smtp  # noqa: F401 - the SMTP server fixture, for every test

pytest_plugins = ["pytester", "tests.ci_skips", "tests.measure"]

SEED_CONTENT = ROOT / "content"
_MADE: list[weakref.ref[Flask]] = []  # every app make_app made, in order


def make_app(tmp_path: Path, **overrides: object) -> Flask:
    """An app on a fresh database (SQLite file, or PostgreSQL in that mode), migrated."""
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-that-is-long-enough-for-tests",
        "CONTENT_DIR": str(tmp_path / "content"),
        "IMPORT_PARSE_CACHE_DIR": str(tmp_path / "instance"),
        "LOG_REQUESTS": False,
        **backends.cache_config(),
    }
    config.update(overrides)
    if "SQLALCHEMY_DATABASE_URI" not in config:
        config["SQLALCHEMY_DATABASE_URI"] = backends.database_url(tmp_path)
    app = create_app(config)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
    _MADE.append(weakref.ref(app))
    return app


def _closing_apps_made_meanwhile() -> Iterator[None]:
    """Close the database connections of the apps made from here to the end: their engines'
    pools would close them only at garbage collection (a ResourceWarning on PostgreSQL)."""
    first = len(_MADE)
    yield
    for ref in _MADE[first:]:
        made = ref()
        if made is not None:
            with made.app_context():
                _db.engine.dispose()
    del _MADE[first:]


@pytest.fixture(autouse=True)
def _close_the_apps_a_test_made() -> Iterator[None]:
    """The apps a test made, itself or in its function-scoped fixtures."""
    yield from _closing_apps_made_meanwhile()


@pytest.fixture(scope="module", autouse=True)
def _close_the_apps_a_module_made() -> Iterator[None]:
    """The apps a module's module-scoped fixtures made."""
    yield from _closing_apps_made_meanwhile()


@pytest.fixture(scope="session", autouse=True)
def _own_instance_folder(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Apps made by the tests, and the servers and commands they start, use an instance
    folder of their own: never the checkout's instance/settings.env or secret_key."""
    os.environ["INSTANCE_PATH"] = str(tmp_path_factory.mktemp("instance"))


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    """An empty Hugo content folder to write pages into."""
    path = tmp_path / "content"
    path.mkdir()
    return path


@pytest.fixture
def seed_dir(tmp_path: Path) -> Path:
    """A copy of the repository's content/ (the seed article and its gallery)."""
    path = tmp_path / "seed-content"
    shutil.copytree(SEED_CONTENT, path)
    return path


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    """The application on a fresh, migrated SQLite file."""
    application = make_app(tmp_path)
    yield application
    with application.app_context():
        _db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client for the app."""
    return app.test_client()


ADMIN_PASSWORD = "correct horse battery staple"
SAME_ORIGIN = "http://localhost"  # the Origin a browser on the test client's site sends


def admin_settings(**overrides: object) -> dict[str, object]:
    """make_app settings that turn the admin on, ADMIN_PASSWORD its password."""
    return {"ADMIN_PASSWORD_HASH": generate_password_hash(ADMIN_PASSWORD), **overrides}


def csrf_token(client: FlaskClient, path: str = "/admin/login", **get: object) -> str:
    """The CSRF token in the form on `path` (the admin login page unless told)."""
    field = soup(client.get(path, **get).data).select_one('input[name="csrf_token"]')
    assert field is not None, f"no csrf_token field on {path}"
    return str(field["value"])


def post_admin_login(client: FlaskClient, password: str = ADMIN_PASSWORD,
                     data: dict[str, str] | None = None, **post: object) -> TestResponse:
    """Send the login form as a browser on this site would: its CSRF token, its Origin."""
    form = {"csrf_token": csrf_token(client), "password": password, **(data or {})}
    return client.post("/admin/login", data=form, headers={"Origin": SAME_ORIGIN}, **post)


def log_in_admin(app: Flask) -> FlaskClient:
    """A new client of `app` (made with admin_settings) logged in as the admin."""
    client = app.test_client()
    response = post_admin_login(client)
    assert response.status_code == 303, response.data
    return client


@pytest.fixture
def admin_client(app: Flask) -> FlaskClient:
    """A client logged in as the admin of `app`: a module that needs one overrides `app` with
    an app made with admin_settings."""
    return log_in_admin(app)


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    """A CLI runner for `flask ...` commands."""
    return app.test_cli_runner()


@pytest.fixture
def db(app: Flask) -> Iterator[object]:
    """The database handle inside an app context."""
    with app.app_context():
        yield _db


def write(root: Path, rel: str, text: str | bytes) -> Path:
    """Write a content file (creating folders) and return its path."""
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="session", autouse=True)
def _drop_test_database() -> Iterator[None]:
    """Drop the PostgreSQL database of this run when the session ends."""
    yield
    backends.drop_postgres_database()

"""The app's schema migrations (migrations/, run by Flask-Migrate): what a restore or a copy
of the site (services/backup) is given to bring any database to a revision."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, has_app_context
from sqlalchemy.engine import Engine

from app.config import BASE_DIR
from app.database import configure_engine
from app.extensions import db, migrate
from app.services.backup.archive import Migrations

MIGRATIONS = BASE_DIR / "migrations"


@contextmanager
def _migrations_for(engine: Engine) -> Iterator[None]:
    """An app context whose database is `engine`'s, for flask_migrate."""
    if has_app_context() and db.engine.url == engine.url:
        yield
        return
    helper = Flask(__name__)
    helper.config.update(SQLALCHEMY_DATABASE_URI=engine.url.render_as_string(False),
                         SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True})
    db.init_app(helper)
    migrate.init_app(helper, db, directory=str(MIGRATIONS))
    with helper.app_context():
        configure_engine(db.engine)
        try:
            yield
        finally:
            db.engine.dispose()


def migrate_to(engine: Engine, revision: str) -> None:
    """Run the migrations on `engine`'s database up to `revision` ("head": the latest)."""
    from flask_migrate import upgrade  # Alembic: only when migrating

    with _migrations_for(engine):
        upgrade(directory=str(MIGRATIONS), revision=revision)


MIGRATIONS_RUN = Migrations(MIGRATIONS, migrate_to)

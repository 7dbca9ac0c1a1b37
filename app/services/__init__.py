"""Services, one package per domain (site, importing, comments, backup) plus the shared rate
limiter and mail builder: the only code besides the models that talks to the database.

A service knows no request and no app wiring: a view or a CLI command passes in the session,
the settings and the values it needs (tests/test_architecture.py checks it)."""

from typing import Any, TypeAlias

from sqlalchemy.orm import Session, scoped_session

# What a service takes to reach the database: a session, or the app's scoped session
# (Flask-SQLAlchemy's db.session), which proxies every Session method to the current one.
DbSession: TypeAlias = Session | scoped_session[Any]

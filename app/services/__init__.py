"""Services: the only code that talks to the database besides the models."""

from typing import Any, TypeAlias

from sqlalchemy.orm import Session, scoped_session

# What a service takes to reach the database: a session, or the app's scoped session
# (Flask-SQLAlchemy's db.session), which proxies every Session method to the current one.
DbSession: TypeAlias = Session | scoped_session[Any]

"""Unbound extensions, bound to an app in create_app."""

from typing import TYPE_CHECKING

from flask_caching import Cache
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from app.migrate_lazy import LazyMigrate

# Named constraints let Alembic alter tables the same way on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base for every model."""

    metadata = MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base)

# The models' base class. Flask-SQLAlchemy builds db.Model at run time from Base's bases and
# body (plus its bind and query mixins), so a type checker, which sees only a variable there,
# is told the class it is built from.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model
migrate = LazyMigrate(render_as_batch=True, compare_type=True)  # flask_migrate when used
cache = Cache()

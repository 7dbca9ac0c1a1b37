"""Consistent snapshots of the site's tables and the portable dump file that carries them.

A dump is one gzip'd file of UTF-8 JSON lines:

1. a header: {"format", "version", "revision" (Alembic), "dialect", "created_at", "tables":
   [{"name", "columns", "kinds", "key"}]}, tables in dependency order (parents first);
2. per table: {"table": name}, then one JSON array per row in primary-key order, values in
   the header's column order (bytes as base64, datetimes ISO 8601, JSON as-is), then
   {"table_end": name, "rows": n};
3. a footer: {"footer": true, "rows": {name: n}}. A file without it is truncated.

The search index (`page_search*`) and `alembic_version` are not data: the restore rebuilds
the one and the migrations write the other.
"""

from __future__ import annotations

import base64
import gzip
import json
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Connection,
    Date,
    DateTime,
    Engine,
    Float,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    Table,
    create_engine,
    event,
    inspect,
    select,
    text,
)
from sqlalchemy.pool import NullPool

from app.database import configure_engine

FORMAT = "hugo-flask-blog/dump"
VERSION = 1
DERIVED = ("page_search",)  # rebuilt from `pages` after a restore
# Alembic's, and the view counter's state of the day (its salt is never kept beyond it).
SKIPPED = frozenset({"alembic_version", "view_salts", "view_marks"})


class BackupError(RuntimeError):
    """A backup, restore or copy that cannot be done; nothing was changed."""


@dataclass(frozen=True)
class TableSpec:
    """A table as a dump describes it: column names, value kinds and primary key."""

    name: str
    columns: tuple[str, ...]
    kinds: tuple[str, ...]
    key: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        """The header entry."""
        return {"name": self.name, "columns": list(self.columns), "kinds": list(self.kinds),
                "key": list(self.key)}


def is_data_table(name: str) -> bool:
    """True for a table whose rows a backup carries (not the index, not Alembic's)."""
    if name in SKIPPED or name.startswith("sqlite_"):
        return False
    return not any(name == d or name.startswith(d + "_") for d in DERIVED)


def kind_of(type_: Any) -> str:
    """How a column's values are written in a dump."""
    for cls, kind in ((LargeBinary, "bytes"), (DateTime, "datetime"), (Date, "date"),
                      (JSON, "json"), (Boolean, "bool"), (Integer, "int"), (Float, "float"),
                      (Numeric, "decimal")):
        if isinstance(type_, cls):
            return kind
    return "str"


def reflect(conn: Connection) -> list[Table]:
    """The data tables of a database, parents before children."""
    names = [n for n in inspect(conn).get_table_names() if is_data_table(n)]
    metadata = MetaData()
    metadata.reflect(conn, only=names)
    return list(metadata.sorted_tables)


def spec_of(table: Table) -> TableSpec:
    """A reflected table's description."""
    return TableSpec(table.name, tuple(c.name for c in table.columns),
                     tuple(kind_of(c.type) for c in table.columns),
                     tuple(c.name for c in table.primary_key.columns))


def read_revision(conn: Connection) -> str | None:
    """The database's Alembic revision (None before the first migration)."""
    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _encode(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind == "bytes":
        return base64.b64encode(bytes(value)).decode("ascii")
    if kind in ("datetime", "date"):
        return value.isoformat()
    if kind == "decimal":
        return str(value)
    return value


def _decode(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind == "bytes":
        return base64.b64decode(value, validate=True)
    if kind == "datetime":
        return datetime.fromisoformat(value)
    if kind == "date":
        return date.fromisoformat(value)
    if kind == "decimal":
        return Decimal(value)
    return value


def table_rows(conn: Connection, table: Table) -> Iterator[tuple[Any, ...]]:
    """Every row of a table in primary-key order, streamed."""
    batch = 16 if any(isinstance(c.type, LargeBinary) for c in table.columns) else 1000
    statement = select(table).order_by(*table.primary_key.columns)
    result = conn.execution_options(stream_results=True, yield_per=batch).execute(statement)
    for row in result:
        yield tuple(row)


def _sqlite_engine(engine: Engine, begin: str) -> Engine:
    """A private engine on the same SQLite file whose transactions really BEGIN."""
    private = configure_engine(create_engine(engine.url, poolclass=NullPool))

    @event.listens_for(private, "connect")
    def _manual(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # pysqlite: let us issue BEGIN ourselves

    @event.listens_for(private, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql(begin)

    return private


def _private_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:")


@contextmanager
def _sqlite_transaction(engine: Engine, begin: str) -> Iterator[Connection]:
    """A connection of a private engine on the same SQLite file, in one `begin` transaction."""
    private = _sqlite_engine(engine, begin)
    try:
        with private.connect() as conn, conn.begin():
            yield conn
    finally:
        private.dispose()


@contextmanager
def read_snapshot(engine: Engine) -> Iterator[Connection]:
    """A connection in one read transaction: every table as of one moment."""
    if _private_sqlite(engine):
        with _sqlite_transaction(engine, "BEGIN") as conn:
            yield conn
        return
    level = "REPEATABLE READ" if engine.dialect.name == "postgresql" else None
    with engine.connect() as conn:
        if level:
            conn = conn.execution_options(isolation_level=level)
        with conn.begin():
            if level:
                conn.exec_driver_sql("SET TRANSACTION READ ONLY")
            yield conn


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """One write transaction (SQLite: BEGIN IMMEDIATE, so it holds the lock from the start)."""
    if _private_sqlite(engine):
        with _sqlite_transaction(engine, "BEGIN IMMEDIATE") as conn:
            yield conn
        return
    with engine.begin() as conn:
        yield conn


def write_dump(conn: Connection, dest: Path, created_at: datetime) -> dict[str, int]:
    """Write every data table of the snapshot `conn` to `dest`; the row count per table."""
    tables = reflect(conn)
    header = {"format": FORMAT, "version": VERSION, "revision": read_revision(conn),
              "dialect": conn.dialect.name, "created_at": created_at.isoformat() + "Z",
              "tables": [spec_of(t).to_json() for t in tables]}
    counts: dict[str, int] = {}
    with gzip.open(dest, "wt", encoding="utf-8", compresslevel=6) as out:
        out.write(_line(header))
        for table in tables:
            kinds = spec_of(table).kinds
            out.write(_line({"table": table.name}))
            n = 0
            for row in table_rows(conn, table):
                out.write(_line([_encode(k, v) for k, v in zip(kinds, row, strict=True)]))
                n += 1
            out.write(_line({"table_end": table.name, "rows": n}))
            counts[table.name] = n
        out.write(_line({"footer": True, "rows": counts}))
    return counts


def _line(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n"


class DumpReader:
    """Reads a dump file, checking its shape as it goes; any flaw raises BackupError."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file = gzip.open(path, "rt", encoding="utf-8")  # noqa: SIM115 - closed in close()
        header = self._next()
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            raise self._error("not a blog dump (no dump header)")
        if header.get("version") != VERSION:
            raise BackupError(f"{path}: dump format version {header.get('version')!r} is not "
                              f"supported (this code reads version {VERSION})")
        try:
            self.revision: str | None = header["revision"]
            self.dialect: str = header["dialect"]
            self.tables = [TableSpec(t["name"], tuple(t["columns"]), tuple(t["kinds"]),
                                     tuple(t["key"])) for t in header["tables"]]
        except (KeyError, TypeError) as exc:
            raise self._error(f"bad header ({exc})") from exc
        self.counts: dict[str, int] = {}

    def _error(self, what: str) -> BackupError:
        return BackupError(f"{self.path}: corrupt or truncated dump: {what}")

    def _next(self) -> Any:
        try:
            line = self._file.readline()
            if not line.endswith("\n"):
                raise self._error("unexpected end of file")
            return json.loads(line)
        except (OSError, EOFError, zlib.error, UnicodeDecodeError, ValueError) as exc:
            raise self._error(str(exc) or type(exc).__name__) from exc

    def tables_rows(self) -> Iterator[tuple[TableSpec, Iterator[tuple[Any, ...]]]]:
        """Each table with its rows, in file order; the footer is checked at the end."""
        for spec in self.tables:
            if self._next() != {"table": spec.name}:
                raise self._error(f"table {spec.name} does not start where expected")
            yield spec, self._rows(spec)
            if spec.name not in self.counts:
                raise self._error(f"rows of {spec.name} were not all read")
        footer = self._next()
        if footer != {"footer": True, "rows": self.counts}:
            raise self._error("the footer does not match the rows read")
        if self._file.read(1) != "":
            raise self._error("data after the footer")

    def _rows(self, spec: TableSpec) -> Iterator[tuple[Any, ...]]:
        n = 0
        while True:
            item = self._next()
            if isinstance(item, dict):
                if item != {"table_end": spec.name, "rows": n}:
                    raise self._error(f"table {spec.name} ends badly after {n} rows")
                self.counts[spec.name] = n
                return
            if not isinstance(item, list) or len(item) != len(spec.kinds):
                raise self._error(f"row {n + 1} of {spec.name} has the wrong shape")
            try:
                yield tuple(_decode(k, v) for k, v in zip(spec.kinds, item, strict=True))
            except (ValueError, TypeError) as exc:
                raise self._error(f"row {n + 1} of {spec.name}: {exc}") from exc
            n += 1

    def close(self) -> None:
        """Close the file."""
        self._file.close()

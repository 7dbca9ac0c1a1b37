"""Back up, restore and copy the whole site: `flask site backup|restore|copy`.

Two backup kinds: an online SQLite backup (sqlite3's backup API: a consistent copy of the
live file while the site serves) and a portable dump (backup_format) that either database
reads. A restore runs the migrations up to the backup's revision, replaces every data row in
one transaction (backup_load), then migrates to head; a copy does the same from a live
database into another one, e.g. from SQLite to PostgreSQL.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, create_engine, inspect
from sqlalchemy.exc import SQLAlchemyError

from app.database import configure_engine
from app.services.backup import dump as fmt
from app.services.backup.dump import BackupError
from app.services.backup.load import count_rows, load

if TYPE_CHECKING:
    from alembic.script import ScriptDirectory

SQLITE_MAGIC = b"SQLite format 3\x00"
SQLITE_SUFFIXES = frozenset({".sqlite3", ".sqlite", ".db"})

__all__ = ["BackupError", "Migrations", "Report", "copy_to", "dump", "restore", "sqlite_backup"]


@dataclass
class Report:
    """What a command did: the kind, rows per table, revision and the new site generation."""

    action: str
    tables: dict[str, int] = field(default_factory=dict)
    revision: str | None = None
    generation: int | None = None

    def lines(self) -> list[str]:
        """Human-readable summary lines."""
        out = [f"{self.action} (revision {self.revision or 'none'})"]
        out += [f"  {name}: {n} row(s)" for name, n in self.tables.items()]
        out.append(f"  total: {sum(self.tables.values())} row(s)")
        if self.generation is not None:
            out.append(f"  site generation now {self.generation}")
        return out


def _atomic_target(dest: Path) -> Path:
    """A temporary file beside dest, to be renamed over it once complete."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    os.close(handle)
    return Path(name)


def _publish(tmp: Path, dest: Path) -> None:
    with open(tmp, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(tmp, dest)


def sqlite_backup(engine: Engine, dest: Path) -> Report:
    """Copy a live SQLite database to dest with sqlite3's online backup API (WAL-safe)."""
    if engine.dialect.name != "sqlite":
        raise BackupError("an online SQLite backup needs a SQLite site; write a dump instead "
                          "(any other file name, e.g. site.jsonl.gz)")
    try:
        tmp = _atomic_target(dest)
    except OSError as exc:
        raise BackupError(f"cannot write {dest}: {exc}") from exc
    raw = engine.raw_connection()
    try:
        target = sqlite3.connect(tmp)
        try:
            # One step (pages=-1): the copy is the database as of one moment.
            raw.driver_connection.backup(target, pages=-1)  # type: ignore[union-attr]
            target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            if target.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise BackupError("the backup copy failed its integrity check")
            tables = _sqlite_counts(target)
            revision = target.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            target.close()
        _publish(tmp, dest)
    except (sqlite3.Error, OSError) as exc:
        raise BackupError(f"online backup failed: {exc}") from exc
    finally:
        raw.close()
        tmp.unlink(missing_ok=True)
    return Report(f"online SQLite backup written to {dest}", tables,
                  revision[0] if revision else None)


def _sqlite_counts(conn: sqlite3.Connection) -> dict[str, int]:
    names = [row[0] for row in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    quoted = {name: '"' + name.replace('"', '""') + '"' for name in names}
    return {name: conn.execute(f"SELECT count(*) FROM {quoted[name]}").fetchone()[0]  # noqa: S608
            for name in names if fmt.is_data_table(name)}


def dump(engine: Engine, dest: Path) -> Report:
    """Write a portable dump of every data table, read in one consistent transaction."""
    try:
        tmp = _atomic_target(dest)
    except OSError as exc:
        raise BackupError(f"cannot write {dest}: {exc}") from exc
    try:
        with fmt.read_snapshot(engine) as conn:
            revision = fmt.read_revision(conn)
            tables = fmt.write_dump(conn, tmp, datetime.now(UTC).replace(tzinfo=None))
        _publish(tmp, dest)
    except (SQLAlchemyError, OSError) as exc:
        raise BackupError(f"dump failed: {exc}") from exc
    finally:
        tmp.unlink(missing_ok=True)
    return Report(f"portable dump written to {dest}", tables, revision)


@dataclass(frozen=True)
class Migrations:
    """The schema migrations: their folder, and how to run them on an engine's database up to
    a revision ("head": the latest). The app passes its own (app/schema.py)."""

    directory: Path
    upgrade: Callable[[Engine, str], None]

    def script(self) -> ScriptDirectory:
        """The migration scripts."""
        from alembic.script import ScriptDirectory  # Alembic: only when a backup needs it

        return ScriptDirectory(str(self.directory))

    def head(self) -> str | None:
        """The newest schema revision this code knows."""
        return self.script().get_current_head()


def _ancestors(script: ScriptDirectory, revision: str) -> set[str]:
    return {r.revision for r in script.iterate_revisions(revision, "base")}


def check_revision(revision: str | None, migrations: Migrations) -> None:
    """Refuse a backup whose schema revision this code does not know."""
    from alembic.util import CommandError

    if revision is None:
        raise BackupError("the backup has no schema revision (was the database migrated?)")
    try:
        known = migrations.script().get_revision(revision)
    except CommandError:
        known = None
    if known is None:
        raise BackupError(f"the backup is from schema revision {revision!r}, which this code "
                          "does not know (made by a newer version?): upgrade the code first")


def _prepare_target(engine: Engine, revision: str, migrations: Migrations) -> bool:
    """Bring the target up to the backup's revision; True if it is already past it."""
    from alembic.util import CommandError

    script = migrations.script()
    with engine.connect() as conn:
        current = fmt.read_revision(conn)
    if current is not None:
        try:
            known = script.get_revision(current) is not None
        except CommandError:
            known = False
        if not known:
            raise BackupError(f"the database is at schema revision {current!r}, which this "
                              "code does not know: upgrade the code first")
    if current is None or current in _ancestors(script, revision):
        migrations.upgrade(engine, revision)
        return False
    return True


def _replace_rows(engine: Engine, reader: fmt.DumpReader | _LiveSource, action: str,
                  migrations: Migrations) -> Report:
    check_revision(reader.revision, migrations)
    assert reader.revision is not None
    ahead = _prepare_target(engine, reader.revision, migrations)
    try:
        with fmt.write_transaction(engine) as conn:
            tables, generation = load(conn, reader.tables_rows(), reader.tables, ahead)
    except (SQLAlchemyError, BackupError) as exc:
        raise BackupError(f"{action} failed, no row was changed: {exc}") from exc
    try:
        migrations.upgrade(engine, "head")
    except Exception as exc:
        raise BackupError(f"{action} at revision {reader.revision}, but migrating to the "
                          f"latest revision failed ({exc}): run `flask db upgrade`") from exc
    return Report(action, tables, reader.revision, generation)


class _LiveSource:
    """A live database read in one snapshot, shaped like a DumpReader."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.revision = fmt.read_revision(conn)
        self._tables = fmt.reflect(conn)
        self.tables = [fmt.spec_of(t) for t in self._tables]

    def tables_rows(self) -> Iterator[tuple[fmt.TableSpec, Iterator[tuple[object, ...]]]]:
        """Each table with its rows, parents first."""
        for table, spec in zip(self._tables, self.tables, strict=True):
            yield spec, fmt.table_rows(self.conn, table)


def restore(engine: Engine, src: Path, migrations: Migrations) -> Report:
    """Replace the database's rows with a dump's or a SQLite backup file's; all or nothing."""
    try:
        with open(src, "rb") as handle:
            magic = handle.read(16)
    except OSError as exc:
        raise BackupError(f"cannot read {src}: {exc}") from exc
    if magic == SQLITE_MAGIC:
        return _restore_sqlite_file(engine, src, migrations)
    reader = fmt.DumpReader(src)
    try:
        return _replace_rows(engine, reader, f"restored {src}", migrations)
    finally:
        reader.close()


def _restore_sqlite_file(engine: Engine, src: Path, migrations: Migrations) -> Report:
    with tempfile.TemporaryDirectory(prefix="blog-restore-") as tmp:
        copy = Path(tmp) / "backup.sqlite3"
        shutil.copyfile(src, copy)  # opening a file may convert it (WAL): never the original
        wal = src.with_name(src.name + "-wal")
        if wal.exists():  # a raw copy of a live database: its last commits may be here
            shutil.copyfile(wal, copy.with_name(copy.name + "-wal"))
        source = configure_engine(create_engine(f"sqlite:///{copy}"))
        try:
            with fmt.read_snapshot(source) as conn:
                return _replace_rows(engine, _LiveSource(conn), f"restored {src}", migrations)
        except SQLAlchemyError as exc:
            raise BackupError(f"{src}: not a usable SQLite backup: {exc}") from exc
        finally:
            source.dispose()


def normalize_url(url: str) -> str:
    """A database URL with the psycopg 3 driver named, as DATABASE_URL accepts it."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def copy_to(source: Engine, target_url: str, migrations: Migrations,
            force: bool = False) -> Report:
    """Copy every row of the live site into another database (migrated to head), verified."""
    try:
        target = configure_engine(create_engine(normalize_url(target_url)))
    except (SQLAlchemyError, ImportError) as exc:
        raise BackupError(f"bad target database URL: {exc}") from exc
    try:
        if target.url == source.url:
            raise BackupError("the target is the site's own database")
        with target.connect() as conn:
            has_pages = inspect(conn).has_table("pages") and \
                conn.exec_driver_sql("SELECT count(*) FROM pages").scalar()
        if has_pages and not force:
            raise BackupError("the target database already has pages; use --force to "
                              "replace its content")
        with fmt.read_snapshot(source) as conn:
            live = _LiveSource(conn)
            expected = count_rows(conn)
            report = _replace_rows(target, live, f"copied to {target.url!r}", migrations)
        with target.connect() as conn:
            found = count_rows(conn)
        # site_state may gain the generation row; every other count must match exactly.
        wrong = {n: (expected.get(n), found.get(n)) for n in set(expected) | set(found)
                 if expected.get(n) != found.get(n) and n != "site_state"}
        if wrong:
            raise BackupError(f"row counts differ after the copy (source, target): {wrong}")
        report.tables = found
        return report
    except SQLAlchemyError as exc:
        raise BackupError(f"copy failed: {exc}") from exc
    finally:
        target.dispose()

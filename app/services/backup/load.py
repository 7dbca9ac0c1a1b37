"""Replace every data row of a database with a snapshot's, in one transaction.

Used by `flask site restore` and `flask site copy`. Readers keep seeing the old rows until
the commit; writers wait (SQLite: BEGIN IMMEDIATE; PostgreSQL: EXCLUSIVE table locks). Any
failure rolls everything back.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import Connection, Table, delete, func, insert, inspect, select, text, update
from sqlalchemy.orm import Session

from app.services.backup.dump import BackupError, TableSpec, reflect
from app.services.site.search import rebuild_index

BATCH = 500
GENERATION = "generation"


def check_schema(targets: list[Table], specs: list[TableSpec], newer: bool = False) -> None:
    """Refuse a snapshot whose tables or columns differ from the target's.

    `newer`: the target's schema is a later revision; tables and columns it added since are
    allowed (left empty, or to their defaults), anything the backup has that it lacks is not.
    """
    have = {t.name: {c.name for c in t.columns} for t in targets}
    want = {s.name: set(s.columns) for s in specs}
    hint = " (restore into an empty database instead: it is migrated up after the load)" \
        if newer else ""
    if not set(want) <= set(have) or (set(have) != set(want) and not newer):
        raise BackupError(f"the backup's tables {sorted(want)} differ from the database's "
                          f"{sorted(have)}{hint}")
    for name, columns in want.items():
        if not columns <= have[name] or (columns != have[name] and not newer):
            raise BackupError(f"table {name}: the backup's columns differ from the database's "
                              f"(only in backup: {sorted(columns - have[name])}, only in "
                              f"database: {sorted(have[name] - columns)}){hint}")


def _parents_first(table: Table, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows of a self-referencing table (comment replies) ordered so parents come first."""
    links = [(fk.parent.name, fk.column.name) for fk in table.foreign_keys
             if fk.column.table is table]
    if not links:
        return rows
    child_col, parent_col = links[0]
    children: dict[Any, list[dict[str, Any]]] = {}
    keys = {row[parent_col] for row in rows}
    ordered = []
    for row in rows:
        parent = row[child_col]
        if parent is None or parent not in keys:
            ordered.append(row)  # a root (or an orphan: the database will refuse it)
        else:
            children.setdefault(parent, []).append(row)
    i = 0
    while i < len(ordered):
        ordered.extend(children.pop(ordered[i][parent_col], []))
        i += 1
    for rest in children.values():  # a cycle: let the foreign key check report it
        ordered.extend(rest)
    return ordered


def _batches(rows: Iterable[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _generation(conn: Connection, tables: dict[str, Table]) -> int:
    state = tables.get("site_state")
    if state is None:
        return 0
    value = conn.execute(select(state.c.value).where(state.c.key == GENERATION)).scalar()
    return int(value or 0)


def _bump_generation(conn: Connection, state: Table, before: int) -> int:
    """Move the generation past both the old and the restored value: no stale cached page."""
    value = max(before, _generation(conn, {"site_state": state})) + 1
    done = conn.execute(update(state).where(state.c.key == GENERATION).values(value=value))
    if done.rowcount == 0:
        conn.execute(insert(state).values(key=GENERATION, value=value))
    return value


def reset_sequences(conn: Connection, tables: list[Table]) -> None:
    """PostgreSQL: point each serial/identity sequence past the largest restored id."""
    if conn.dialect.name != "postgresql":
        return
    for table in tables:
        key = list(table.primary_key.columns)
        if len(key) != 1:
            continue
        sequence = conn.execute(text("SELECT pg_get_serial_sequence(:t, :c)"),
                                {"t": table.name, "c": key[0].name}).scalar()
        if sequence is None:
            continue
        top = conn.execute(select(func.max(key[0]))).scalar()
        conn.execute(text("SELECT setval(:s, :v, :called)"),
                     {"s": sequence, "v": top or 1, "called": top is not None})


def load(conn: Connection, source: Iterable[tuple[TableSpec, Iterable[tuple[Any, ...]]]],
         specs: list[TableSpec], newer: bool = False) -> tuple[dict[str, int], int]:
    """Empty the data tables and insert the snapshot's rows; (rows per table, generation)."""
    targets = reflect(conn)
    check_schema(targets, specs, newer)
    by_name = {t.name: t for t in targets}
    if conn.dialect.name == "postgresql":
        names = ", ".join(conn.dialect.identifier_preparer.quote(t.name) for t in targets)
        conn.exec_driver_sql(f"LOCK TABLE {names} IN EXCLUSIVE MODE")
    elif conn.dialect.name == "sqlite":
        conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
    before = _generation(conn, by_name)
    for table in reversed(targets):
        conn.execute(delete(table))
    counts: dict[str, int] = {}
    for spec, rows in source:
        table = by_name[spec.name]
        records: Iterable[dict[str, Any]] = (dict(zip(spec.columns, row, strict=True))
                                             for row in rows)
        if any(fk.column.table is table for fk in table.foreign_keys):
            records = _parents_first(table, list(records))
        counts[spec.name] = 0
        for batch in _batches(records):
            conn.execute(insert(table), batch)
            counts[spec.name] += len(batch)
    generation = _bump_generation(conn, by_name["site_state"], before) \
        if "site_state" in by_name else 0
    reset_sequences(conn, targets)
    if inspect(conn).has_table("page_search"):  # older revisions: migration 0003 builds it
        with Session(bind=conn) as session:
            rebuild_index(session)
    return counts, generation


def count_rows(conn: Connection) -> dict[str, int]:
    """Rows per data table."""
    return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in reflect(conn)}

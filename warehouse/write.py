"""Write helpers. Each write is one transaction, so a failure leaves the last good data in place."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import duckdb

if TYPE_CHECKING:  # polars loads only when a frame is asked for: `gpucost sql` never needs it
    import polars as pl


def append_rows(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    """Insert a frame's rows by column name (columns the frame lacks get their default)."""
    if frame.is_empty():
        return
    con.register("_incoming", frame.to_arrow())
    try:
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _incoming")
    finally:
        con.unregister("_incoming")


_OPEN: set[int] = set()  # connections inside a transaction() block


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """All or nothing: a failure rolls back, so the last good data stays.

    Nested blocks join the outer transaction, so a step can make several writes one unit.
    """
    if id(con) in _OPEN:
        yield
        return
    con.execute("BEGIN TRANSACTION")
    _OPEN.add(id(con))
    try:
        yield
    except BaseException:
        con.execute("ROLLBACK")
        raise
    else:
        con.execute("COMMIT")
    finally:
        _OPEN.discard(id(con))


def replace_snapshot(
    con: duckdb.DuckDBPyConnection,
    table: str,
    frame: pl.DataFrame,
    *,
    source: str,
    snapshot_date: dt.date,
) -> int:
    """Replace one source's rows for one day; other days and other sources are untouched.

    meta.snapshots records the slice (its rows and when it was written) in the same transaction,
    so readers find a source's newest slice without scanning the history.
    """
    with transaction(con):
        con.execute(f"DELETE FROM {table} WHERE source = ? AND snapshot_date = ?", [source, snapshot_date])
        append_rows(con, table, frame)
        con.execute(
            "INSERT OR REPLACE INTO meta.snapshots (table_name, source, snapshot_date, row_count, written_at)"
            " VALUES (?, ?, ?, ?, now()::TIMESTAMP)",
            [table, source, snapshot_date, frame.height],
        )
    return frame.height


def replace_table(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> int:
    """Replace every row of a table (reference data, current marts)."""
    with transaction(con):
        con.execute(f"DELETE FROM {table}")
        append_rows(con, table, frame)
    return frame.height


def record_source_run(
    con: duckdb.DuckDBPyConnection,
    *,
    source: str,
    status: str,
    attempted_at: dt.datetime,
    origin: str | None = None,
    snapshot_date: dt.date | None = None,
    row_count: int | None = None,
    message: str | None = None,
) -> None:
    """Log one ingest attempt, failed ones included, so stale data is visible."""
    con.execute(
        "INSERT INTO meta.source_runs (source, attempted_at, status, origin, snapshot_date, row_count, message)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [source, attempted_at, status, origin, snapshot_date, row_count, message],
    )

"""Reads of snapshot tables through meta.snapshots: a source's newest slice is a lookup, never a history scan."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import duckdb

from warehouse.queries import frame

if TYPE_CHECKING:  # polars loads only when a frame is asked for: `gpucost sql` never needs it
    import polars as pl


def newest_dates(con: duckdb.DuckDBPyConnection, table: str, *, as_of: dt.date | None = None) -> dict[str, dt.date]:
    """Each source's newest snapshot date in `table` (on or before `as_of`, when given)."""
    sql = "SELECT source, max(snapshot_date) FROM meta.snapshots WHERE table_name = ?"
    params: list = [table]
    if as_of is not None:
        sql += " AND snapshot_date <= ?"
        params.append(as_of)
    return dict(con.execute(sql + " GROUP BY source ORDER BY source", params).fetchall())


def newest_date(con: duckdb.DuckDBPyConnection, table: str, source: str) -> dt.date | None:
    """The newest day a source has data for in a table, or None if it has none."""
    row = con.execute(
        "SELECT max(snapshot_date) FROM meta.snapshots WHERE table_name = ? AND source = ?", [table, source]
    ).fetchone()
    return row[0] if row else None


def slices(con: duckdb.DuckDBPyConnection, table: str, wanted: dict[str, dt.date]) -> pl.DataFrame:
    """The rows of the given (source -> snapshot_date) slices of a table.

    One branch per slice with constant predicates, so DuckDB skips every row group outside it.
    """
    if not wanted:
        return frame(con, f"SELECT * FROM {table} LIMIT 0")
    branches = " UNION ALL ".join(f"SELECT * FROM {table} WHERE snapshot_date = ? AND source = ?" for _ in wanted)
    params = [value for source, day in wanted.items() for value in (day, source)]
    return frame(con, branches, params)


def newest_slices(con: duckdb.DuckDBPyConnection, table: str) -> pl.DataFrame:
    """Every source's newest slice of a table, in one frame."""
    return slices(con, table, newest_dates(con, table))


def written_since(con: duckdb.DuckDBPyConnection, table: str, since: dt.datetime | None) -> list[dt.date]:
    """Snapshot dates of `table` written (or rewritten) after `since` (every date when `since` is None)."""
    sql = "SELECT DISTINCT snapshot_date FROM meta.snapshots WHERE table_name = ?"
    params: list = [table]
    if since is not None:
        sql += " AND written_at > ?"
        params.append(since)
    return [row[0] for row in con.execute(sql + " ORDER BY 1", params).fetchall()]

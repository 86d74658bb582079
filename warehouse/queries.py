"""Every read the pipeline and the CLI make, as named functions returning polars frames."""

from __future__ import annotations

from typing import TYPE_CHECKING

import duckdb

if TYPE_CHECKING:  # polars loads only when a frame is asked for: `gpucost sql` never needs it
    import polars as pl


class NoResultSet(ValueError):
    """Raised when the SQL holds no statement (empty, or only comments), so there are no rows to return."""


def frame(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> pl.DataFrame:
    """Run a query and return its rows as a polars frame (also for the CLI's `gpucost sql`)."""
    result = con.execute(sql, params or [])
    if result is None:  # DuckDB returns no result at all for text without a statement
        raise NoResultSet("the query returned no result set: it holds no SQL statement (empty, or only a comment)")
    return result.pl()


# What `gpucost sql` runs: statements that read. A write, a COPY, an ATTACH, an INSTALL or a SET is refused before
# it runs (and the sandboxed read-only connection would refuse it too).
READ_STATEMENTS = ("SELECT", "EXPLAIN")


class WriteRefused(ValueError):
    """The SQL would change the warehouse, the file system or the connection: `gpucost sql` only reads."""


def read_only_rows(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[list[str], list[tuple]]:
    """(column names, rows) of a query that only reads, without polars (so `gpucost sql` starts fast)."""
    statements = con.extract_statements(sql)
    if not statements:
        raise NoResultSet("the query returned no result set: it holds no SQL statement (empty, or only a comment)")
    for statement in statements:
        kind = statement.type.name
        if kind not in READ_STATEMENTS:
            raise WriteRefused(
                f"read-only: a {kind} statement is not run (it would change the warehouse, a file, "
                "or the connection); use SELECT, WITH, FROM, DESCRIBE, SHOW, SUMMARIZE or EXPLAIN"
            )
    result = con.execute(sql)
    if result is None or con.description is None:
        raise NoResultSet("the query returned no result set")
    return [d[0] for d in con.description], result.fetchall()


def read_table(con: duckdb.DuckDBPyConnection, table: str) -> pl.DataFrame:
    return frame(con, f"SELECT * FROM {table}")


def latest_gpu_prices(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Each source's newest snapshot of GPU prices (marts.latest_gpu_prices)."""
    return frame(con, "SELECT * FROM marts.latest_gpu_prices")


def source_status(con: duckdb.DuckDBPyConnection, names: list[str] | None = None) -> pl.DataFrame:
    """marts.source_status, for the named sources only when given (a retired source keeps its log, not its row)."""
    if names is None:
        return frame(con, "SELECT * FROM marts.source_status ORDER BY source")
    return frame(con, "SELECT * FROM marts.source_status WHERE list_contains(?, source) ORDER BY source", [names])


def training_costs(con: duckdb.DuckDBPyConnection, model: str | None = None) -> pl.DataFrame:
    sql = "SELECT * FROM marts.training_costs"
    if model is None:
        return frame(con, sql + " ORDER BY model, cloud_cost_usd")
    return frame(con, sql + " WHERE model = ? ORDER BY cloud_cost_usd", [model])

"""Every read the pipeline and the CLI make, as named functions returning polars frames."""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl


class NoResultSet(ValueError):
    """Raised when the SQL holds no statement (empty, or only comments), so there are no rows to return."""


def frame(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> pl.DataFrame:
    """Run a query and return its rows as a polars frame (also for the CLI's `gpucost sql`)."""
    result = con.execute(sql, params or [])
    if result is None:  # DuckDB returns no result at all for text without a statement
        raise NoResultSet("the query returned no result set: it holds no SQL statement (empty, or only a comment)")
    return result.pl()


def read_table(con: duckdb.DuckDBPyConnection, table: str) -> pl.DataFrame:
    return frame(con, f"SELECT * FROM {table}")


def latest_snapshot_date(con: duckdb.DuckDBPyConnection, table: str, source: str) -> dt.date | None:
    """The newest day a source has data for in a table, or None if it has none."""
    row = con.execute(f"SELECT max(snapshot_date) FROM {table} WHERE source = ?", [source]).fetchone()
    return row[0] if row else None


def snapshot_slice(con: duckdb.DuckDBPyConnection, table: str, source: str, snapshot_date: dt.date) -> pl.DataFrame:
    return frame(con, f"SELECT * FROM {table} WHERE source = ? AND snapshot_date = ?", [source, snapshot_date])


def latest_gpu_prices(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Each source's newest snapshot of GPU prices (marts.latest_gpu_prices)."""
    return frame(con, "SELECT * FROM marts.latest_gpu_prices")


def source_status(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    return frame(con, "SELECT * FROM marts.source_status ORDER BY source")


def training_costs(con: duckdb.DuckDBPyConnection, model: str | None = None) -> pl.DataFrame:
    sql = "SELECT * FROM marts.training_costs"
    if model is None:
        return frame(con, sql + " ORDER BY model, cloud_cost_usd")
    return frame(con, sql + " WHERE model = ? ORDER BY cloud_cost_usd", [model])


def headline(con: duckdb.DuckDBPyConnection, model: str) -> pl.DataFrame:
    """Per GPU model: the cheapest on-demand $/GPU-hour, where, and what training `model` costs on it."""
    return frame(
        con,
        """
        SELECT gpu_model, price_per_gpu_hour_usd, price_provider AS provider, price_region AS region,
               price_instance_type AS instance_type, price_source AS source,
               price_origin AS origin, price_snapshot_date AS price_date, gpu_hours, cloud_cost_usd,
               cloud_cost_usd_low, cloud_cost_usd_high, mfu, mfu_low, mfu_high
        FROM marts.training_costs
        WHERE model = ? AND pricing = 'on_demand'
        ORDER BY cloud_cost_usd
        """,
        [model],
    )


def table_comments(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Every user-facing table and view with its comment (for docs and the schema test)."""
    return frame(
        con,
        """
        SELECT schema_name, table_name AS name, 'table' AS kind, comment FROM duckdb_tables()
        WHERE database_name = current_database()
        UNION ALL
        SELECT schema_name, view_name, 'view', comment FROM duckdb_views()
        WHERE database_name = current_database() AND NOT internal
        ORDER BY 1, 2
        """,
    )

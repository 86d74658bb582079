"""Reads of the costs domain that other domains own: the electricity terms by region."""

from __future__ import annotations

import duckdb
import polars as pl

from warehouse.queries import frame


def energy_by_region(con: duckdb.DuckDBPyConnection) -> pl.DataFrame | None:
    """marts.energy_by_region (tariff, grid intensity and PUE per cloud region), or None while no warehouse has it.

    The energy domain builds that view; until it exists, cost estimates fall back on
    documented defaults (costmodel.power) and say so in their rows.
    """
    exists = con.execute(
        "SELECT count(*) FROM duckdb_views() WHERE database_name = current_database() AND schema_name = 'marts' AND view_name = 'energy_by_region'"
        " UNION ALL SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'marts' AND table_name = 'energy_by_region'"
    ).fetchall()
    if not any(row[0] for row in exists):
        return None
    return frame(con, "SELECT * FROM marts.energy_by_region")

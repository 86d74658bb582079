"""Reads of the energy domain: energy inputs per cloud region (marts.energy_by_region) and the core rows behind it."""

from __future__ import annotations

from importlib import resources
from typing import TYPE_CHECKING

import duckdb

from warehouse.queries import frame
from warehouse.write import transaction

if TYPE_CHECKING:  # polars loads only when a frame is asked for: `gpucost sql` never needs it
    import polars as pl

# The columns the cost model reads; marts.energy_by_region has these and more (see its COMMENT).
ENERGY_COLUMNS = (
    "provider",
    "region",
    "country_code",
    "state_code",
    "tariff_usd_per_kwh",
    "tariff_source",
    "tariff_period",
    "tariff_is_fallback",
    "grid_gco2_per_kwh",
    "grid_year",
    "grid_source",
    "pue",
    "pue_source",
)


def energy_by_region(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """One row per (provider, region): location, tariff, grid carbon, PUE, and how old each is."""
    return frame(con, "SELECT * FROM marts.energy_by_region ORDER BY provider, region")


def energy_for_region(con: duckdb.DuckDBPyConnection, provider: str, region: str) -> dict | None:
    """The energy_by_region row of one region (names in any case) as a dict, or None when the region is neither priced
    nor mapped.
    """
    rows = frame(
        con,
        "SELECT * FROM marts.energy_by_region WHERE lower(provider) = lower(?) AND lower(region) = lower(?)",
        [provider, region],
    )
    return rows.row(0, named=True) if rows.height else None


def datacenter_pue(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """core.datacenter_pue: the PUE rows marts.energy_by_region picks from, for the cost model's fallback where that
    mart has no row.
    """
    return frame(
        con,
        "SELECT provider, region, pue, year, scope, source FROM core.datacenter_pue ORDER BY provider, region NULLS "
        "FIRST",
    )


def rebuild_energy_by_region(con: duckdb.DuckDBPyConnection) -> int:
    """Recompute core.energy_by_region_current from today's tariffs, grid carbon, PUE and priced regions."""
    sql = resources.files("warehouse.builds").joinpath("energy_by_region.sql").read_text(encoding="utf-8")
    with transaction(con):
        con.execute("DELETE FROM core.energy_by_region_current")
        con.execute(f"INSERT INTO core.energy_by_region_current BY NAME {sql}")
    return con.execute("SELECT count(*) FROM core.energy_by_region_current").fetchone()[0]

"""Reads of the energy domain: energy inputs per cloud region (marts.energy_by_region) and the core rows behind it."""

from __future__ import annotations

import duckdb
import polars as pl

from warehouse.queries import frame

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


def latest_electricity_tariffs(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Each tariff source's newest slice of core.electricity_tariffs."""
    return frame(
        con,
        "SELECT * FROM core.electricity_tariffs QUALIFY snapshot_date = max(snapshot_date) OVER (PARTITION BY source) "
        "ORDER BY source, area_kind, area_code, sector, period_start",
    )


def latest_grid_carbon(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    return frame(
        con,
        "SELECT * FROM core.grid_carbon_intensity QUALIFY snapshot_date = max(snapshot_date) OVER (PARTITION BY "
        "source) ORDER BY iso3, year",
    )

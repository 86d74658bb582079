"""Tariff rows in one shape for every tariff source, located and converted to USD. Pure polars.

Each tariff source's `normalize` returns TARIFF_COLUMNS: an area (a US state, a census
division, a country, the EU average), a sector or consumption band, a period, and the
price per kWh in the currency it was published in. `in_usd` converts with a dated
exchange rate and keeps that rate and its date beside every converted value.
"""

from __future__ import annotations

import polars as pl

TARIFF_SCHEMA = {
    "source": pl.String,
    "area_kind": pl.String,  # state | census_division | country | eu_average
    "area_code": pl.String,  # state postal code, division name, ISO country (US) or Eurostat geo code
    "area_name": pl.String,
    "country_code": pl.String,
    "state_code": pl.String,
    "sector": pl.String,  # EIA sector or Eurostat consumption band (nrg_cons)
    "tax": pl.String,
    "period_label": pl.String,
    "period_start": pl.Date,
    "period_end": pl.Date,
    "price_per_kwh": pl.Float64,  # in `currency`
    "currency": pl.String,
    "value_flag": pl.String,  # the source's marker when there is no value, or its status flag
    "snapshot_date": pl.Date,
    "fetched_at": pl.Datetime("us"),
    "origin": pl.String,
}
FX_SCHEMA = {"currency": pl.String, "usd_per_unit": pl.Float64, "fx_date": pl.Date, "fx_source": pl.String}


def tariff_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Select and type the tariff columns (a normalize step's last line)."""
    return frame.select(pl.col(name).cast(dtype) for name, dtype in TARIFF_SCHEMA.items())


def locate(tariffs: pl.DataFrame, countries: pl.DataFrame) -> pl.DataFrame:
    """Fill country_code for rows known only by a Eurostat geo code (EL is Greece, UK the United Kingdom)."""
    geo = countries.select(
        pl.col("eurostat_geo").alias("area_code"), pl.col("country_code").alias("_located")
    ).drop_nulls()
    return (
        tariffs.join(geo, on="area_code", how="left")
        .with_columns(
            pl.when(pl.col("area_kind") == "country")
            .then(pl.coalesce("country_code", "_located"))
            .otherwise(pl.col("country_code"))
            .alias("country_code")
        )
        .drop("_located")
    )


def in_usd(tariffs: pl.DataFrame, fx: pl.DataFrame) -> pl.DataFrame:
    """Add tariff_usd_per_kwh, with fx_rate (USD per unit of the tariff's currency), fx_date and fx_source.

    USD prices need no rate (fx columns NULL). A price in a currency without a rate stays
    NULL in USD: never a guess, never zero.
    """
    fx = fx.select(pl.col(name).cast(dtype) for name, dtype in FX_SCHEMA.items()).filter(pl.col("currency") != "USD")
    joined = tariffs.join(fx, on="currency", how="left")
    return joined.with_columns(
        pl.when(pl.col("currency") == "USD")
        .then(pl.col("price_per_kwh"))
        .otherwise(pl.col("price_per_kwh") * pl.col("usd_per_unit"))
        .alias("tariff_usd_per_kwh"),
    ).rename({"usd_per_unit": "fx_rate"})

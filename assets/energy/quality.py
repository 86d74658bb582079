"""Which tariff and grid-carbon rows are held out of the energy mart, and why. Pure polars.

A tariff or grid intensity that cannot be a real price or a real grid (a unit slip, a parser reading
the wrong column, a negative price) must not reach a cost, nor stop the costs of regions it does not
concern. So each row is checked on its own, as prices are: a bad row is kept in core (held_reason
says why) and left out of marts.energy_by_region, which then falls back for that region as it does for
a missing value (tariff_is_fallback, tariff_note). A person who checked a held value and found it real
adds its line to assets/energy/data/energy_confirmations.csv; that exact value is then used.
"""

from __future__ import annotations

import polars as pl

# Above any published retail or wholesale average (Hawaii is ~0.40 $/kWh, Europe's 2022 peak ~0.6): a unit slip.
MAX_TARIFF_USD_PER_KWH = 1.5
# A coal-only grid is about 1,000 gCO2e/kWh; nothing real exceeds 1,500 or goes below 0.
MAX_GRID_GCO2_PER_KWH = 1500.0


def _confirmed(rows: pl.DataFrame, confirmations: pl.DataFrame, kind: str, keys: list[str], value: str) -> pl.Series:
    marks = confirmations.filter(pl.col("kind") == kind).select(
        *(pl.col(k).cast(rows.schema[k]) for k in keys), pl.col("value").alias("_confirmed")
    )
    return (
        rows.with_row_index("_i")
        .join(marks, on=keys, how="left", nulls_equal=True)
        .group_by("_i", maintain_order=True)
        .agg(((pl.col(value) - pl.col("_confirmed")).abs() < 1e-9).any().fill_null(False).alias("_ok"))
        .get_column("_ok")
    )


TARIFF_KEYS = ["source", "area_code", "sector", "period_label"]
GRID_KEYS = ["source", "iso3", "year"]


def tariff_holds(tariffs: pl.DataFrame, confirmations: pl.DataFrame) -> pl.DataFrame:
    """core.electricity_tariffs rows with held_reason: NULL for a usable value, else why it is held."""
    usd = pl.col("tariff_usd_per_kwh")
    published = pl.col("price_per_kwh").is_not_null()
    reason = (
        pl.when(published & usd.is_null())
        .then(pl.format("no_usd_value: {} {} per kWh has no exchange rate to USD", pl.col("price_per_kwh"), "currency"))
        .when(published & (usd <= 0))
        .then(pl.format("not_positive: ${} per kWh (a negative or zero tariff is not a price to pay)", usd.round(4)))
        .when(published & (usd > MAX_TARIFF_USD_PER_KWH))
        .then(
            pl.format(
                "implausible: ${} per kWh is above {} (a unit or decimal slip)",
                usd.round(4),
                pl.lit(MAX_TARIFF_USD_PER_KWH),
            )
        )
    )
    held = tariffs.with_columns(reason.alias("held_reason"))
    ok = _confirmed(held, confirmations, "tariff", TARIFF_KEYS, "tariff_usd_per_kwh")
    return held.with_columns(pl.when(ok).then(None).otherwise(pl.col("held_reason")).alias("held_reason"))


def grid_holds(grid: pl.DataFrame, confirmations: pl.DataFrame) -> pl.DataFrame:
    """core.grid_carbon_intensity rows with held_reason for an intensity no grid can have."""
    value = pl.col("grid_gco2_per_kwh")
    reason = pl.when(~value.is_between(0, MAX_GRID_GCO2_PER_KWH)).then(
        pl.format("implausible: {} gCO2e/kWh is outside 0..{}", value.round(1), pl.lit(MAX_GRID_GCO2_PER_KWH))
    )
    held = grid.with_columns(reason.alias("held_reason"))
    ok = _confirmed(held, confirmations, "grid", GRID_KEYS, "grid_gco2_per_kwh")
    return held.with_columns(pl.when(ok).then(None).otherwise(pl.col("held_reason")).alias("held_reason"))

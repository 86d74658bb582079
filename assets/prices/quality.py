"""Which price rows are held out of the marts, and why: implausible prices and sudden jumps.

A parser meeting a changed page, or a bid floor read as a price (SkyPilot once
listed B200 at $0.01/h), must not poison the cost estimates. A row is held when
- its $/GPU-hour sits outside a plausible band for its GPU model: within a factor
  of BAND_FACTOR of that model's median over every source's current offers, or
- its price moved more than JUMP_FACTOR-fold since the same source's previous
  snapshot of the same offer,
unless a person confirmed that exact price in assets/reference/data/price_confirmations.csv.
Held rows stay in core.gpu_prices (with held_reason) and out of every mart.
"""

from __future__ import annotations

import polars as pl

BAND_FACTOR = 10.0
JUMP_FACTOR = 5.0
OFFER_KEY = ["source", "provider", "region", "instance_type", "pricing", "commitment_term"]


def plausible_bands(current: pl.DataFrame) -> pl.DataFrame:
    """Per GPU model: the median $/GPU-hour over all current offers, and the band around it."""
    return (
        current.filter(pl.col("gpu_model").is_not_null() & (pl.col("price_per_gpu_hour_usd") > 0))
        .group_by("gpu_model")
        .agg(pl.col("price_per_gpu_hour_usd").median().alias("band_median_usd_per_gpu_hour"))
        .with_columns(
            (pl.col("band_median_usd_per_gpu_hour") / BAND_FACTOR).alias("band_low_usd_per_gpu_hour"),
            (pl.col("band_median_usd_per_gpu_hour") * BAND_FACTOR).alias("band_high_usd_per_gpu_hour"),
        )
    )


def _confirmed(rows: pl.DataFrame, confirmations: pl.DataFrame) -> pl.Expr:
    """Rows whose offer and exact price a person confirmed."""
    keys = ["source", "provider", "region", "instance_type", "pricing"]
    confirmed = confirmations.select(*keys, pl.col("price_per_hour_usd").alias("_confirmed_price"), pl.lit(True).alias("_confirmed"))
    return rows.join(confirmed, on=keys, how="left", nulls_equal=True).select(
        pl.col("_confirmed").fill_null(False) & ((pl.col("price_per_hour_usd") - pl.col("_confirmed_price")).abs() < 1e-9).fill_null(False)
    ).to_series()


def hold_reasons(rows: pl.DataFrame, previous: pl.DataFrame, bands: pl.DataFrame, confirmations: pl.DataFrame) -> pl.DataFrame:
    """`rows` (one source's snapshot) with held_reason set where the price is implausible or jumped, else NULL.

    `previous` is the same source's previous snapshot (may be empty), `bands` comes from
    plausible_bands over every source's current rows.
    """
    before = previous.select(*OFFER_KEY, pl.col("price_per_hour_usd").alias("_previous_price"), pl.col("snapshot_date").alias("_previous_date"))
    checked = (
        rows.join(bands, on="gpu_model", how="left")
        .join(before, on=OFFER_KEY, how="left", nulls_equal=True)
        .with_columns((pl.col("price_per_hour_usd") / pl.col("_previous_price")).alias("_ratio"))
    )
    out_of_band = ~pl.col("price_per_gpu_hour_usd").is_between(pl.col("band_low_usd_per_gpu_hour"), pl.col("band_high_usd_per_gpu_hour"))
    jumped = (pl.col("_ratio") > JUMP_FACTOR) | (pl.col("_ratio") < 1 / JUMP_FACTOR)
    reason = (
        pl.when(out_of_band.fill_null(False))
        .then(pl.format(
            "out_of_band: ${} per GPU-hour is outside {}..{} (1/{}x to {}x the {} median of ${} over current offers)",
            pl.col("price_per_gpu_hour_usd").round(4), pl.col("band_low_usd_per_gpu_hour").round(4), pl.col("band_high_usd_per_gpu_hour").round(4),
            pl.lit(int(BAND_FACTOR)), pl.lit(int(BAND_FACTOR)), pl.col("gpu_model"), pl.col("band_median_usd_per_gpu_hour").round(4),
        ))
        .when(jumped.fill_null(False))
        .then(pl.format(
            "jump: ${} per hour on {}, ${} on {} ({}x; more than {}x day over day)",
            pl.col("price_per_hour_usd").round(4), pl.col("snapshot_date"), pl.col("_previous_price").round(4), pl.col("_previous_date"),
            pl.col("_ratio").round(2), pl.lit(int(JUMP_FACTOR)),
        ))
    )
    held = checked.with_columns(reason.alias("held_reason")).select(*rows.columns, "held_reason")
    return held.with_columns(pl.when(_confirmed(held, confirmations)).then(None).otherwise(pl.col("held_reason")).alias("held_reason"))

"""Which price rows are held out of the marts, and why: implausible prices and sudden jumps.

A parser meeting a changed page, a catalog matching the wrong SKU, or a bid floor
read as a price (SkyPilot once listed B200 at $0.01/h) must not poison the cost
estimates. A row is held when
- out_of_band: its $/GPU-hour is more than BAND_FACTOR from its GPU model's median
  over every source's current offers;
- region_outlier: it is more than REGION_FACTOR from the same source's median for the
  same instance across at least MIN_REGIONS regions (GCP's catalog has matched an
  H100 x8 in us-central1 to a $33.61 DWS SKU while other regions list $78-$102);
- spot_not_below_on_demand: a spot price at or above the on-demand price of the same
  offer (placeholders: SkyPilot's RunPod catalog copies the on-demand price);
- jump: its price moved more than JUMP_FACTOR-fold from the source's last ACCEPTED
  price of the offer (so a held price stays held until confirmed, however often it repeats),
unless a person confirmed that exact price in assets/reference/data/price_confirmations.csv.
Held rows stay in core.gpu_prices (with held_reason) and out of every mart.
"""

from __future__ import annotations

import polars as pl

BAND_FACTOR = 10.0
REGION_FACTOR = 2.0
MIN_REGIONS = 3
JUMP_FACTOR = 5.0
OFFER_KEY = ["source", "provider", "region", "instance_type", "pricing", "commitment_term"]
CONFIRMATION_KEY = OFFER_KEY  # a confirmation names the exact offer, term included, and its price


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


def confirmed(rows: pl.DataFrame, confirmations: pl.DataFrame) -> pl.Series:
    """True for rows whose offer and exact price a person confirmed."""
    keys = [k for k in CONFIRMATION_KEY if k in confirmations.columns]
    marks = confirmations.select(*keys, pl.col("price_per_hour_usd").alias("_confirmed_price")).unique()
    return (
        rows.with_row_index("_i")
        .join(marks, on=keys, how="left", nulls_equal=True)
        .group_by("_i", maintain_order=True)
        .agg(
            ((pl.col("price_per_hour_usd") - pl.col("_confirmed_price")).abs() < 1e-9)
            .any()
            .fill_null(False)
            .alias("_ok")
        )
        .get_column("_ok")
        .alias("confirmed")
    )


def usd(column: str) -> pl.Expr:
    """A dollar amount as text the way the CLI writes money: $84.80, $33.61 (cents), $0.3457 (four figures)."""
    value = pl.col(column)
    cents = (value * 100).round(0).cast(pl.Int64)
    whole = pl.format("${}.{}", (cents // 100).cast(pl.String), (cents % 100).cast(pl.String).str.zfill(2))
    return pl.when(value.abs() < 1).then(pl.format("${}", value.round_sig_figs(4))).otherwise(whole)


def _ratio_outside(ratio: pl.Expr, factor: float) -> pl.Expr:
    return ((ratio > factor) | (ratio < 1 / factor)).fill_null(False)


def hold_reasons(
    rows: pl.DataFrame, accepted: pl.DataFrame, bands: pl.DataFrame, confirmations: pl.DataFrame
) -> pl.DataFrame:
    """`rows` (one source's snapshot) with held_reason set where a price is implausible, else NULL.

    `accepted` is the source's last accepted (not held) price of each offer before this
    snapshot (may be empty); `bands` comes from plausible_bands over every source's rows.
    """
    before = accepted.select(
        *OFFER_KEY,
        pl.col("price_per_hour_usd").alias("_previous_price"),
        pl.col("snapshot_date").alias("_previous_date"),
    )
    same_instance = ["source", "provider", "instance_type", "pricing", "commitment_term"]
    checked = (
        rows.join(bands, on="gpu_model", how="left")
        .join(before, on=OFFER_KEY, how="left", nulls_equal=True)
        .with_columns(
            (pl.col("price_per_hour_usd") / pl.col("_previous_price")).alias("_jump"),
            pl.col("price_per_hour_usd").median().over(same_instance).alias("_region_median"),
            pl.col("region").n_unique().over(same_instance).alias("_regions"),
            pl.col("price_per_hour_usd")
            .filter(pl.col("pricing") == "on_demand")
            .min()
            .over(["source", "provider", "region", "instance_type"])
            .alias("_on_demand"),
        )
    )
    out_of_band = ~pl.col("price_per_gpu_hour_usd").is_between(
        pl.col("band_low_usd_per_gpu_hour"), pl.col("band_high_usd_per_gpu_hour")
    )
    region_outlier = (pl.col("_regions") >= MIN_REGIONS) & _ratio_outside(
        pl.col("price_per_hour_usd") / pl.col("_region_median"), REGION_FACTOR
    )
    spot_too_high = (pl.col("pricing") == "spot") & (pl.col("price_per_hour_usd") >= pl.col("_on_demand"))
    reason = (
        pl.when(out_of_band.fill_null(False))
        .then(
            pl.format(
                "out_of_band: {} per GPU-hour is outside {} to {} (1/{}x to {}x the {} median of {} over current "
                "offers)",
                usd("price_per_gpu_hour_usd"),
                usd("band_low_usd_per_gpu_hour"),
                usd("band_high_usd_per_gpu_hour"),
                pl.lit(int(BAND_FACTOR)),
                pl.lit(int(BAND_FACTOR)),
                pl.col("gpu_model"),
                usd("band_median_usd_per_gpu_hour"),
            )
        )
        .when(region_outlier.fill_null(False))
        .then(
            pl.format(
                "region_outlier: {} per hour is more than {}x from this source's median of {} for {} over {} regions",
                usd("price_per_hour_usd"),
                pl.lit(int(REGION_FACTOR)),
                usd("_region_median"),
                pl.col("instance_type"),
                pl.col("_regions"),
            )
        )
        .when(spot_too_high.fill_null(False))
        .then(
            pl.format(
                "spot_not_below_on_demand: spot {} per hour, on-demand {}",
                usd("price_per_hour_usd"),
                usd("_on_demand"),
            )
        )
        .when(_ratio_outside(pl.col("_jump"), JUMP_FACTOR))
        .then(
            pl.format(
                "jump: {} per hour on {}, {} on {} (the last accepted price; {}x, more than {}x)",
                usd("price_per_hour_usd"),
                pl.col("snapshot_date"),
                usd("_previous_price"),
                pl.col("_previous_date"),
                pl.col("_jump").round(2),
                pl.lit(int(JUMP_FACTOR)),
            )
        )
    )
    held = checked.with_columns(reason.alias("held_reason")).select(*rows.columns, "held_reason")
    return held.with_columns(
        pl.when(confirmed(held, confirmations)).then(None).otherwise(pl.col("held_reason")).alias("held_reason")
    )


ACCEPTED_COLUMNS = [
    *OFFER_KEY,
    "price_per_hour_usd",
    "snapshot_date",
    "previous_price_per_hour_usd",
    "previous_snapshot_date",
]


def jump_baseline(accepted: pl.DataFrame, day) -> pl.DataFrame:
    """Each offer's last accepted price before `day`, from core.gpu_prices_accepted rows of one source.

    The table keeps the newest accepted price and the one before it, so re-running `day` itself
    compares with the price before that day, never with its own earlier run.
    """
    newest_before = pl.col("snapshot_date") < day
    previous_before = pl.col("previous_snapshot_date") < day
    return accepted.filter(newest_before | previous_before.fill_null(False)).select(
        *OFFER_KEY,
        pl.when(newest_before)
        .then(pl.col("price_per_hour_usd"))
        .otherwise(pl.col("previous_price_per_hour_usd"))
        .alias("price_per_hour_usd"),
        pl.when(newest_before)
        .then(pl.col("snapshot_date"))
        .otherwise(pl.col("previous_snapshot_date"))
        .alias("snapshot_date"),
    )


def update_accepted(accepted: pl.DataFrame, rows: pl.DataFrame, day) -> pl.DataFrame:
    """core.gpu_prices_accepted rows of one source after its snapshot of `day` (`rows`, held_reason set) landed.

    An accepted row of `day` becomes the newest accepted price (the older one moves to previous); a
    price accepted for `day` by an earlier run but held (or gone) now falls back to the one before it;
    a snapshot older than the newest accepted one changes nothing.
    """
    schema = {c: accepted.schema[c] for c in ACCEPTED_COLUMNS} if accepted.width else None
    new = rows.filter(pl.col("held_reason").is_null()).select(
        *OFFER_KEY, pl.col("price_per_hour_usd").alias("_new_price"), pl.lit(day).alias("_new_date")
    )
    merged = accepted.select(ACCEPTED_COLUMNS).join(new, on=OFFER_KEY, how="full", nulls_equal=True, coalesce=True)
    old_date = pl.col("snapshot_date")
    has_new = pl.col("_new_price").is_not_null()
    advance = has_new & (old_date.is_null() | (old_date < day))
    rerun = has_new & (old_date == day)
    revert = ~has_new & (old_date == day)
    result = merged.with_columns(
        pl.when(advance)
        .then(pl.col("price_per_hour_usd"))
        .when(revert)
        .then(None)
        .otherwise(pl.col("previous_price_per_hour_usd"))
        .alias("previous_price_per_hour_usd"),
        pl.when(advance)
        .then(pl.col("snapshot_date"))
        .when(revert)
        .then(None)
        .otherwise(pl.col("previous_snapshot_date"))
        .alias("previous_snapshot_date"),
        pl.when(advance | rerun)
        .then(pl.col("_new_price"))
        .when(revert)
        .then(pl.col("previous_price_per_hour_usd"))
        .otherwise(pl.col("price_per_hour_usd"))
        .alias("price_per_hour_usd"),
        pl.when(advance | rerun)
        .then(pl.col("_new_date"))
        .when(revert)
        .then(pl.col("previous_snapshot_date"))
        .otherwise(pl.col("snapshot_date"))
        .alias("snapshot_date"),
    ).filter(pl.col("price_per_hour_usd").is_not_null())
    out = result.select(ACCEPTED_COLUMNS)
    return out.cast(schema) if schema else out

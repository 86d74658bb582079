"""The checks on core/gpu_prices, computed from today's state (core.gpu_prices_current) in one pass. Pure polars."""

from __future__ import annotations

import polars as pl

from assets.checks import CheckOutcome, CheckSpec
from assets.prices.quality import BAND_FACTOR, confirmed

POSITIVE = CheckSpec(
    "gpu_prices_positive", "Every price is positive and per-GPU prices follow from per-instance prices.", blocking=True
)
UNIQUE = CheckSpec(
    "gpu_prices_unique",
    "One row per (source, provider, region, instance_type, pricing, commitment_term) in each snapshot.",
    blocking=True,
)
UNKNOWN_GPUS = CheckSpec(
    "gpu_prices_unknown_gpus",
    "GPU names no alias maps to a canonical model: kept with gpu_model NULL, listed here so the alias table can grow.",
    warn=True,
)
PLAUSIBLE = CheckSpec(
    "gpu_prices_plausible",
    f"No price in the marts is implausible: each is within {BAND_FACTOR:g}x of its GPU model's median over current "
    "offers (implausible rows are held out; this guards that none slips through).",
    blocking=True,
)
UNITS = CheckSpec(
    "gpu_prices_units",
    "Units and kinds are consistent: USD only, known pricing and basis, $/GPU-hour = $/hour / GPU count, a term only "
    "on committed prices.",
    blocking=True,
)
HELD = CheckSpec(
    "gpu_prices_held",
    "Prices held out of the marts (implausible, or a >5x day-over-day jump), with the confirmation line that would "
    "release each.",
    warn=True,
)
SPECS = (POSITIVE, UNIQUE, UNKNOWN_GPUS, PLAUSIBLE, UNITS, HELD)

OFFER = ["source", "provider", "region", "instance_type", "pricing", "commitment_term", "snapshot_date"]


def price_checks(current: pl.DataFrame, bands: pl.DataFrame, confirmations: pl.DataFrame) -> list[CheckOutcome]:
    """Every check of core/gpu_prices from today's rows (`current`, with `preferred`) and the bands held against."""
    bad = current.filter(
        ~(pl.col("price_per_hour_usd") > 0) | ~(pl.col("price_per_gpu_hour_usd") > 0) | ~(pl.col("gpu_count") > 0)
    )
    dupes = current.filter(pl.struct(OFFER).is_duplicated())
    unknown = (
        current.filter(pl.col("gpu_model").is_null())
        .group_by("source", "provider", "gpu_name_raw")
        .agg(pl.len().alias("rows"), pl.col("instance_type").first().alias("example_instance"))
        .sort("rows", "source", "gpu_name_raw", descending=[True, False, False])
    )
    marts = current.filter(pl.col("preferred"))
    out_of_band = marts.join(bands, on="gpu_model", how="inner").filter(
        ~pl.col("price_per_gpu_hour_usd").is_between(
            pl.col("band_low_usd_per_gpu_hour"), pl.col("band_high_usd_per_gpu_hour")
        )
    )
    leaked = out_of_band.filter(~confirmed(out_of_band, confirmations))
    unit_problems = {
        "currency is not USD": pl.col("currency") != "USD",
        "unknown pricing kind": ~pl.col("pricing").is_in(["on_demand", "spot", "committed"]),
        "unknown price basis": ~pl.col("price_basis").is_in(["instance", "gpu_only"]),
        "per-GPU price does not follow from the instance price": (
            (pl.col("price_per_gpu_hour_usd") * pl.col("gpu_count") - pl.col("price_per_hour_usd")).abs()
            > 1e-6 * pl.col("price_per_hour_usd")
        ),
        "commitment term without committed pricing, or the reverse": (pl.col("pricing") == "committed")
        != pl.col("commitment_term").is_not_null(),
    }
    unit_counts = {name: current.filter(expr.fill_null(True)).height for name, expr in unit_problems.items()}
    held = current.filter(pl.col("held_reason").is_not_null()).select(
        "source", "provider", "region", "instance_type", "gpu_model", "pricing", "price_per_gpu_hour_usd", "held_reason"
    )
    where = ["source", "provider", "region", "instance_type", "gpu_model", "price_per_gpu_hour_usd"]
    return [
        POSITIVE.outcome(
            bad.is_empty(), f"{bad.height} row(s) with a price or GPU count <= 0", bad, bad_rows=bad.height
        ),
        UNIQUE.outcome(
            dupes.is_empty(), f"{dupes.height} duplicate offer row(s)", dupes.select(OFFER), duplicate_rows=dupes.height
        ),
        UNKNOWN_GPUS.outcome(
            unknown.is_empty(),
            f"{unknown.height} GPU name(s) in {int(unknown['rows'].sum())} row(s) have no alias",
            unknown,
            unknown_names=unknown.height,
            unknown_rows=int(unknown["rows"].sum()),
        ),
        PLAUSIBLE.outcome(
            leaked.is_empty(),
            f"{leaked.height} implausible price(s) reached the marts",
            leaked.select(where),
            implausible_rows_in_marts=leaked.height,
        ),
        UNITS.outcome(
            not any(unit_counts.values()),
            "; ".join(f"{name}: {n} row(s)" for name, n in unit_counts.items() if n),
            **unit_counts,
        ),
        HELD.outcome(held.is_empty(), f"{held.height} price(s) held out of the marts", held, held_rows=held.height),
    ]

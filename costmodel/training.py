"""Training cost: FLOPs -> GPU-hours -> dollars.

FLOPs = 6 x N_active x D (Kaplan et al. 2020: forward + backward ~ 6 FLOPs per parameter per token).
GPU-hours = FLOPs / (dense peak x MFU x 3600). Cost = GPU-hours x $/GPU-hour.
The helpers work on plain floats and on polars expressions alike.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from costmodel.hardware import peak_tflops

DEFAULT_MFU = 0.40  # central model-FLOPs utilization (Megatron-LM 44-52% step MFU; 30-40% end to end at scale)
SECONDS_PER_HOUR = 3600.0


def training_flops(params_active, tokens):
    """Total training compute in FLOPs."""
    return 6 * params_active * tokens


def gpu_hours(flops, peak_tflops_dense, mfu):
    """GPU-hours to deliver `flops` at `mfu` of a dense peak given in TFLOP/s."""
    return flops / (peak_tflops_dense * 1e12 * mfu * SECONDS_PER_HOUR)


def cheapest_prices(prices: pl.DataFrame, pricing: str = "on_demand") -> pl.DataFrame:
    """The cheapest whole-instance offer per GPU model (GPU-only prices leave out the host, so they don't compete)."""
    return (
        prices.filter(pl.col("gpu_model").is_not_null() & (pl.col("pricing") == pricing) & (pl.col("price_basis") == "instance"))
        .sort("price_per_gpu_hour_usd", "provider", "region", "instance_type", nulls_last=True)
        .unique("gpu_model", keep="first", maintain_order=True)
        .select(
            "gpu_model", "pricing", "price_per_gpu_hour_usd",
            pl.col("provider").alias("price_provider"), pl.col("region").alias("price_region"),
            pl.col("instance_type").alias("price_instance_type"), pl.col("source").alias("price_source"),
            pl.col("snapshot_date").alias("price_snapshot_date"), pl.col("origin").alias("price_origin"),
        )
    )


def training_costs(
    models: pl.DataFrame,
    specs: pl.DataFrame,
    prices: pl.DataFrame,
    *,
    mfu: float = DEFAULT_MFU,
    pricing: str = "on_demand",
    computed_at: dt.datetime,
) -> pl.DataFrame:
    """Cost of one training run of every model on every GPU model that has both a price and a dense peak."""
    if not 0 < mfu <= 1:
        raise ValueError(f"mfu must be in (0, 1], got {mfu}")
    per_gpu = cheapest_prices(prices, pricing).join(peak_tflops(specs), on="gpu_model", how="inner")
    runs = models.filter(pl.col("training_tokens").is_not_null()).select("model", "params_active", "training_tokens")
    return (
        runs.join(per_gpu, how="cross")
        .with_columns(
            training_flops(pl.col("params_active"), pl.col("training_tokens")).alias("training_flops"),
            pl.lit(mfu).alias("mfu"),
        )
        .with_columns(gpu_hours(pl.col("training_flops"), pl.col("peak_tflops_dense"), pl.col("mfu")).alias("gpu_hours"))
        .with_columns(
            (pl.col("gpu_hours") * pl.col("price_per_gpu_hour_usd")).alias("cloud_cost_usd"),
            pl.lit(computed_at).alias("computed_at"),
        )
        .sort("model", "cloud_cost_usd")
    )

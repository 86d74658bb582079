"""How well the training model predicts published runs: predicted vs published hardware-hours.

For each run with published hardware-hours (assets/reference/data/training_runs.csv) the
model predicts GPU-hours from 6 x N_active x D on the run's own hardware at the central MFU
and the band, and reports the MFU the run must have reached (the implied MFU). A run whose
published hours fall inside the band is one the default band explains.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from costmodel.hardware import gpu_table
from costmodel.training import DEFAULT_MFU, gpu_hours, implied_mfu, mfu_band, training_flops


def model_validation(
    models: pl.DataFrame,
    runs: pl.DataFrame,
    specs: pl.DataFrame,
    *,
    mfu: float = DEFAULT_MFU,
    mfu_low: float | None = None,
    mfu_high: float | None = None,
    computed_at: dt.datetime,
) -> pl.DataFrame:
    low, central, high = mfu_band(mfu, mfu_low, mfu_high)
    flops = training_flops(pl.col("params_active"), pl.col("training_tokens"))
    return (
        runs.rename({"source": "published_source", "notes": "published_notes"})
        .join(models.select("model", "params_active", "training_tokens"), on="model", how="left")
        .join(gpu_table(specs).select("gpu_model", "peak_tflops_dense", "peak_precision"), on="gpu_model", how="left")
        .with_columns(
            flops.alias("training_flops"),
            pl.lit(central).alias("mfu"),
            pl.lit(low).alias("mfu_low"),
            pl.lit(high).alias("mfu_high"),
        )
        .with_columns(
            gpu_hours(pl.col("training_flops"), pl.col("peak_tflops_dense"), pl.col("mfu")).alias(
                "predicted_gpu_hours"
            ),
            gpu_hours(pl.col("training_flops"), pl.col("peak_tflops_dense"), pl.col("mfu_high")).alias(
                "predicted_gpu_hours_low"
            ),
            gpu_hours(pl.col("training_flops"), pl.col("peak_tflops_dense"), pl.col("mfu_low")).alias(
                "predicted_gpu_hours_high"
            ),
            implied_mfu(pl.col("training_flops"), pl.col("hardware_hours"), pl.col("peak_tflops_dense")).alias(
                "implied_mfu"
            ),
        )
        .with_columns(
            (pl.col("predicted_gpu_hours") / pl.col("hardware_hours")).alias("predicted_to_published_ratio"),
            pl.col("hardware_hours")
            .is_between(pl.col("predicted_gpu_hours_low"), pl.col("predicted_gpu_hours_high"))
            .alias("published_within_band"),
            (pl.col("predicted_gpu_hours") * pl.col("published_price_per_gpu_hour_usd")).alias(
                "predicted_cost_at_published_price_usd"
            ),
            pl.lit(computed_at).alias("computed_at"),
        )
        .select(MODEL_VALIDATION_COLUMNS)
        .sort("model", "scope")
    )


MODEL_VALIDATION_COLUMNS = [
    "model",
    "scope",
    "gpu_model",
    "params_active",
    "training_tokens",
    "training_flops",
    "peak_tflops_dense",
    "peak_precision",
    "hardware_hours",
    "gpus",
    "wall_clock_days",
    "published_cost_usd",
    "published_price_per_gpu_hour_usd",
    "published_source",
    "published_notes",
    "mfu",
    "mfu_low",
    "mfu_high",
    "predicted_gpu_hours",
    "predicted_gpu_hours_low",
    "predicted_gpu_hours_high",
    "predicted_to_published_ratio",
    "published_within_band",
    "implied_mfu",
    "predicted_cost_at_published_price_usd",
    "computed_at",
]

"""How well the training model predicts published runs: predicted vs published hardware-hours.

For each run with published hardware-hours (assets/reference/data/training_runs.csv) the model predicts GPU-hours
from 6 x N_active x D plus attention FLOPs on the run's own hardware, at the peak of the run's precision (FP8 for
DeepSeek-V3), at the default end-to-end utilization and its band; it reports the utilization the run implies and the
old 6ND-only MFU beside it. The default is fitted on these same runs (costmodel.utilization: median and p10-p90), so
the figures are in-sample: they say how widely real runs spread around one constant, not an out-of-sample error.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from costmodel.training import gpu_hours, utilization_band
from costmodel.utilization import fit_runs, implied_utilization, precision_family


def model_validation(
    models: pl.DataFrame,
    runs: pl.DataFrame,
    specs: pl.DataFrame,
    *,
    architectures: pl.DataFrame | None = None,
    mfu: float | None = None,
    mfu_low: float | None = None,
    mfu_high: float | None = None,
    computed_at: dt.datetime,
) -> pl.DataFrame:
    implied = implied_utilization(runs, models, specs, architectures)
    fitted = fit_runs(implied).select("model", "scope").with_columns(pl.lit(True).alias("in_utilization_fit"))
    bands = {}
    for family in ("16-bit", "fp8"):
        precision = "fp8" if family == "fp8" else "bf16"
        bands[family] = utilization_band(
            runs, models, specs, architectures, precision=precision, mfu=mfu, mfu_low=mfu_low, mfu_high=mfu_high
        )
    band = pl.col("precision_family")

    def pick(i: int) -> pl.Expr:
        return pl.when(band == "fp8").then(pl.lit(bands["fp8"][0][i])).otherwise(pl.lit(bands["16-bit"][0][i]))

    total = pl.col("training_flops") + pl.col("flops_attention")
    peak = pl.col("utilization_peak_tflops")
    return (
        implied.rename({"source": "published_source", "notes": "published_notes"})
        .join(fitted, on=["model", "scope"], how="left")
        .with_columns(
            pl.col("in_utilization_fit").fill_null(False),
            pick(1).alias("mfu"),
            pick(0).alias("mfu_low"),
            pick(2).alias("mfu_high"),
            pl.when(band == "fp8")
            .then(pl.lit(bands["fp8"][1]))
            .otherwise(pl.lit(bands["16-bit"][1]))
            .alias("utilization_basis"),
            peak.alias("peak_tflops_dense"),
            pl.when(band == "fp8").then(pl.lit("fp8")).otherwise(pl.lit("bf16")).alias("peak_precision"),
            total.alias("training_flops_total"),
        )
        .with_columns(
            gpu_hours(total, peak, pl.col("mfu")).alias("predicted_gpu_hours"),
            gpu_hours(total, peak, pl.col("mfu_high")).alias("predicted_gpu_hours_low"),
            gpu_hours(total, peak, pl.col("mfu_low")).alias("predicted_gpu_hours_high"),
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


def validation_summary(validation: pl.DataFrame) -> dict:
    """Median and worst predicted/published ratio over the fitted runs (worst: farthest from 1 either way)."""
    rows = validation.filter(pl.col("in_utilization_fit") & pl.col("predicted_to_published_ratio").is_not_null())
    if rows.is_empty():
        return {}
    ratio = rows["predicted_to_published_ratio"]
    worst = rows.with_columns(
        pl.max_horizontal(pl.col("predicted_to_published_ratio"), 1 / pl.col("predicted_to_published_ratio")).alias(
            "_off"
        )
    ).sort("_off", descending=True)
    w = worst.row(0, named=True)
    return {
        "runs": rows.height,
        "median_ratio": float(ratio.median()),
        "worst_ratio": float(w["predicted_to_published_ratio"]),
        "worst_model": w["model"],
        "within_band": int(rows["published_within_band"].sum()),
    }


__all__ = ["MODEL_VALIDATION_COLUMNS", "model_validation", "precision_family", "validation_summary"]

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
    # issue 10
    "precision",
    "precision_family",
    "flops_attention",
    "attention_basis",
    "training_flops_total",
    "implied_utilization",
    "utilization_basis",
    "in_utilization_fit",
]

"""What the cost model needs from a GPU's specs."""

from __future__ import annotations

import polars as pl


def peak_tflops(specs: pl.DataFrame) -> pl.DataFrame:
    """Dense tensor peak per GPU model: BF16, or FP16 where the chip has no BF16 (V100, T4).

    Sparsity figures never enter: the specs file holds dense numbers only.
    """
    return specs.select(
        "gpu_model",
        pl.coalesce("tflops_bf16_dense", "tflops_fp16_dense").alias("peak_tflops_dense"),
        pl.when(pl.col("tflops_bf16_dense").is_not_null())
        .then(pl.lit("bf16"))
        .when(pl.col("tflops_fp16_dense").is_not_null())
        .then(pl.lit("fp16"))
        .alias("peak_precision"),
    ).filter(pl.col("peak_tflops_dense").is_not_null())


def gpu_table(specs: pl.DataFrame) -> pl.DataFrame:
    """Per costable GPU model: dense peak and precision, memory, bandwidth and TDP (NULL where unpublished)."""
    return peak_tflops(specs).join(
        specs.select("gpu_model", "memory_gb", "memory_bandwidth_tbps", "tdp_w"), on="gpu_model", how="left"
    )


def gpu_row(specs: pl.DataFrame, gpu_model: str) -> dict | None:
    """One GPU model's specs as a dict (None when it has no dense peak to cost with)."""
    found = gpu_table(specs).filter(pl.col("gpu_model") == gpu_model)
    return found.row(0, named=True) if found.height else None

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
        pl.when(pl.col("tflops_bf16_dense").is_not_null()).then(pl.lit("bf16"))
        .when(pl.col("tflops_fp16_dense").is_not_null()).then(pl.lit("fp16"))
        .alias("peak_precision"),
    ).filter(pl.col("peak_tflops_dense").is_not_null())

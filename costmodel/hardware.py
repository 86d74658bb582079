"""What the cost model needs from a GPU's specs: dense peaks at each precision, memory, bandwidth, power."""

from __future__ import annotations

import polars as pl

PRECISIONS = ("bf16", "fp16", "fp8", "int8", "fp4")
# Bytes per weight or KV element. FP4 is NVFP4: 4-bit values plus one FP8 scale per block of 16 (0.5 + 1/16 bytes;
# MXFP4 has one 8-bit scale per 32, 0.53). FP8 and INT8 carry per-tensor or per-128-block scales: negligible.
BYTES_PER_ELEMENT = {"bf16": 2.0, "fp16": 2.0, "fp8": 1.0, "int8": 1.0, "fp4": 0.5625}
SERVING_PEAK = {"bf16": "bf16", "fp16": "bf16", "fp8": "fp8", "int8": "int8", "fp4": "fp4"}
# Which dense peak a precision's math runs at, best first. A chip without the path runs the math at the next one
# (weight-only quantization: FP8 or FP4 weights are dequantized into 16-bit tensor-core math on an A100).
_PEAK_COLUMNS = {
    "bf16": ("tflops_bf16_dense", "tflops_fp16_dense"),
    "fp16": ("tflops_fp16_dense", "tflops_bf16_dense"),
    "fp8": ("tflops_fp8_dense", "tflops_bf16_dense", "tflops_fp16_dense"),
    "int8": ("tops_int8_dense", "tflops_fp8_dense", "tflops_bf16_dense", "tflops_fp16_dense"),
    "fp4": ("tflops_fp4_dense", "tflops_fp8_dense", "tflops_bf16_dense", "tflops_fp16_dense"),
}
_COLUMN_PRECISION = {
    "tflops_bf16_dense": "bf16",
    "tflops_fp16_dense": "fp16",
    "tflops_fp8_dense": "fp8",
    "tflops_fp4_dense": "fp4",
    "tops_int8_dense": "int8",
}


def _check(precision: str) -> None:
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}, got {precision!r}")


def peak_tflops(specs: pl.DataFrame) -> pl.DataFrame:
    """Dense tensor peak per GPU model: BF16, or FP16 where the chip has no BF16 (V100, T4).

    Sparsity figures never enter: the specs file holds dense numbers only.
    """
    return peaks_at(specs, "bf16")


def peaks_at(specs: pl.DataFrame, precision: str, *, strict: bool = False) -> pl.DataFrame:
    """Dense peak per GPU model for math at `precision` (peak_tflops_dense, and peak_precision: the path it runs on).

    strict: only the precision's own path (an A100 has no FP8 peak, so no row); else the next path down.
    """
    _check(precision)
    wanted = _PEAK_COLUMNS[precision]
    if strict:  # 16-bit math may run on either 16-bit path; FP8 and FP4 only on their own
        wanted = wanted[:2] if precision in ("bf16", "fp16") else wanted[:1]
    columns = [c for c in wanted if c in specs.columns]
    if not columns:
        return pl.DataFrame(
            schema={"gpu_model": pl.String, "peak_tflops_dense": pl.Float64, "peak_precision": pl.String}
        )
    which = pl.when(pl.col(columns[0]).is_not_null()).then(pl.lit(_COLUMN_PRECISION[columns[0]]))
    for c in columns[1:]:
        which = which.when(pl.col(c).is_not_null()).then(pl.lit(_COLUMN_PRECISION[c]))
    return specs.select(
        "gpu_model",
        pl.coalesce(columns).alias("peak_tflops_dense"),
        which.alias("peak_precision"),
    ).filter(pl.col("peak_tflops_dense").is_not_null())


SPEC_COLUMNS = (
    "memory_gb",
    "memory_bandwidth_tbps",
    "tdp_w",
    "vendor",
    "server_power_w_per_gpu",
    "server_power_kind",
    "server_power_source",
    "form_factor",
    "intra_node_link",
    "intra_node_bandwidth_gb_per_s",
    "release_date",
)


def gpu_table(specs: pl.DataFrame, precision: str = "bf16", *, strict: bool = False) -> pl.DataFrame:
    """Per costable GPU model: dense peak at a precision and which path it runs on, memory, bandwidth, TDP, server
    power, link and release date (NULL where unpublished or absent from the frame)."""
    extra = [pl.col(c) if c in specs.columns else pl.lit(None).alias(c) for c in SPEC_COLUMNS]
    return peaks_at(specs, precision, strict=strict).join(specs.select("gpu_model", *extra), on="gpu_model", how="left")


def gpu_row(specs: pl.DataFrame, gpu_model: str, precision: str = "bf16", *, strict: bool = False) -> dict | None:
    """One GPU model's specs as a dict (None when it has no dense peak at that precision to cost with)."""
    found = gpu_table(specs, precision, strict=strict).filter(pl.col("gpu_model") == gpu_model)
    return found.row(0, named=True) if found.height else None

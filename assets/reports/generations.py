"""GPU generations, and what a PFLOP-hour of dense peak costs in each, day by day.

The reference specs carry no architecture column, so a generation is read from the canonical GPU name (the
alias table's names: H100-SXM, A100-80GB, TPU-v5e, ...). A name no pattern knows lands in "other" rather
than being dropped, so a new chip shows up on the chart before anyone maps it.
"""

from __future__ import annotations

import polars as pl

from costmodel.hardware import peak_tflops

# (pattern on the canonical name, generation with its first year): first match wins.
GENERATIONS: tuple[tuple[str, str], ...] = (
    (r"^P100", "NVIDIA Pascal (2016)"),
    (r"^V100", "NVIDIA Volta (2017)"),
    (r"^(T4|RTX6000)$", "NVIDIA Turing (2018)"),
    (r"^(A\d|RTX-A)", "NVIDIA Ampere (2020)"),
    (r"^(L4|L40|RTX4090)", "NVIDIA Ada Lovelace (2022)"),
    (r"^G?H\d", "NVIDIA Hopper (2022)"),
    (r"^(G?B\d|RTX5090|RTX-PRO)", "NVIDIA Blackwell (2024)"),
    (r"^MI3[02]", "AMD CDNA 3 (2023)"),
    (r"^MI35", "AMD CDNA 4 (2025)"),
    (r"^TPU-v3", "Google TPU v3 (2018)"),
    (r"^TPU-v4", "Google TPU v4 (2021)"),
    (r"^TPU-v5", "Google TPU v5e/v5p (2023)"),
    (r"^TPU-v6", "Google TPU v6e (2024)"),
)
OTHER = "other (generation not mapped)"


def generation(gpu_model: str = "gpu_model") -> pl.Expr:
    """The generation of each canonical GPU name, by the first pattern of GENERATIONS it matches."""
    expr = pl.when(pl.col(gpu_model).str.contains(GENERATIONS[0][0])).then(pl.lit(GENERATIONS[0][1]))
    for pattern, name in GENERATIONS[1:]:
        expr = expr.when(pl.col(gpu_model).str.contains(pattern)).then(pl.lit(name))
    return expr.otherwise(pl.lit(OTHER))


def pflop_hour_by_generation(daily: pl.DataFrame, specs: pl.DataFrame) -> pl.DataFrame:
    """Per market day, pricing and generation: the cheapest $ per PFLOP-hour of dense peak (BF16, or FP16 where a
    chip has none) over the generation's GPU models, and which model and provider gave it.

    `daily` holds marts.gpu_prices_daily rows; a GPU model without a dense peak in `specs` cannot be compared on
    work done and is left out.
    """
    return (
        daily.join(peak_tflops(specs), on="gpu_model", how="inner")
        .filter(pl.col("peak_tflops_dense") > 0)
        .with_columns(
            (pl.col("cheapest_price_per_gpu_hour_usd") / (pl.col("peak_tflops_dense") / 1000)).alias(
                "usd_per_pflop_hour"
            ),
            generation().alias("generation"),
        )
        .sort("usd_per_pflop_hour")
        .group_by("snapshot_date", "pricing", "generation", maintain_order=True)
        .agg(
            pl.col("usd_per_pflop_hour").first(),
            pl.col("gpu_model").first(),
            pl.col("cheapest_price_per_gpu_hour_usd").first().alias("price_per_gpu_hour_usd"),
            pl.col("peak_tflops_dense").first(),
            pl.col("cheapest_provider").first().alias("provider"),
        )
        .sort("generation", "pricing", "snapshot_date")
    )

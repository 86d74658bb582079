"""Canonical GPU names and per-GPU prices, shared by every price source.

One alias table maps every name a provider uses to one canonical chip variant.
An alias may be narrowed to a provider and an instance-type pattern (Lambda's
"H100" is PCIe on gpu_1x_h100_pcie and SXM on gpu_8x_h100_sxm5); the most
specific match wins. Unknown names keep gpu_model NULL and are never dropped.
"""

from __future__ import annotations

import polars as pl

from assets.prices.offers import as_offers, to_usd
from costmodel.hardware import peak_tflops


def canonicalize(offers: pl.DataFrame, aliases: pl.DataFrame) -> pl.DataFrame:
    """Add gpu_model (NULL when unknown), apply alias GPU-count corrections, keep every input row."""
    keyed = offers.with_row_index("_row").with_columns(pl.col("gpu_name_raw").str.to_lowercase().alias("_alias"))
    candidates = (
        keyed.select("_row", "_alias", "provider", "instance_type")
        .join(
            aliases.with_columns(pl.col("alias").str.to_lowercase().alias("_alias")),
            on="_alias",
            how="inner",
            suffix="_alias",
        )
        .filter(
            (pl.col("provider_alias").is_null() | (pl.col("provider_alias") == pl.col("provider")))
            & (pl.col("instance_pattern").is_null() | pl.col("instance_type").str.contains(pl.col("instance_pattern")))
        )
        .with_columns(
            (
                pl.col("provider_alias").is_not_null().cast(pl.Int8) * 2
                + pl.col("instance_pattern").is_not_null().cast(pl.Int8)
            ).alias("_specificity")
        )
        .sort("_row", "_specificity", descending=[False, True])
        .unique("_row", keep="first")
        .select("_row", "gpu_model", pl.col("gpu_count").alias("_count_fix"))
    )
    return (
        keyed.join(candidates, on="_row", how="left")
        .with_columns(pl.coalesce("_count_fix", "gpu_count").alias("gpu_count"))
        .drop("_row", "_alias", "_count_fix")
    )


def price_rows(
    offers: pl.DataFrame, aliases: pl.DataFrame, specs: pl.DataFrame, fx: pl.DataFrame | None = None
) -> pl.DataFrame:
    """Offers -> core.gpu_prices rows: canonical name, $/GPU-hour, and $/PFLOP-hour of dense peak.

    Rows priced in another currency are converted with `fx` (offers.to_usd: the stored ECB rates, the
    rate kept beside the row); a row still without a USD price (no fx given, or no rate for its
    currency) is left out: core.gpu_prices holds USD prices only, and its raw row stays in raw.
    """
    offers = to_usd(offers, fx) if fx is not None else as_offers(offers)
    return (
        canonicalize(offers.filter(pl.col("price_per_hour_usd").is_not_null()), aliases)
        .with_columns((pl.col("price_per_hour_usd") / pl.col("gpu_count")).alias("price_per_gpu_hour_usd"))
        .join(peak_tflops(specs), on="gpu_model", how="left")
        .with_columns(
            (pl.col("price_per_gpu_hour_usd") / (pl.col("peak_tflops_dense") / 1000)).alias("price_per_pflop_hour_usd")
        )
        .drop("peak_tflops_dense", "peak_precision")
    )

"""The canonical offer shape a price source's `normalize` returns, and small helpers to reach it.

Every source returns the contract columns of core.gpu_prices (OFFER_SCHEMA). A few
sources know more: a committed-use price has a term, a marketplace has a price
distribution instead of one list price. Those go in OPTIONAL_SCHEMA columns, NULL
for every source that does not have them, so all sources' rows keep one shape.
"""

from __future__ import annotations

import re

import polars as pl

OFFER_SCHEMA: dict[str, pl.DataType] = {
    "source": pl.String,
    "provider": pl.String,
    "region": pl.String,
    "instance_type": pl.String,
    "gpu_name_raw": pl.String,
    "gpu_count": pl.Float64,
    "pricing": pl.String,
    "price_basis": pl.String,
    "price_per_hour_usd": pl.Float64,
    "currency": pl.String,
    "snapshot_date": pl.Date,
    "fetched_at": pl.Datetime("us"),
    "origin": pl.String,
}

OPTIONAL_SCHEMA: dict[str, pl.DataType] = {
    "commitment_term": pl.String,  # '1y' / '3y' when pricing = 'committed'
    "offer_count": pl.Int64,  # marketplace offers behind the row
    "price_min_per_gpu_hour_usd": pl.Float64,
    "price_p10_per_gpu_hour_usd": pl.Float64,
    "price_median_per_gpu_hour_usd": pl.Float64,
}


def as_offers(frame: pl.DataFrame) -> pl.DataFrame:
    """The contract columns in order and typed, then the optional ones (NULL where the source has none).

    Every source's rows then share one column order, so they concatenate and insert alike.
    """
    return frame.select(
        *[pl.col(c).cast(t) for c, t in OFFER_SCHEMA.items()],
        *[(pl.col(c) if c in frame.columns else pl.lit(None)).cast(t).alias(c) for c, t in OPTIONAL_SCHEMA.items()],
    )


# TPU slice names count TensorCores (2 per chip) on v2/v3/v4/v5p, chips on v5e (v5litepod) and v6e.
TPU_CORES_PER_CHIP = {"v2": 2, "v3": 2, "v4": 2, "v5p": 2, "v5litepod": 1, "v6e": 1}


def tpu_slice_chips(slice_name: pl.Expr) -> pl.Expr:
    """A TPU slice's chips from its name ('v4-8' or 'tpu-v4-8': 4 chips). A family not in the table counts
    its suffix as chips; its model is unknown to the alias table, so it is kept, listed, and never costed."""
    name = slice_name.str.replace(r"^tpu-", "")
    family, size = name.str.extract(r"^([a-z0-9]+)-\d+$"), name.str.extract(r"-(\d+)$").cast(pl.Float64)
    return size / family.replace_strict(TPU_CORES_PER_CHIP, default=1, return_dtype=pl.Float64)


_USD = re.compile(r"\$\s*([0-9][0-9,]*(?:\.[0-9]+)?)")


def usd_amount(text: str | None) -> float | None:
    """The first dollar amount in a page's text ('$3.99', 'US$0.35 per GPU'); None when there is none ('N/A', '—')."""
    match = _USD.search(text or "")
    return float(match.group(1).replace(",", "")) if match else None


def clean_text(text: str | None) -> str:
    """Collapse a cell's whitespace (pages break lines and pad with non-breaking spaces)."""
    return re.sub(r"\s+", " ", (text or "").replace("\xa0", " ")).strip()

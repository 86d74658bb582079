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
    # stock as the source says it (RunPod stockStatus High/Medium/Low, CloudRift free nodes): NULL = not given
    "availability": pl.String,
    # a price the source gives in another currency (Scaleway EUR): the price as published and its currency;
    # price_per_hour_usd is then NULL until to_usd converts it with the stored rate (kept beside the row)
    "price_per_hour_local": pl.Float64,
    "local_currency": pl.String,
    "fx_rate": pl.Float64,  # USD per unit of local_currency
    "fx_date": pl.Date,
    "fx_source": pl.String,
    # the machine around the GPUs, where the source says: vCPUs and host RAM (GiB) per instance
    "vcpus": pl.Float64,
    "memory_gib": pl.Float64,
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


def gib(text: pl.Expr) -> pl.Expr:
    """A memory size written as text ('1,152 GiB', '1800 GiB') as a number of GiB; NULL when there is none."""
    return text.str.replace_all(",", "").str.extract(r"([0-9]+(?:\.[0-9]+)?)").cast(pl.Float64)


_USD = re.compile(r"\$\s*([0-9][0-9,]*(?:\.[0-9]+)?)")


def usd_amount(text: str | None) -> float | None:
    """The first dollar amount in a page's text ('$3.99', 'US$0.35 per GPU'); None when there is none ('N/A', '—')."""
    match = _USD.search(text or "")
    return float(match.group(1).replace(",", "")) if match else None


def clean_text(text: str | None) -> str:
    """Collapse a cell's whitespace (pages break lines and pad with non-breaking spaces)."""
    return re.sub(r"\s+", " ", (text or "").replace("\xa0", " ")).strip()


# --- placeholders: a price that is not an offer ---------------------------------------------------

OFFER_KEY = ("provider", "region", "instance_type", "gpu_count")


def split_placeholders(offers: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(offers, placeholders): a spot price at or above the on-demand price of the same offer is a placeholder.

    Sources repeat the on-demand price in their spot field when they have no interruptible price
    (RunPod's secureSpotPrice, SkyPilot's runpod and mithril catalogs). Such a row is never an offer: it
    is dropped here and counted (the ingest asset reports the count, see Source.placeholders).
    """
    key = [c for c in OFFER_KEY if c in offers.columns]
    on_demand = (
        offers.filter(pl.col("pricing") == "on_demand")
        .group_by(key)
        .agg(pl.col("price_per_hour_usd").min().alias("_on_demand"))
    )
    marked = offers.join(on_demand, on=key, how="left", nulls_equal=True).with_columns(
        (
            (pl.col("pricing") == "spot")
            & pl.col("_on_demand").is_not_null()
            & (pl.col("price_per_hour_usd") >= pl.col("_on_demand") - 1e-9)
        ).alias("_placeholder")
    )
    kept = marked.filter(~pl.col("_placeholder")).drop("_on_demand", "_placeholder")
    dropped = marked.filter(pl.col("_placeholder")).drop("_on_demand", "_placeholder")
    return kept, dropped


def drop_placeholders(offers: pl.DataFrame) -> pl.DataFrame:
    return split_placeholders(offers)[0]


def count_placeholders(offers: pl.DataFrame) -> int:
    return split_placeholders(offers)[1].height


def cheapest(offers: pl.DataFrame, by: list[str], price: str = "price_per_hour_usd") -> pl.DataFrame:
    """One row per `by` key at its lowest price (zones of a region, duplicate catalog lines), the other columns
    of that cheapest row kept."""
    return offers.sort(price, nulls_last=True).unique(by, keep="first", maintain_order=True)


# --- money in another currency -----------------------------------------------------------------------

FX_SCHEMA = {"currency": pl.String, "usd_per_unit": pl.Float64, "fx_date": pl.Date, "fx_source": pl.String}


def to_usd(offers: pl.DataFrame, fx: pl.DataFrame) -> pl.DataFrame:
    """Fill price_per_hour_usd of rows priced in another currency from the stored exchange rate, the rate beside it.

    `fx` has FX_SCHEMA (currency, usd_per_unit, fx_date, fx_source), one row per currency: the
    ECB rate core builds for tariffs (assets/energy/tariffs.py). A row with local_currency set gets
    price_per_hour_usd = price_per_hour_local x usd_per_unit, currency USD, and fx_rate / fx_date /
    fx_source; a currency without a rate keeps price_per_hour_usd NULL (it cannot be priced in USD
    and must not be guessed). USD rows pass unchanged.
    """
    offers = as_offers(offers)
    rates = (
        fx.select(pl.col(c).cast(t) for c, t in FX_SCHEMA.items())
        .sort("fx_date", descending=True, nulls_last=True)
        .unique("currency", keep="first")
        .rename({"currency": "local_currency", "usd_per_unit": "_rate", "fx_date": "_fx_date", "fx_source": "_fx_src"})
    )
    local = pl.col("local_currency").is_not_null() & (pl.col("local_currency") != "USD")
    converted = offers.join(rates, on="local_currency", how="left").with_columns(
        pl.when(local)
        .then(pl.col("price_per_hour_local") * pl.col("_rate"))
        .otherwise(pl.col("price_per_hour_usd"))
        .alias("price_per_hour_usd"),
        pl.when(local & pl.col("_rate").is_not_null())
        .then(pl.lit("USD"))
        .otherwise(pl.col("currency"))
        .alias("currency"),
        pl.when(local).then(pl.col("_rate")).otherwise(pl.col("fx_rate")).alias("fx_rate"),
        pl.when(local).then(pl.col("_fx_date")).otherwise(pl.col("fx_date")).alias("fx_date"),
        pl.when(local).then(pl.col("_fx_src")).otherwise(pl.col("fx_source")).alias("fx_source"),
    )
    return as_offers(converted)


# --- names and counts shared by several sources --------------------------------------------------------


def missing_fields(rows: list[dict], required: tuple[str, ...]) -> list[str]:
    """The required fields some row lacks (the "required columns missing" idiom of JSON sources)."""
    return [f for f in required if any(not isinstance(r, dict) or f not in r for r in rows)]

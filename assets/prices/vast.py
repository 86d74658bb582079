"""Vast.ai marketplace offers (POST https://console.vast.ai/api/v0/bundles/), kept as a price distribution.

Vast is a marketplace: thousands of hosts each set their own price, every minute.
One offer's price says little; the spread says a lot. So each day we store, per GPU
model (name plus memory) and pricing kind, how many offers there were and their
per-GPU price distribution: min, p10 and median USD per GPU-hour (per-GPU price =
`dph_total / num_gpus`, the whole offer's USD per hour over its GPUs).

Why the raw table holds the distribution, not the offers: a day is several thousand
offers, every day is kept, and nothing downstream needs one host's ask; the
distribution is what the marts compare, and it is what a re-run of the day replaces.

Two queries, one per rental type: `type: "on-demand"` (pricing on_demand) and
`type: "bid"` (interruptible: pricing spot). `gpu_ram` (MB per GPU) is snapped to
the nearest size a GPU is sold with ("A100 SXM4" comes as 40 GB and 80 GB), within 7 %.
In core.gpu_prices a Vast row is one GPU (gpu_count 1) priced at the median, with
offer_count and the distribution in their own columns. Request and fields:
vast.ai/developers/api; dstackai/gpuhunt src/gpuhunt/providers/vastai.py.
"""

from __future__ import annotations

import json

import polars as pl

from assets.errors import SourceError
from assets.http import HttpClient
from assets.prices.offers import as_offers
from assets.source import Snapshot, Source

NAME = "vast"
BASE_URLS = {"vast_api": "https://console.vast.ai/api/v0"}
BUNDLES_PATH = "/bundles/"
RENTAL_TYPES = {"on-demand": "on_demand", "bid": "spot"}  # Vast's `type` -> our pricing
OFFER_LIMIT = 10_000  # the whole marketplace in one answer (a few thousand offers)
REQUIRED = ("gpu_name", "num_gpus", "gpu_ram", "dph_total")
# Memory sizes GPUs are sold with, GB; a reported size snaps to the nearest one within 7 %.
KNOWN_GPU_MEMORY_GB = (4, 6, 8, 10, 11, 12, 16, 20, 24, 32, 40, 48, 64, 80, 94, 96, 128, 141, 180, 192, 256, 288)
SNAP_TOLERANCE = 0.07

RAW_SCHEMA = {
    "gpu_name": pl.String,  # Vast's name: "H100 SXM", "RTX 4090"
    "gpu_memory_gb": pl.Float64,  # snapped
    "pricing": pl.String,  # on_demand | spot
    "offer_count": pl.Int64,
    "gpu_count_total": pl.Int64,  # GPUs across those offers
    "price_min_per_gpu_hour_usd": pl.Float64,
    "price_p10_per_gpu_hour_usd": pl.Float64,
    "price_median_per_gpu_hour_usd": pl.Float64,
}


def query(rental_type: str) -> dict:
    """The search body: every rentable, unrented offer with a GPU, of one rental type."""
    return {
        "rentable": {"eq": True},
        "rented": {"eq": False},
        "num_gpus": {"gte": 1},
        "type": rental_type,
        "order": [["score", "desc"]],
        "limit": OFFER_LIMIT,
    }


def fetch(client: HttpClient, urls: dict[str, str]) -> dict[str, bytes]:
    return {kind: client.post_json(urls["vast_api"] + BUNDLES_PATH, query(kind)).content for kind in RENTAL_TYPES}


def snap_memory_gb(gpu_ram_mb: float) -> float:
    """Reported per-GPU memory (MB, as the driver reports it: 81559 for an 80 GB H100) -> the size it is sold with."""
    gb = gpu_ram_mb / 1024
    nearest = min(KNOWN_GPU_MEMORY_GB, key=lambda size: abs(size - gb))
    return float(nearest) if abs(nearest - gb) <= SNAP_TOLERANCE * nearest else float(round(gb))


def _offers(kind: str, body: bytes) -> pl.DataFrame:
    try:
        document = json.loads(body)
    except ValueError as exc:
        raise SourceError(NAME, f"bundles ({kind}): the response is not JSON ({exc})") from exc
    offers = document.get("offers") if isinstance(document, dict) else None
    if not isinstance(offers, list):
        raise SourceError(NAME, f"bundles ({kind}): the response has no 'offers' list")
    missing = [f for f in REQUIRED if any(not isinstance(o, dict) or f not in o for o in offers)]
    if missing:
        raise SourceError(NAME, f"bundles ({kind}): offers lack the field(s) {', '.join(missing)}")
    schema = {"gpu_name": pl.String, "num_gpus": pl.Float64, "gpu_ram": pl.Float64, "dph_total": pl.Float64}
    try:
        frame = pl.DataFrame([{f: o[f] for f in REQUIRED} for o in offers], schema=schema)
    except (TypeError, ValueError, pl.exceptions.PolarsError) as exc:
        raise SourceError(NAME, f"bundles ({kind}): an offer holds a value of the wrong type ({exc})") from exc
    return frame.filter(
        (pl.col("num_gpus") > 0)
        & (pl.col("dph_total") > 0)
        & (pl.col("gpu_ram") > 0)
        & pl.col("gpu_name").is_not_null()
    )


def distribution(offers: pl.DataFrame, pricing: str) -> pl.DataFrame:
    """Per (GPU name, snapped memory): offer count and min / p10 / median per-GPU price (linear interpolation)."""
    sizes = {ram: snap_memory_gb(ram) for ram in offers["gpu_ram"].unique().to_list()}
    per_gpu = pl.col("dph_total") / pl.col("num_gpus")
    return (
        offers.with_columns(pl.col("gpu_ram").replace_strict(sizes, return_dtype=pl.Float64).alias("gpu_memory_gb"))
        .group_by("gpu_name", "gpu_memory_gb")
        .agg(
            pl.len().cast(pl.Int64).alias("offer_count"),
            pl.col("num_gpus").sum().cast(pl.Int64).alias("gpu_count_total"),
            per_gpu.min().alias("price_min_per_gpu_hour_usd"),
            per_gpu.quantile(0.1, interpolation="linear").alias("price_p10_per_gpu_hour_usd"),
            per_gpu.median().alias("price_median_per_gpu_hour_usd"),
        )
        .with_columns(pl.lit(pricing).alias("pricing"))
        .select(list(RAW_SCHEMA))
    )


def parse(payloads: dict[str, bytes]) -> pl.DataFrame:
    missing = [kind for kind in RENTAL_TYPES if kind not in payloads]
    if missing:
        raise SourceError(NAME, f"no bundles response for {', '.join(missing)}")
    frames = []
    for kind, pricing in RENTAL_TYPES.items():
        offers = _offers(kind, payloads[kind])
        if offers.is_empty() and pricing == "on_demand":  # interruptible may be empty; on-demand never is
            raise SourceError(NAME, "bundles (on-demand): no usable offers (num_gpus, gpu_ram and dph_total > 0)")
        frames.append(distribution(offers, pricing))
    return pl.concat(frames).sort("gpu_name", "gpu_memory_gb", "pricing")


def normalize(raw: pl.DataFrame) -> pl.DataFrame:
    """One row per (GPU model, pricing): one GPU at the median per-GPU price, the distribution beside it."""
    return as_offers(
        raw.with_columns(
            pl.lit(NAME).alias("provider"),
            pl.lit(None, pl.String).alias("region"),
            pl.format("{} {}GB", "gpu_name", pl.col("gpu_memory_gb").cast(pl.Int64)).alias("instance_type"),
            pl.col("gpu_name").alias("gpu_name_raw"),
            pl.lit(1.0).alias("gpu_count"),
            pl.lit("instance").alias("price_basis"),
            pl.col("price_median_per_gpu_hour_usd").alias("price_per_hour_usd"),
            pl.lit("USD").alias("currency"),
        )
    )


SOURCE = Source(
    name=NAME,
    table="vast_offer_stats",
    description=(
        "Vast.ai marketplace offers (console.vast.ai/api/v0/bundles/), on-demand and interruptible (spot), summarised "
        "per GPU model and day: offer count and min / p10 / median USD per GPU-hour (dph_total / num_gpus). "
        "In core.gpu_prices a Vast row is priced at the median."
    ),
    base_urls=BASE_URLS,
    fetch=fetch,
    parse=parse,
    normalize=normalize,
    snapshot=Snapshot("assets.prices.snapshots.vast"),
    first_party_for="vast",
    providers=("vast",),
    summary="the marketplace's daily price distribution per GPU model (count, min, p10, median)",
)

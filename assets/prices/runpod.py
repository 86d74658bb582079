"""RunPod's GraphQL API (POST https://api.runpod.io/graphql): list prices per GPU type, no key needed.

One query, `gpuTypes { id displayName memoryInGb securePrice communityPrice
secureSpotPrice communitySpotPrice … }`, answers every GPU type with its prices in
USD per GPU-hour. Secure Cloud (RunPod's data centres) and Community Cloud (hosts
on the marketplace) are different offers with different prices, and each has an
on-demand and a spot (interruptible) price: up to four offers per GPU type,
instance_type `secure:<id>` / `community:<id>`. A price is kept only when it is
positive and its cloud does not say it lacks the type (`secureCloud` /
`communityCloud` false): RunPod leaves stale placeholder prices on such clouds.

GraphQL answers errors with HTTP 200 and an `errors` list: that is a failure here.
Prices are list prices for all data centres (region NULL); see dstackai/gpuhunt
src/gpuhunt/providers/runpod.py for the per-data-centre query this does not need.
"""

from __future__ import annotations

import json

import polars as pl

from assets.errors import SourceError
from assets.http import HttpClient
from assets.prices.offers import as_offers
from assets.source import Snapshot, Source

NAME = "runpod"
BASE_URLS = {"runpod_api": "https://api.runpod.io"}
PAYLOAD = "gpu_types"
QUERY = (
    "query GpuTypes { gpuTypes { id displayName manufacturer memoryInGb maxGpuCount "
    "secureCloud communityCloud securePrice communityPrice secureSpotPrice communitySpotPrice } }"
)

FIELDS = {  # GraphQL field -> raw column
    "id": ("gpu_type_id", pl.String),
    "displayName": ("display_name", pl.String),
    "manufacturer": ("manufacturer", pl.String),
    "memoryInGb": ("memory_in_gb", pl.Float64),
    "maxGpuCount": ("max_gpu_count", pl.Float64),
    "secureCloud": ("secure_cloud", pl.Boolean),
    "communityCloud": ("community_cloud", pl.Boolean),
    "securePrice": ("secure_price", pl.Float64),
    "communityPrice": ("community_price", pl.Float64),
    "secureSpotPrice": ("secure_spot_price", pl.Float64),
    "communitySpotPrice": ("community_spot_price", pl.Float64),
}
REQUIRED = ("id", "securePrice", "communityPrice", "secureSpotPrice", "communitySpotPrice")
# (cloud, pricing, price column, the flag saying the cloud offers this GPU type)
OFFER_KINDS = (
    ("secure", "on_demand", "secure_price", "secure_cloud"),
    ("secure", "spot", "secure_spot_price", "secure_cloud"),
    ("community", "on_demand", "community_price", "community_cloud"),
    ("community", "spot", "community_spot_price", "community_cloud"),
)


def fetch(client: HttpClient, urls: dict[str, str]) -> dict[str, bytes]:
    response = client.post_json(urls["runpod_api"] + "/graphql", {"query": QUERY, "variables": {}})
    return {PAYLOAD: response.content}


def parse(payloads: dict[str, bytes]) -> pl.DataFrame:
    if PAYLOAD not in payloads:
        raise SourceError(NAME, f"no {PAYLOAD} response")
    try:
        document = json.loads(payloads[PAYLOAD])
    except ValueError as exc:
        raise SourceError(NAME, f"the GraphQL response is not JSON ({exc})") from exc
    if not isinstance(document, dict):
        raise SourceError(NAME, f"the GraphQL response is a {type(document).__name__}, not an object")
    if document.get("errors"):
        messages = "; ".join(str(e.get("message", e)) if isinstance(e, dict) else str(e) for e in document["errors"])
        raise SourceError(NAME, f"GraphQL error: {messages}")
    gpu_types = (document.get("data") or {}).get("gpuTypes")
    if not isinstance(gpu_types, list) or not gpu_types:
        raise SourceError(NAME, "the response has no data.gpuTypes list")
    missing = [f for f in REQUIRED if any(not isinstance(t, dict) or f not in t for t in gpu_types)]
    if missing:
        raise SourceError(NAME, f"gpuTypes lack the field(s) {', '.join(missing)}")
    rows = [{column: t.get(field) for field, (column, _) in FIELDS.items()} for t in gpu_types]
    try:
        return pl.DataFrame(rows, schema={column: dtype for column, dtype in FIELDS.values()})
    except (TypeError, ValueError, pl.exceptions.PolarsError) as exc:
        raise SourceError(NAME, f"gpuTypes hold a value of the wrong type ({exc})") from exc


def normalize(raw: pl.DataFrame) -> pl.DataFrame:
    """Up to four offers per GPU type (secure / community x on-demand / spot), one GPU each, null and zero prices
    dropped.
    """
    offers = pl.concat(
        raw.filter(pl.col(offered).fill_null(True)).with_columns(
            pl.format("{}:{}", pl.lit(cloud), "gpu_type_id").alias("instance_type"),
            pl.lit(pricing).alias("pricing"),
            pl.col(price).alias("price_per_hour_usd"),
        )
        for cloud, pricing, price, offered in OFFER_KINDS
    ).filter(pl.col("price_per_hour_usd") > 0)
    return as_offers(
        offers.with_columns(
            pl.lit(NAME).alias("provider"),
            pl.lit(None, pl.String).alias("region"),
            pl.col("gpu_type_id").alias("gpu_name_raw"),
            pl.lit(1.0).alias("gpu_count"),
            pl.lit("instance").alias("price_basis"),
            pl.lit("USD").alias("currency"),
        ).sort("instance_type", "pricing")
    )


SOURCE = Source(
    name=NAME,
    table="runpod_gpu_types",
    description=(
        "RunPod's GraphQL API (api.runpod.io/graphql, gpuTypes): USD per GPU-hour for every GPU type, on-demand and "
        "spot, in Secure Cloud and in Community Cloud as separate offers (instance_type secure:<id> / community:<id>). "
        "List prices for all data centres."
    ),
    base_urls=BASE_URLS,
    fetch=fetch,
    parse=parse,
    normalize=normalize,
    snapshot=Snapshot("assets.prices.snapshots.runpod"),
    first_party_for="runpod",
    summary="Secure and Community Cloud per GPU-hour, on-demand and spot",
)

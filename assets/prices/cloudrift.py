"""CloudRift's instance-type list (POST https://api.cloudrift.ai/api/v1/instance-types/list): keyless, US cents.

Request (dstackai/gpuhunt src/gpuhunt/providers/cloudrift.py `_get_instance_types`, whose CI job
`catalog-cloudrift` runs without a secret): a versioned envelope,
`{"version": "2025-03-21", "data": {"selector": {"ByServiceAndLocation": {"services": ["vm"]}}}}`.
Answer: `{"version", "data": {"instance_types": [{name, brand_short, manufacturer, variants: [{name,
gpu_count, cpu_count, logical_cpu_count, dram, vram, disk, cost_per_hour, nodes_per_dc,
available_nodes_per_dc}]}]}}`. A bare JSON string instead of an object is an error message
(gpuhunt `_make_request`).

Units: `cost_per_hour` is US **cents** per instance-hour (both gpuhunt and SkyPilot
fetch_cloudrift.py divide by 100); `dram`, `vram` (per GPU) and `disk` are bytes. One offer per
(variant, data centre in `nodes_per_dc`), on-demand only (CloudRift has no spot: SkyPilot writes
SpotPrice 0.0). `available_nodes_per_dc` is kept as availability ("2 of 3 nodes free"): a data
centre with no free node still lists the price. `brand_short` is kept whole ("RTX PRO 6000" and
"RTX PRO 6000 Max-Q" are different parts and prices; gpuhunt's substring match merges them).
"""

from __future__ import annotations

import json

import polars as pl

from assets.errors import SourceError
from assets.http import HttpClient
from assets.prices.offers import as_offers, missing_fields
from assets.source import Snapshot, Source

NAME = "cloudrift"
BASE_URLS = {"cloudrift_api": "https://api.cloudrift.ai"}
LIST_PATH = "/api/v1/instance-types/list"
PAYLOAD = "instance_types"
REQUEST = {"version": "2025-03-21", "data": {"selector": {"ByServiceAndLocation": {"services": ["vm"]}}}}
VARIANT_FIELDS = ("name", "gpu_count", "cost_per_hour", "nodes_per_dc")
GIB = 1024**3

RAW_SCHEMA = {
    "instance_type_name": pl.String,
    "brand_short": pl.String,
    "manufacturer": pl.String,
    "variant": pl.String,
    "datacenter": pl.String,
    "gpu_count": pl.Float64,
    "cpu_count": pl.Float64,
    "logical_cpu_count": pl.Float64,
    "dram_gib": pl.Float64,
    "vram_per_gpu_gib": pl.Float64,
    "disk_gib": pl.Float64,
    "cost_per_hour_cents": pl.Float64,
    "nodes": pl.Int64,
    "available_nodes": pl.Int64,
}


def fetch(client: HttpClient, urls: dict[str, str]) -> dict[str, bytes]:
    return {PAYLOAD: client.post_json(urls["cloudrift_api"] + LIST_PATH, REQUEST).content}


def _gib(value) -> float | None:
    return value / GIB if isinstance(value, int | float) else None


def parse(payloads: dict[str, bytes]) -> pl.DataFrame:
    if PAYLOAD not in payloads:
        raise SourceError(NAME, f"no {PAYLOAD} response")
    try:
        document = json.loads(payloads[PAYLOAD])
    except ValueError as exc:
        raise SourceError(NAME, f"the response is not JSON ({exc})") from exc
    if isinstance(document, str):
        raise SourceError(NAME, f"the API answered with a message, not a list: {document[:200]!r}")
    types = ((document or {}).get("data") or {}).get("instance_types") if isinstance(document, dict) else None
    if not isinstance(types, list) or not types:
        raise SourceError(NAME, "the response has no data.instance_types list")
    missing = missing_fields(types, ("name", "brand_short", "variants"))
    if missing:
        raise SourceError(NAME, f"instance types lack the field(s) {', '.join(missing)}")
    variants = [v for t in types for v in (t.get("variants") or [])]
    missing = missing_fields(variants, VARIANT_FIELDS)
    if missing:
        raise SourceError(NAME, f"variants lack the field(s) {', '.join(missing)}")
    rows = []
    for t in types:
        for v in t.get("variants") or []:
            free = v.get("available_nodes_per_dc") or {}
            for dc, nodes in (v.get("nodes_per_dc") or {}).items():
                rows.append(
                    {
                        "instance_type_name": t["name"],
                        "brand_short": t["brand_short"],
                        "manufacturer": t.get("manufacturer"),
                        "variant": v["name"],
                        "datacenter": dc,
                        "gpu_count": v["gpu_count"],
                        "cpu_count": v.get("cpu_count"),
                        "logical_cpu_count": v.get("logical_cpu_count"),
                        "dram_gib": _gib(v.get("dram")),
                        "vram_per_gpu_gib": _gib(v.get("vram")),
                        "disk_gib": _gib(v.get("disk")),
                        "cost_per_hour_cents": v["cost_per_hour"],
                        "nodes": nodes,
                        "available_nodes": free.get(dc),
                    }
                )
    try:
        return pl.DataFrame(rows, schema=RAW_SCHEMA)
    except (TypeError, ValueError, pl.exceptions.PolarsError) as exc:
        raise SourceError(NAME, f"variants hold a value of the wrong type ({exc})") from exc


def normalize(raw: pl.DataFrame) -> pl.DataFrame:
    """One on-demand offer per (variant, data centre): cents / 100 per instance-hour."""
    offers = raw.filter((pl.col("cost_per_hour_cents") > 0) & (pl.col("gpu_count") > 0)).with_columns(
        pl.lit(NAME).alias("provider"),
        pl.col("datacenter").alias("region"),
        pl.col("variant").alias("instance_type"),
        pl.col("brand_short").alias("gpu_name_raw"),
        pl.lit("on_demand").alias("pricing"),
        pl.lit("instance").alias("price_basis"),
        (pl.col("cost_per_hour_cents") / 100).alias("price_per_hour_usd"),
        pl.lit("USD").alias("currency"),
        pl.when(pl.col("available_nodes").is_not_null())
        .then(pl.format("{} of {} nodes free", "available_nodes", "nodes"))
        .otherwise(pl.lit(None, pl.String))
        .alias("availability"),
    )
    return as_offers(offers.sort("instance_type", "region"))


SOURCE = Source(
    name=NAME,
    table="cloudrift_instance_types",
    description=(
        "CloudRift's public instance-type list (api.cloudrift.ai/api/v1/instance-types/list): every VM variant per "
        "data centre, its GPUs, CPU, memory and on-demand price (US cents per instance-hour, as the API gives it), and "
        "how many of its nodes are free. No key."
    ),
    base_urls=BASE_URLS,
    fetch=fetch,
    parse=parse,
    normalize=normalize,
    snapshot=Snapshot("assets.prices.snapshots.cloudrift"),
    first_party_for="cloudrift",
    providers=("cloudrift",),
    summary="on-demand per instance-hour (cents / 100) per VM variant and data centre, with free nodes",
)

"""RunPod's GraphQL API (POST https://api.runpod.io/graphql): prices per data centre, with stock, no key needed.

Two steps, as dstackai/gpuhunt src/gpuhunt/providers/runpod.py does (`_build_query_variables`,
`query_pod_types`, `_make_offers`; its CI collects RunPod hourly without a key):

1. discovery: `countryCodes dataCenters { id listed } gpuTypes { id maxGpuCount … }`: the
   listed Secure Cloud data centres, the Community Cloud countries, the largest pod;
2. per (cloud, data centre or country, GPU count): `gpuTypes { id displayName memoryInGb
   securePrice communityPrice secureSpotPrice communitySpotPrice lowestPrice(input:
   {gpuCount, secureCloud, dataCenterId | countryCode}) { minimumBidPrice uninterruptablePrice
   minVcpu minMemory stockStatus } }`. `secureCloud` is always sent: without it lowestPrice
   mixes the two clouds (RunPod's docs sample: uninterruptablePrice 1.59 = communityPrice).

Prices are USD per GPU-hour; a pod of N GPUs costs N x. An offer exists only where lowestPrice
has a `stockStatus` (High / Medium / Low: kept as `availability`); NULL means RunPod does not
offer that GPU count there (gpuhunt's gate). On-demand = `uninterruptablePrice` for that input,
else the cloud's list price. Spot: RunPod's list `secureSpotPrice` / `communitySpotPrice` repeat
the on-demand price in live answers and in SkyPilot's v8 runpod catalog (SpotPrice == Price on
every row), so they are never read. The interruptible price RunPod publishes is the spot bid
floor `minimumBidPrice` (runpod/docs `docs/sdks/python/apis.md`: A100 80GB PCIe minimumBidPrice
0.89 against 1.59 on demand); it is kept as spot only when below the on-demand price (a spot
price at or above on-demand is a placeholder, dropped and counted). RunPod is retiring spot pods
(runpod/runpodctl PR #267, 2026-04; gpuhunt dropped RunPod spot on 2026-08-14), so expect none.

Offers are named `secure:<N>x <GPU type id>` / `community:<N>x <GPU type id>`, region = the data
centre (secure) or the country (community): SkyPilot's and gpuhunt's RunPod rows use the same
names (see runpod_instance). GraphQL answers errors with HTTP 200 and an `errors` list: a failure.
"""

from __future__ import annotations

import json

import polars as pl

from assets.errors import SourceError
from assets.http import HttpClient
from assets.prices.offers import as_offers, missing_fields, split_placeholders
from assets.source import Snapshot, Source

NAME = "runpod"
BASE_URLS = {"runpod_api": "https://api.runpod.io"}
GRAPHQL_PATH = "/graphql"
DISCOVERY = "discovery"
GPU_COUNTS = (1, 2, 4, 8)  # pod sizes asked for (gpuhunt asks 1..max; these are the ones catalogs list)

DISCOVERY_QUERY = (
    "query GpuTypes { countryCodes dataCenters { id name listed } "
    "gpuTypes { id displayName memoryInGb maxGpuCount secureCloud communityCloud } }"
)
PRICE_QUERY = (
    "query GpuTypes($lowestPriceInput: GpuLowestPriceInput) { gpuTypes { id displayName manufacturer memoryInGb "
    "maxGpuCount securePrice communityPrice secureSpotPrice communitySpotPrice "
    "lowestPrice(input: $lowestPriceInput) { minimumBidPrice uninterruptablePrice minVcpu minMemory stockStatus } } }"
)

# RunPod GPU type id by display name (the name SkyPilot's catalog keeps in GpuInfo): RunPod GraphQL gpuTypes
# id/displayName pairs (docs.runpod.io/references/gpu-types; runpod/docs apis.md; SkyPilot fetch_runpod.py).
GPU_IDS = {
    "A100 PCIe": "NVIDIA A100 80GB PCIe",
    "A100 SXM": "NVIDIA A100-SXM4-80GB",
    "A40": "NVIDIA A40",
    "B200": "NVIDIA B200",
    "H100 PCIe": "NVIDIA H100 PCIe",
    "H100 SXM": "NVIDIA H100 80GB HBM3",
    "H100 NVL": "NVIDIA H100 NVL",
    "H200 SXM": "NVIDIA H200",
    "L40S": "NVIDIA L40S",
    "L40": "NVIDIA L40",
    "L4": "NVIDIA L4",
    "RTX 4090": "NVIDIA GeForce RTX 4090",
    "RTX A6000": "NVIDIA RTX A6000",
    "MI300X": "AMD Instinct MI300X OAM",
}

RAW_SCHEMA = {
    "cloud": pl.String,  # secure | community
    "location": pl.String,  # data centre id (secure) or country code (community)
    "gpu_count": pl.Float64,  # GPUs per pod asked for
    "gpu_type_id": pl.String,
    "display_name": pl.String,
    "manufacturer": pl.String,
    "memory_in_gb": pl.Float64,
    "secure_price": pl.Float64,  # list prices, USD per GPU-hour
    "community_price": pl.Float64,
    "secure_spot_price": pl.Float64,
    "community_spot_price": pl.Float64,
    "uninterruptable_price": pl.Float64,  # lowestPrice for this input, USD per GPU-hour
    "minimum_bid_price": pl.Float64,
    "stock_status": pl.String,
    "min_vcpu": pl.Float64,
    "min_memory": pl.Float64,
}
FIELDS = {  # GraphQL field -> raw column
    "id": "gpu_type_id",
    "displayName": "display_name",
    "manufacturer": "manufacturer",
    "memoryInGb": "memory_in_gb",
    "securePrice": "secure_price",
    "communityPrice": "community_price",
    "secureSpotPrice": "secure_spot_price",
    "communitySpotPrice": "community_spot_price",
}
LOWEST = {
    "uninterruptablePrice": "uninterruptable_price",
    "minimumBidPrice": "minimum_bid_price",
    "stockStatus": "stock_status",
    "minVcpu": "min_vcpu",
    "minMemory": "min_memory",
}
REQUIRED = ("id", "securePrice", "communityPrice", "lowestPrice")


def runpod_instance(
    cloud: pl.Expr,
    count: pl.Expr,
    display_name: pl.Expr | None = None,
    type_id: pl.Expr | None = None,
    fallback: pl.Expr | None = None,
) -> pl.Expr:
    """RunPod's canonical offer name, `<cloud>:<N>x <GPU type id>`, from a type id or a display name."""
    ident = type_id if type_id is not None else display_name.replace_strict(GPU_IDS, default=None)
    parts = [e for e in (ident, display_name, fallback) if e is not None]
    return pl.format("{}:{}x {}", cloud, count.cast(pl.Int64), pl.coalesce(parts))


def payload_key(cloud: str, location: str, count: int) -> str:
    return f"{cloud}_{location}_{count}"


def price_variables(cloud: str, location: str, count: int) -> dict:
    where = {"dataCenterId": location} if cloud == "secure" else {"countryCode": location}
    return {"lowestPriceInput": {"gpuCount": count, "secureCloud": cloud == "secure", **where}}


def _document(body: bytes, what: str) -> dict:
    try:
        document = json.loads(body)
    except ValueError as exc:
        raise SourceError(NAME, f"{what}: the GraphQL response is not JSON ({exc})") from exc
    if not isinstance(document, dict):
        raise SourceError(NAME, f"{what}: the GraphQL response is a {type(document).__name__}, not an object")
    if document.get("errors"):
        messages = "; ".join(str(e.get("message", e)) if isinstance(e, dict) else str(e) for e in document["errors"])
        raise SourceError(NAME, f"{what}: GraphQL error: {messages}")
    return document.get("data") or {}


def locations(discovery: bytes) -> tuple[list[str], list[str], int]:
    """(listed secure data centres, community countries, largest pod) from the discovery answer."""
    data = _document(discovery, DISCOVERY)
    centres, countries, gpu_types = data.get("dataCenters"), data.get("countryCodes"), data.get("gpuTypes")
    if not isinstance(centres, list) or not isinstance(gpu_types, list) or not gpu_types:
        raise SourceError(NAME, f"{DISCOVERY}: the response has no data.dataCenters and data.gpuTypes lists")
    listed = sorted({c["id"] for c in centres if isinstance(c, dict) and c.get("listed") and c.get("id")})
    country_codes = sorted({c for c in countries or [] if isinstance(c, str) and c})
    largest = max((int(t.get("maxGpuCount") or 1) for t in gpu_types if isinstance(t, dict)), default=1)
    return listed, country_codes, largest


def fetch(client: HttpClient, urls: dict[str, str]) -> dict[str, bytes]:
    url = urls["runpod_api"] + GRAPHQL_PATH
    discovery = client.post_json(url, {"query": DISCOVERY_QUERY, "variables": {}}).content
    centres, countries, largest = locations(discovery)
    payloads = {DISCOVERY: discovery}
    for cloud, places in (("secure", centres), ("community", countries)):
        for location in places:
            for count in (n for n in GPU_COUNTS if n <= largest):
                body = {"query": PRICE_QUERY, "variables": price_variables(cloud, location, count)}
                payloads[payload_key(cloud, location, count)] = client.post_json(url, body).content
    return payloads


def _price_rows(key: str, body: bytes) -> list[dict]:
    cloud, location, count = key.split("_", 2)
    if cloud not in ("secure", "community") or not count.isdigit():
        raise SourceError(NAME, f"unexpected answer {key!r} (expected <cloud>_<location>_<count>)")
    gpu_types = _document(body, key).get("gpuTypes")
    if not isinstance(gpu_types, list):
        raise SourceError(NAME, f"{key}: the response has no data.gpuTypes list")
    missing = missing_fields(gpu_types, REQUIRED)
    if missing:
        raise SourceError(NAME, f"{key}: gpuTypes lack the field(s) {', '.join(missing)}")
    rows = []
    for t in gpu_types:
        lowest = t.get("lowestPrice")
        if not isinstance(lowest, dict):
            continue  # no price for this input: not offered there
        row = {column: t.get(field) for field, column in FIELDS.items()}
        row.update({column: lowest.get(field) for field, column in LOWEST.items()})
        row.update(cloud=cloud, location=location, gpu_count=float(count))
        rows.append(row)
    return rows


def parse(payloads: dict[str, bytes]) -> pl.DataFrame:
    if DISCOVERY not in payloads:
        raise SourceError(NAME, f"no {DISCOVERY} response")
    locations(payloads[DISCOVERY])  # a discovery answer that is an error or malformed fails the run
    answers = {k: v for k, v in payloads.items() if k != DISCOVERY}
    if not answers:
        raise SourceError(NAME, "no price answers (the discovery listed no data centre or country)")
    rows = [row for key, body in sorted(answers.items()) for row in _price_rows(key, body)]
    if not rows:
        raise SourceError(NAME, "the price answers hold no gpuTypes with a lowestPrice")
    try:
        return pl.DataFrame(rows, schema=RAW_SCHEMA)
    except (TypeError, ValueError, pl.exceptions.PolarsError) as exc:
        raise SourceError(NAME, f"gpuTypes hold a value of the wrong type ({exc})") from exc


def _all_offers(raw: pl.DataFrame) -> pl.DataFrame:
    in_stock = raw.filter(pl.col("stock_status").is_not_null())
    list_price = pl.when(pl.col("cloud") == "secure").then("secure_price").otherwise("community_price")
    on_demand = pl.when(pl.col("uninterruptable_price") > 0).then("uninterruptable_price").otherwise(list_price)
    base = in_stock.with_columns(
        pl.lit(NAME).alias("provider"),
        pl.col("location").alias("region"),
        runpod_instance(pl.col("cloud"), pl.col("gpu_count"), type_id=pl.col("gpu_type_id")).alias("instance_type"),
        pl.col("gpu_type_id").alias("gpu_name_raw"),
        pl.lit("instance").alias("price_basis"),
        pl.lit("USD").alias("currency"),
        pl.col("stock_status").alias("availability"),
    )
    offers = pl.concat(
        [
            base.with_columns(pl.lit("on_demand").alias("pricing"), (on_demand * pl.col("gpu_count")).alias("p")),
            base.with_columns(
                pl.lit("spot").alias("pricing"), (pl.col("minimum_bid_price") * pl.col("gpu_count")).alias("p")
            ),
        ]
    ).rename({"p": "price_per_hour_usd"})
    return as_offers(offers.filter(pl.col("price_per_hour_usd") > 0).sort("instance_type", "region", "pricing"))


def normalize(raw: pl.DataFrame) -> pl.DataFrame:
    """One offer per (cloud, data centre or country, pod size, pricing) in stock; spot only below on-demand."""
    return split_placeholders(_all_offers(raw))[0]


def placeholders(raw: pl.DataFrame) -> int:
    return split_placeholders(_all_offers(raw))[1].height


SOURCE = Source(
    name=NAME,
    table="runpod_lowest_prices",
    description=(
        "RunPod's GraphQL API (api.runpod.io/graphql, gpuTypes with lowestPrice per data centre, country and pod "
        "size): USD per GPU-hour in Secure Cloud (per data centre) and Community Cloud (per country), with stock "
        "status; offers named <cloud>:<N>x <GPU type id>. Spot only where RunPod publishes a bid price below "
        "on-demand."
    ),
    base_urls=BASE_URLS,
    fetch=fetch,
    parse=parse,
    normalize=normalize,
    placeholders=placeholders,
    snapshot=Snapshot("assets.prices.snapshots.runpod"),
    first_party_for="runpod",
    providers=("runpod",),
    summary="Secure Cloud per data centre and Community Cloud per country, per pod size, with stock status",
)

"""Oracle Cloud's public cost-estimator data (shapes.json + products.json): keyless, USD, one price everywhere.

`GET https://www.oracle.com/a/ocom/docs/cloudestimator2/data/shapes.json` and `.../products.json`,
plain GETs, no key (dstackai/gpuhunt src/gpuhunt/providers/oci.py `CostEstimator`; SkyPilot
fetch_oci.py: "this one needs no cloud credentials: Oracle publishes both the shape specifications
and the price list"). Both are `{"items": [...]}`:
- shapes: `name` (may carry a display suffix, "BM.GPU.GB200.4 (NVL72)": stripped), `hidden`,
  `status` (ACTIVE kept), `allowPreemptible`, `gpuQty`, `gpuMemoryQty`, `bundleMemoryQty`,
  `products: [{partNumber, qty, type: {value}}]`;
- products: `partNumber`, `billingModel` (UCM), `pricetype` (HOUR), `currencyCodeLocalizations:
  [{currencyCode, prices: [{model, value}]}]` (USD, PAY_AS_YOU_GO).
A GPU shape's `ocpu`-type product is its GPU-hour part: price = that part's hourly USD price x
gpuQty (gpuhunt `shape_to_resources`; `qty` is null on the newest shapes and not needed). The
price holds in every commercial region ("OCI prices are the same in every commercial region",
SkyPilot), so region is NULL. Spot: preemptible capacity "costs 50% less than on-demand"
(docs.oracle.com/en-us/iaas/Content/Compute/Concepts/preemptible.htm), for shapes with
`allowPreemptible` only: a documented price rule, as SkyPilot's and gpuhunt's OCI rows have it.
GPU model from the shape name (gpuhunt `get_gpu_name`, SkyPilot `accelerator_name_from_shape`):
GPU2 P100, GPU3 V100, GPU4 A100 (40 GB), A100-v2 A100-80GB, RTXPRO the RTX PRO 6000, else the
token after GPU (H100, B200, MI300X, GB200, ...).
"""

from __future__ import annotations

import json
import re

import polars as pl

from assets.errors import SourceError
from assets.http import HttpClient
from assets.prices.offers import as_offers, missing_fields
from assets.source import Snapshot, Source

NAME = "oci"
BASE_URLS = {"oci_estimator": "https://www.oracle.com/a/ocom/docs/cloudestimator2/data"}
FILES = ("shapes", "products")
PREEMPTIBLE_DISCOUNT = 0.5
SHAPE_GPU = re.compile(r"^(?:BM|VM)\.(GPU\d?)(?:\.([A-Za-z0-9-]+))?\.(\d+)$")
GPU_GENERATIONS = {"GPU2": "P100", "GPU3": "V100", "GPU4": "A100"}
GPU_TOKENS = {"A100-v2": "A100-80GB", "RTXPRO": "RTXPRO6000"}

RAW_SCHEMA = {
    "shape": pl.String,
    "gpu_qty": pl.Float64,
    "gpu_memory_qty": pl.Float64,
    "bundle_memory_gb": pl.Float64,
    "allow_preemptible": pl.Boolean,
    "part_number": pl.String,
    "part_price_usd_per_hour": pl.Float64,
}


def fetch(client: HttpClient, urls: dict[str, str]) -> dict[str, bytes]:
    return {name: client.get(f"{urls['oci_estimator']}/{name}.json").content for name in FILES}


def _items(payloads: dict[str, bytes], name: str) -> list:
    if name not in payloads:
        raise SourceError(NAME, f"no {name}.json response")
    try:
        document = json.loads(payloads[name])
    except ValueError as exc:
        raise SourceError(NAME, f"{name}.json is not JSON ({exc})") from exc
    items = document.get("items") if isinstance(document, dict) else None
    if not isinstance(items, list) or not items:
        raise SourceError(NAME, f"{name}.json has no items list")
    return items


def _hourly_usd(product: dict) -> float | None:
    """A product's pay-as-you-go hourly USD price (gpuhunt `get_product_price_usd_per_hour`), else None."""
    if product.get("billingModel") != "UCM" or product.get("pricetype") != "HOUR":
        return None
    for local in product.get("currencyCodeLocalizations") or []:
        if isinstance(local, dict) and local.get("currencyCode") == "USD":
            for price in local.get("prices") or []:
                if isinstance(price, dict) and price.get("model") == "PAY_AS_YOU_GO":
                    return price.get("value")
    return None


def parse(payloads: dict[str, bytes]) -> pl.DataFrame:
    shapes, products = _items(payloads, "shapes"), _items(payloads, "products")
    missing = missing_fields(shapes, ("name", "products"))
    if missing:
        raise SourceError(NAME, f"shapes lack the field(s) {', '.join(missing)}")
    missing = missing_fields(products, ("partNumber", "currencyCodeLocalizations"))
    if missing:
        raise SourceError(NAME, f"products lack the field(s) {', '.join(missing)}")
    prices = {p["partNumber"]: _hourly_usd(p) for p in products}
    rows = []
    for shape in shapes:
        if shape.get("hidden") or shape.get("status", "ACTIVE") != "ACTIVE" or not shape.get("gpuQty"):
            continue
        gpu_part = next(
            (
                p.get("partNumber")
                for p in shape.get("products") or []
                if isinstance(p, dict) and (p.get("type") or {}).get("value") == "ocpu"
            ),
            None,
        )
        rows.append(
            {
                "shape": re.sub(r"\s*\(.*\)$", "", str(shape["name"])).strip(),
                "gpu_qty": shape.get("gpuQty"),
                "gpu_memory_qty": shape.get("gpuMemoryQty"),
                "bundle_memory_gb": shape.get("bundleMemoryQty"),
                "allow_preemptible": bool(shape.get("allowPreemptible")),
                "part_number": gpu_part,
                "part_price_usd_per_hour": prices.get(gpu_part),
            }
        )
    if not rows:
        raise SourceError(NAME, f"shapes.json has no active GPU shape among {len(shapes)} shapes")
    try:
        return pl.DataFrame(rows, schema=RAW_SCHEMA)
    except (TypeError, ValueError, pl.exceptions.PolarsError) as exc:
        raise SourceError(NAME, f"shapes hold a value of the wrong type ({exc})") from exc


def gpu_name(shape: str) -> str:
    match = SHAPE_GPU.match(shape)
    if not match:
        return shape
    generation, token, _ = match.groups()
    if token is None:
        return GPU_GENERATIONS.get(generation, generation)
    return GPU_TOKENS.get(token, token)


def normalize(raw: pl.DataFrame) -> pl.DataFrame:
    """One on-demand offer per GPU shape (part price x GPUs), and a spot offer at half price where preemptible."""
    priced = raw.filter(pl.col("part_price_usd_per_hour") > 0).with_columns(
        pl.lit(NAME).alias("provider"),
        pl.lit(None, pl.String).alias("region"),
        pl.col("shape").alias("instance_type"),
        pl.col("shape").map_elements(gpu_name, return_dtype=pl.String).alias("gpu_name_raw"),
        pl.col("gpu_qty").alias("gpu_count"),
        pl.lit("instance").alias("price_basis"),
        pl.lit("USD").alias("currency"),
        (pl.col("part_price_usd_per_hour") * pl.col("gpu_qty")).alias("on_demand"),
    )
    offers = pl.concat(
        [
            priced.with_columns(pl.lit("on_demand").alias("pricing"), pl.col("on_demand").alias("price_per_hour_usd")),
            priced.filter(pl.col("allow_preemptible")).with_columns(
                pl.lit("spot").alias("pricing"),
                (pl.col("on_demand") * PREEMPTIBLE_DISCOUNT).alias("price_per_hour_usd"),
            ),
        ]
    )
    return as_offers(offers.sort("instance_type", "pricing"))


SOURCE = Source(
    name=NAME,
    table="oci_gpu_shapes",
    description=(
        "Oracle Cloud's public cost-estimator data (oracle.com cloudestimator2 shapes.json and products.json): every "
        "active GPU shape, its GPUs and the pay-as-you-go USD price of its GPU-hour part; one price in every region. "
        "Spot = 50% of on-demand for preemptible shapes (Oracle's documented rule). No key."
    ),
    base_urls=BASE_URLS,
    fetch=fetch,
    parse=parse,
    normalize=normalize,
    snapshot=Snapshot("assets.prices.snapshots.oci"),
    first_party_for="oci",
    providers=("oci",),
    summary="on-demand per GPU shape (GPU part price x GPUs), one price everywhere; spot = 50% where preemptible",
)

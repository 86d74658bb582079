"""Scaleway's public Product Catalog API: keyless, EUR per instance-hour per zone.

`GET https://api.scaleway.com/product-catalog/v2alpha1/public-catalog/products?product_types=instance
&page=N&page_size=100`, no `X-Auth-Token` (the public catalog is served without one; the Instance
API's `products/servers` needs a token: /work/scratch/research_sources/scaleway.md). The answer is
`{"products": [...], "total_count": int}`; pages follow until page x page_size >= total_count or a
page comes back short. Product fields (scaleway/scaleway-sdk-python
scaleway/product_catalog/v2alpha1/types.py, `PublicCatalogProduct`): `sku`, `product`, `variant`,
`description`, `status`, `locality` {global, region, zone, datacenter}, `price.retail_price` a
Money {currency_code, units, nanos} (price = units + nanos / 1e9), `unit_of_measure` {unit, size},
`properties.hardware.gpu` {description, count, type}, `properties.instance.offer_id` (the
commercial type, e.g. H100-SXM-8-80G).

Kept: instance products with GPUs priced per hour. Prices are EUR, before tax: normalize emits
them as published (price_per_hour_local, local_currency EUR) and leaves price_per_hour_usd NULL;
assets.prices.offers.to_usd converts them with the stored ECB rate and keeps the rate beside the
row. Scaleway has no spot instances. The GPU model is read from the commercial type (H100-SXM-8-80G:
H100 SXM, 8 GPUs): `-SXM-` tells SXM from PCIe, which the GPU description does not.
"""

from __future__ import annotations

import json
import re

import polars as pl

from assets.errors import SourceError
from assets.http import HttpClient
from assets.prices.offers import as_offers, missing_fields
from assets.source import Snapshot, Source

NAME = "scaleway"
BASE_URLS = {"scaleway_api": "https://api.scaleway.com"}
PRODUCTS_PATH = "/product-catalog/v2alpha1/public-catalog/products"
PAGE_SIZE = 100
MAX_PAGES = 100
HOUR_UNITS = {"hour"}
# commercial type -> (GPU name, GPUs): L4-1-24G, H100-SXM-8-80G, B300-SXM-8-288G, L40S-4-48G
TYPE_NAME = re.compile(r"^(?P<gpu>[A-Z0-9]+(?:-SXM)?)-(?P<count>\d+)-\d+G$")

RAW_SCHEMA = {
    "sku": pl.String,
    "product": pl.String,
    "offer_id": pl.String,
    "variant": pl.String,
    "description": pl.String,
    "status": pl.String,
    "zone": pl.String,
    "region": pl.String,
    "gpu_count": pl.Float64,
    "gpu_type": pl.String,
    "gpu_description": pl.String,
    "unit": pl.String,
    "unit_size": pl.Float64,
    "price": pl.Float64,
    "currency": pl.String,
}


def fetch(client: HttpClient, urls: dict[str, str]) -> dict[str, bytes]:
    """Every page of the public catalog's instance products."""
    payloads = {}
    for page in range(1, MAX_PAGES + 1):
        params = {"product_types": "instance", "page": str(page), "page_size": str(PAGE_SIZE)}
        body = client.get(urls["scaleway_api"] + PRODUCTS_PATH, params=params).content
        key = f"products-{page:03d}"
        payloads[key] = body
        products, total = _page(body, key)
        if len(products) < PAGE_SIZE or page * PAGE_SIZE >= total:
            return payloads
    raise SourceError(NAME, f"more than {MAX_PAGES} pages of {PAGE_SIZE}: refusing to page on")


def _page(body: bytes, key: str) -> tuple[list, int]:
    try:
        document = json.loads(body)
    except ValueError as exc:
        raise SourceError(NAME, f"{key}: the response is not JSON ({exc})") from exc
    products = document.get("products") if isinstance(document, dict) else None
    if not isinstance(products, list):
        message = document.get("message") if isinstance(document, dict) else None
        raise SourceError(NAME, f"{key}: the response has no products list" + (f" ({message})" if message else ""))
    total = document.get("total_count")
    return products, int(total) if isinstance(total, int | float) else len(products)


def _money(value) -> tuple[float | None, str | None]:
    if not isinstance(value, dict):
        return None, None
    units, nanos = value.get("units") or 0, value.get("nanos") or 0
    try:
        return round(int(units) + int(nanos) / 1e9, 9), value.get("currency_code")
    except (TypeError, ValueError):
        return None, value.get("currency_code")


def parse(payloads: dict[str, bytes]) -> pl.DataFrame:
    pages = sorted(k for k in payloads if k.startswith("products-"))
    if not pages:
        raise SourceError(NAME, "no products response")
    rows = []
    for key in pages:
        products, _ = _page(payloads[key], key)
        missing = missing_fields(products, ("sku", "product", "price", "unit_of_measure"))
        if missing:
            raise SourceError(NAME, f"{key}: products lack the field(s) {', '.join(missing)}")
        for p in products:
            hardware = (p.get("properties") or {}).get("hardware") or {}
            gpu = hardware.get("gpu") or {}
            if not gpu.get("count"):
                continue
            price, currency = _money((p.get("price") or {}).get("retail_price"))
            locality = p.get("locality") or {}
            unit = p.get("unit_of_measure") or {}
            rows.append(
                {
                    "sku": p["sku"],
                    "product": p["product"],
                    "offer_id": ((p.get("properties") or {}).get("instance") or {}).get("offer_id"),
                    "variant": p.get("variant"),
                    "description": p.get("description"),
                    "status": p.get("status"),
                    "zone": locality.get("zone"),
                    "region": locality.get("region"),
                    "gpu_count": gpu.get("count"),
                    "gpu_type": gpu.get("type"),
                    "gpu_description": gpu.get("description"),
                    "unit": unit.get("unit"),
                    "unit_size": unit.get("size"),
                    "price": price,
                    "currency": currency,
                }
            )
    if not rows:
        raise SourceError(NAME, "the catalog lists no instance with GPUs")
    try:
        return pl.DataFrame(rows, schema=RAW_SCHEMA)
    except (TypeError, ValueError, pl.exceptions.PolarsError) as exc:
        raise SourceError(NAME, f"products hold a value of the wrong type ({exc})") from exc


def normalize(raw: pl.DataFrame) -> pl.DataFrame:
    """One on-demand offer per (commercial type, zone), priced in EUR as published (to_usd converts it)."""
    instance = pl.coalesce("offer_id", "product")
    per_hour = pl.col("price") / pl.col("unit_size").fill_null(1.0).clip(lower_bound=1.0)
    offers = raw.filter(
        pl.col("unit").str.to_lowercase().is_in(list(HOUR_UNITS))
        & (pl.col("price") > 0)
        & pl.col("currency").is_not_null()
    ).with_columns(
        pl.lit(NAME).alias("provider"),
        pl.coalesce("zone", "region").alias("region"),
        instance.alias("instance_type"),
        pl.coalesce(instance.str.extract(TYPE_NAME.pattern, 1), "gpu_type").alias("gpu_name_raw"),
        pl.col("gpu_count"),
        pl.lit("on_demand").alias("pricing"),
        pl.lit("instance").alias("price_basis"),
        pl.lit(None, pl.Float64).alias("price_per_hour_usd"),
        per_hour.alias("price_per_hour_local"),
        pl.col("currency").alias("local_currency"),
    )
    offers = offers.with_columns(
        # a USD-priced product needs no conversion
        pl.when(pl.col("local_currency") == "USD")
        .then("price_per_hour_local")
        .otherwise(None)
        .alias("price_per_hour_usd"),
    )
    return as_offers(offers.unique(["region", "instance_type"], keep="first").sort("instance_type", "region"))


SOURCE = Source(
    name=NAME,
    table="scaleway_gpu_products",
    description=(
        "Scaleway's public Product Catalog (api.scaleway.com/product-catalog/v2alpha1/public-catalog/products, "
        "instances, every page): GPU instance types per zone with their hourly retail price in EUR as published; "
        "converted to USD with the stored ECB rate downstream (rate kept beside the row). No key."
    ),
    base_urls=BASE_URLS,
    fetch=fetch,
    parse=parse,
    normalize=normalize,
    snapshot=Snapshot("assets.prices.snapshots.scaleway"),
    first_party_for="scaleway",
    providers=("scaleway",),
    summary="GPU instance types per zone, on-demand, in EUR (converted with the stored ECB rate, rate kept)",
)

"""Azure Retail Prices API: VM prices, first-party, per region, no key.

`GET https://prices.azure.com/api/retail/prices?api-version=2023-01-01-preview&$filter=serviceName eq
'Virtual Machines' and priceType eq 'Consumption' and armRegionName eq '<region>'` answers
`{"BillingCurrency", "CustomerEntityId", "CustomerEntityType", "Items": [...], "NextPageLink", "Count"}`
with ~1,000 items a page; `fetch` follows NextPageLink until it is null (never trusting Count).
Filter values are case-sensitive. 429s are retried by the shared client, honouring Retry-After.

Items price one meter per instance-hour (`unitOfMeasure` "1 Hour"). Kept for GPU VMs
(N-series SKUs): Linux consumption meters, on-demand or spot (" Spot" in meterName or
skuName). Dropped: Windows meters (their price includes the licence), Low Priority,
DevTest and Reservation rows (a reservation's price is the whole term), non-hourly
meters, and unpriced preview SKUs (price 0). The API prices in USD by default; any
other currency is rejected, never converted. GPU model and count come from
assets/prices/data/azure_gpu_skus.csv. See ../shared/notes/sources.md A4.
"""

from __future__ import annotations

import json
import os
from urllib.parse import quote, urlsplit

import polars as pl

from assets.errors import SourceError
from assets.http import HttpClient
from assets.prices.mappings import AZURE_GPU_SKUS, load_mapping
from assets.prices.offers import as_offers, split_placeholders
from assets.source import Snapshot, Source

NAME = "azure"
REGIONS = ("eastus", "westus2", "northeurope")
REGIONS_ENV = "GPUCOST_AZURE_REGIONS"  # comma-separated, overrides REGIONS
API_VERSION = "2023-01-01-preview"
BASE_URLS = {"azure": "https://prices.azure.com/api/retail/prices"}
MAX_PAGES = 200  # one region is ~16 pages; more means a NextPageLink loop

# Item fields read, with their types; the first ones must be present.
FIELDS = {
    "armRegionName": pl.String,
    "armSkuName": pl.String,
    "skuName": pl.String,
    "meterName": pl.String,
    "productName": pl.String,
    "retailPrice": pl.Float64,
    "unitOfMeasure": pl.String,
    "type": pl.String,
    "unitPrice": pl.Float64,
    "currencyCode": pl.String,
    "serviceName": pl.String,
    "skuId": pl.String,
    "meterId": pl.String,
    "reservationTerm": pl.String,
    "effectiveStartDate": pl.String,
    "isPrimaryMeterRegion": pl.Boolean,
}
REQUIRED = ("armRegionName", "skuName", "meterName", "productName", "retailPrice", "unitOfMeasure", "type")
COLUMNS = {
    "armRegionName": "arm_region_name",
    "armSkuName": "arm_sku_name",
    "skuName": "sku_name",
    "meterName": "meter_name",
    "productName": "product_name",
    "retailPrice": "retail_price",
    "unitOfMeasure": "unit_of_measure",
    "type": "price_type",
    "unitPrice": "unit_price",
    "currencyCode": "currency_code",
    "serviceName": "service_name",
    "skuId": "sku_id",
    "meterId": "meter_id",
    "reservationTerm": "reservation_term",
    "effectiveStartDate": "effective_start_date",
    "isPrimaryMeterRegion": "is_primary_meter_region",
}


def regions() -> tuple[str, ...]:
    configured = os.environ.get(REGIONS_ENV, "")
    return tuple(r.strip() for r in configured.split(",") if r.strip()) or REGIONS


def query_url(base: str, region: str) -> str:
    """The first page's URL: OData filter percent-encoded (spaces as %20, never '+')."""
    odata = f"serviceName eq 'Virtual Machines' and priceType eq 'Consumption' and armRegionName eq '{region}'"
    return f"{base}?api-version={API_VERSION}&$filter={quote(odata, safe='')}"


def _envelope(key: str, body: bytes) -> dict:
    try:
        page = json.loads(body)
    except ValueError as exc:
        raise SourceError(NAME, f"{key}: not JSON ({exc}): {body[:80]!r}") from exc
    if not isinstance(page, dict) or not isinstance(page.get("Items"), list):
        keys = list(page)[:8] if isinstance(page, dict) else type(page).__name__
        raise SourceError(NAME, f"{key}: expected the Retail Prices envelope with an Items list, got {keys}")
    return page


def fetch(client: HttpClient, urls: dict[str, str]) -> dict[str, bytes]:
    """Every page of every region, following NextPageLink (on the same host) until it is null."""
    host = urlsplit(urls["azure"]).hostname
    payloads = {}
    for region in regions():
        url, seen = query_url(urls["azure"], region), set()
        for page in range(1, MAX_PAGES + 1):
            key = f"{region}-{page:03d}"
            payloads[key] = client.get(url).content
            seen.add(url)
            url = _envelope(key, payloads[key]).get("NextPageLink")
            if not url:
                break
            if urlsplit(url).hostname != host:
                raise SourceError(NAME, f"{key}: NextPageLink leaves {host}: {url}")
            if url in seen:
                raise SourceError(NAME, f"{key}: NextPageLink repeats an earlier page: {url}")
        else:
            raise SourceError(NAME, f"{region}: still a NextPageLink after {MAX_PAGES} pages")
    return payloads


def sku_key(column: str) -> pl.Expr:
    """A SKU name in one spelling whatever the field: armSkuName 'Standard_NC40ads_H100_v5' and
    skuName 'NC40adsH100v5' or 'NC4as T4 v3' both become 'nc40adsh100v5' / 'nc4ast4v3'."""
    return (
        pl.col(column)
        .str.to_lowercase()
        .str.replace(r"^standard_", "")
        .str.replace(r" (spot|low priority)$", "")
        .str.replace_all(r"[ _]", "")
    )


def parse_items(items: list[dict], billing_currency: str = "USD") -> pl.DataFrame:
    """API items -> raw rows for GPU (N-series) SKUs. Raises on missing fields or a currency other than USD."""
    frame = pl.from_dicts(items, schema=FIELDS) if items else pl.DataFrame(schema=FIELDS)
    missing = [f for f in REQUIRED if frame.height and frame[f].null_count() == frame.height]
    if missing:
        raise SourceError(NAME, f"items have no {', '.join(missing)} field(s); fields seen: {sorted(items[0])[:12]}")
    frame = frame.rename(COLUMNS).with_columns(
        pl.col("currency_code").fill_null(billing_currency),
        pl.coalesce(pl.col("arm_sku_name").replace("", None), pl.col("sku_name")).alias("_sku"),
    )
    foreign = frame.filter(pl.col("currency_code") != "USD")
    if foreign.height:
        raise SourceError(
            NAME,
            f"{foreign.height} price(s) in {foreign['currency_code'][0]}, not USD: gpucost rejects non-USD prices "
            "rather than convert them",
        )
    # N-series: NC, ND, NV, NG, and the confidential NCC
    return (
        frame.with_columns(sku_key("_sku").alias("sku_key"))
        .filter(pl.col("sku_key").str.contains(r"^n[cdvg]c?\d"))
        .drop("_sku")
    )


def parse(payloads: dict[str, bytes]) -> pl.DataFrame:
    frames = []
    for key, body in sorted(payloads.items()):
        page = _envelope(key, body)
        frames.append(parse_items(page["Items"], page.get("BillingCurrency") or "USD"))
    frame = pl.concat(frames) if frames else pl.DataFrame()
    if frame.is_empty():
        raise SourceError(NAME, f"no GPU (N-series) VM prices in {len(payloads)} page(s)")
    return frame


def _linux_hourly(raw: pl.DataFrame) -> pl.DataFrame:
    """Linux pay-as-you-go hourly meters with a price: what an on-demand or spot row can come from."""
    return raw.filter(
        (pl.col("price_type") == "Consumption")
        & (pl.col("unit_of_measure") == "1 Hour")
        & (pl.col("retail_price") > 0)
        & ~pl.col("product_name").str.contains(r"Windows|Cloud Services")
        & ~pl.col("meter_name").str.contains("Low Priority")
        & ~pl.col("sku_name").str.contains("Low Priority")
    )


def _mapping() -> pl.DataFrame:
    skus = load_mapping(AZURE_GPU_SKUS)
    return skus.with_columns(sku_key("arm_sku_name").alias("sku_key")).select(
        "sku_key", pl.col("arm_sku_name").alias("instance_type"), "gpu_name", "gpu_count"
    )


def normalize(raw: pl.DataFrame) -> pl.DataFrame:
    """One row per (region, SKU, on_demand|spot), priced per instance-hour; SKUs the map lacks are left out (see
    unmapped_skus); a Spot meter at or above its on-demand price is a placeholder, dropped (see placeholders).
    """
    return split_placeholders(_all_offers(raw))[0]


def placeholders(raw: pl.DataFrame) -> int:
    """How many Spot prices normalize drops for being at or above their SKU's on-demand price in the region."""
    return split_placeholders(_all_offers(raw))[1].height


def _all_offers(raw: pl.DataFrame) -> pl.DataFrame:
    rows = (
        _linux_hourly(raw)
        .join(_mapping(), on="sku_key", how="inner")
        .with_columns(
            pl.when(pl.col("meter_name").str.contains(" Spot") | pl.col("sku_name").str.contains(" Spot"))
            .then(pl.lit("spot"))
            .otherwise(pl.lit("on_demand"))
            .alias("pricing")
        )
    )
    return as_offers(
        rows.group_by(
            "source",
            pl.col("arm_region_name").alias("region"),
            "instance_type",
            pl.col("gpu_name").alias("gpu_name_raw"),
            "gpu_count",
            "pricing",
            "snapshot_date",
            "fetched_at",
            "origin",
        )
        .agg(pl.col("retail_price").min().alias("price_per_hour_usd"))
        .with_columns(
            pl.lit("azure").alias("provider"), pl.lit("instance").alias("price_basis"), pl.lit("USD").alias("currency")
        )
        .sort("region", "instance_type", "pricing")
    )


def unmapped_skus(raw: pl.DataFrame) -> pl.DataFrame:
    """GPU SKUs with a Linux hourly price that azure_gpu_skus.csv does not map: kept out of core.gpu_prices, listed."""
    return (
        _linux_hourly(raw)
        .join(_mapping(), on="sku_key", how="anti")
        .group_by("sku_key")
        .agg(
            pl.coalesce(pl.col("arm_sku_name").replace("", None), "sku_name").first().alias("example_sku"),
            pl.len().alias("prices"),
            pl.col("arm_region_name").unique().sort().str.join(", ").alias("regions"),
            pl.col("product_name").first().alias("example_product"),
        )
        .sort("sku_key")
    )


SOURCE = Source(
    name=NAME,
    table="azure_vm_prices",
    description=(
        "Azure Retail Prices API (prices.azure.com/api/retail/prices, Virtual Machines, Consumption), Microsoft's own "
        "prices "
        "for GPU (N-series) VMs per region, every page followed: Linux on-demand and spot USD per instance-hour."
    ),
    base_urls=BASE_URLS,
    fetch=fetch,
    parse=parse,
    normalize=normalize,
    snapshot=Snapshot("assets.prices.snapshots.azure"),
    first_party_for="azure",
    providers=("azure",),
    placeholders=placeholders,
    summary="N-series on-demand and spot per region (every NextPageLink followed)",
)

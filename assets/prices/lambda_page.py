"""Lambda's public pricing page (lambda.ai/pricing), read with BeautifulSoup. Source name `lambda`.

Page structure (server-rendered; learned from public scrapers of it, e.g.
becloudready/gpu-price sources/lambdalabs.py and collectors noting the 2026 layout):
under "Instances pricing", four tab panels (role="tabpanel", aria-labelledby the tab
whose text is the instance size: 8x, 4x, 2x, 1x), each with a <table> headed
Plan | VRAM/GPU | vCPUs | RAM | STORAGE | PRICE/GPU/HR*. A row is
`<tr data-plan="NVIDIA H100 SXM"><th>NVIDIA H100 SXM</th><td data-label="VRAM/GPU">80 GB</td>…`.
CSS classes are hashed and change between deploys, so we match header text,
data-label and the tab semantics, never classes. Other tables on the page (the
1-Click Clusters' reserved prices) have no VRAM/GPU column and are left out.

Prices are per GPU-hour, the same in every region (the page names none: region is
NULL). An instance of N GPUs costs N x the per-GPU price; its name follows Lambda's
API naming (gpu_8x_h100_sxm5) so rows compare with catalogs built from the API.
"""

from __future__ import annotations

import re

import polars as pl
from bs4 import BeautifulSoup, Tag

from assets.errors import SourceError
from assets.http import HttpClient
from assets.prices.offers import as_offers, clean_text, usd_amount
from assets.source import Snapshot, Source

NAME = "lambda"
BASE_URLS = {"lambda_pricing": "https://lambda.ai"}
PAGE_PATH = "/pricing"
PAYLOAD = "pricing"
PRICE_HEADER = "PRICE/GPU/HR"
VRAM_HEADER = "VRAM/GPU"

RAW_SCHEMA = {
    "plan": pl.String,  # the row's plan as shown: "NVIDIA H100 SXM"
    "instance_size": pl.Float64,  # GPUs per instance, from the tab: 8x -> 8
    "vram_per_gpu_gb": pl.Float64,
    "vcpus": pl.Float64,
    "ram": pl.String,
    "storage": pl.String,
    "price_per_gpu_hour_usd": pl.Float64,
}

# Plan -> Lambda API instance-name stem, as the API names them (lambda/vms.csv captures,
# anycloud-sh/catalog 2026-05-07). Keyed by plan and VRAM where one plan has two memory sizes.
INSTANCE_STEMS = {
    "nvidia b200 sxm6": "b200_sxm6",
    "nvidia h100 sxm": "h100_sxm5",
    "nvidia h100 pcie": "h100_pcie",
    "nvidia gh200": "gh200",
    "nvidia a100 sxm 80gb": "a100_80gb_sxm4",
    "nvidia a100 sxm": "a100",
    "nvidia a10": "a10",
    "nvidia rtx a6000": "a6000",
    "nvidia quadro rtx 6000": "rtx6000",
    "nvidia tesla v100": "v100",
}


def fetch(client: HttpClient, urls: dict[str, str]) -> dict[str, bytes]:
    return {PAYLOAD: client.get(urls["lambda_pricing"] + PAGE_PATH).content}


def _header_texts(table: Tag) -> list[str]:
    head = table.find("thead") or table.find("tr")
    return [clean_text(th.get_text()) for th in head.find_all("th")] if head else []


def _is_instance_table(headers: list[str]) -> bool:
    upper = [h.upper() for h in headers]
    return any(h.startswith(PRICE_HEADER) for h in upper) and VRAM_HEADER in upper


def _instance_size(table: Tag, soup: BeautifulSoup) -> float:
    """GPUs per instance from the tab that labels the table's panel ('8x' -> 8)."""
    panel = table.find_parent(attrs={"role": "tabpanel"})
    tab = soup.find(id=panel.get("aria-labelledby")) if panel is not None and panel.get("aria-labelledby") else None
    match = re.fullmatch(r"(\d+)\s*x", clean_text(tab.get_text()).lower()) if tab is not None else None
    if not match:
        raise SourceError(
            NAME,
            "an instance price table is not in a tab labelled with its instance size (8x, 4x, 2x, 1x): the page layout "
            "changed",
        )
    return float(match.group(1))


def _row(tr: Tag, headers: list[str]) -> dict[str, str]:
    """A row's cells keyed by data-label, falling back to the column header."""
    cells = tr.find_all(["th", "td"])
    return {
        (cell.get("data-label") or (headers[i] if i < len(headers) else str(i))).upper().rstrip("*"): clean_text(
            cell.get_text()
        )
        for i, cell in enumerate(cells)
    }


def _number(text: str | None) -> float | None:
    match = re.search(r"\d+(?:\.\d+)?", (text or "").replace(",", ""))
    return float(match.group()) if match else None


def parse(payloads: dict[str, bytes]) -> pl.DataFrame:
    if PAYLOAD not in payloads:
        raise SourceError(NAME, f"no {PAYLOAD} page in the response")
    soup = BeautifulSoup(payloads[PAYLOAD], "lxml")
    tables = [t for t in soup.find_all("table") if _is_instance_table(_header_texts(t))]
    if not tables:
        raise SourceError(
            NAME,
            f"no instance price table on {PAGE_PATH} (headers '{VRAM_HEADER}' and '{PRICE_HEADER}*'): the page layout "
            "changed",
        )
    rows = []
    for table in tables:
        size = _instance_size(table, soup)
        headers = _header_texts(table)
        for tr in (table.find("tbody") or table).find_all("tr"):
            cells = _row(tr, headers)
            plan = clean_text(tr.get("data-plan")) or next(iter(cells.values()), "")
            price = usd_amount(cells.get(PRICE_HEADER))
            if (
                price is None or not plan or plan.upper() == "PLAN"
            ):  # header row, or a plan shown without a price (sold out)
                continue
            rows.append(
                {
                    "plan": plan,
                    "instance_size": size,
                    "vram_per_gpu_gb": _number(cells.get(VRAM_HEADER)),
                    "vcpus": _number(cells.get("VCPUS")),
                    "ram": cells.get("RAM"),
                    "storage": cells.get("STORAGE"),
                    "price_per_gpu_hour_usd": price,
                }
            )
    if not rows:
        raise SourceError(NAME, f"the instance price tables have no '{PRICE_HEADER}*' prices")
    return pl.DataFrame(rows, schema=RAW_SCHEMA)


def _instance_stem(plan: pl.Expr, vram: pl.Expr) -> pl.Expr:
    """Lambda's API stem for a plan; unknown plans get one built from their name (lowercase, underscores)."""
    with_vram = pl.format("{} {}gb", plan.str.to_lowercase(), vram.cast(pl.Int64))
    derived = (
        plan.str.to_lowercase().str.replace(r"^nvidia\s+", "").str.replace_all(r"[^a-z0-9]+", "_").str.strip_chars("_")
    )
    return pl.coalesce(
        with_vram.replace_strict(INSTANCE_STEMS, default=None),
        plan.str.to_lowercase().replace_strict(INSTANCE_STEMS, default=None),
        derived,
    )


def normalize(raw: pl.DataFrame) -> pl.DataFrame:
    """One on-demand offer per (plan, instance size): the instance price is the per-GPU price x its GPUs."""
    offers = raw.filter(pl.col("price_per_gpu_hour_usd") > 0).with_columns(
        pl.lit(NAME).alias("provider"),
        pl.lit(None, pl.String).alias("region"),
        pl.format(
            "gpu_{}x_{}",
            pl.col("instance_size").cast(pl.Int64),
            _instance_stem(pl.col("plan"), pl.col("vram_per_gpu_gb")),
        ).alias("instance_type"),
        pl.col("plan").alias("gpu_name_raw"),
        pl.col("instance_size").alias("gpu_count"),
        pl.lit("on_demand").alias("pricing"),
        pl.lit("instance").alias("price_basis"),
        (pl.col("price_per_gpu_hour_usd") * pl.col("instance_size")).alias("price_per_hour_usd"),
        pl.lit("USD").alias("currency"),
    )
    return as_offers(offers.unique("instance_type", keep="first", maintain_order=True).sort("instance_type"))


SOURCE = Source(
    name=NAME,
    table="lambda_prices",
    description=(
        "Lambda's public pricing page (lambda.ai/pricing): on-demand USD per GPU-hour for every instance plan "
        "and size (8x, 4x, 2x, 1x), as listed on the page, one price for all regions. Instance names follow "
        "Lambda's API (gpu_8x_h100_sxm5); the instance price is the per-GPU price times its GPUs."
    ),
    base_urls=BASE_URLS,
    fetch=fetch,
    parse=parse,
    normalize=normalize,
    snapshot=Snapshot("assets.prices.snapshots.lambda_page"),
    first_party_for="lambda",
    summary="on-demand per GPU-hour for every plan and instance size, one price everywhere",
)

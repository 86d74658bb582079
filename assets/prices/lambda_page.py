"""Lambda's public pricing page (lambda.ai/pricing), parsed once with lxml (assets/markup.py). Source name `lambda`.

Page structure (server-rendered; verified by three independent public scrapers of it, see
/work/scratch/research_sources/lambda_page.md): under "Instances pricing", tab buttons whose text
is the instance size (8x, 4x, 2x, 1x) and one <table> per tab, headed
Plan | VRAM/GPU | vCPUs | RAM | STORAGE | PRICE/GPU/HR* (the asterisk refers to sales tax).
CSS classes are hashed and change between deploys, and no public copy shows `data-*`
attributes, so cells are matched by their column's header text and tables to tabs by the
tab's text: through `aria-labelledby` / `aria-controls` where the page links them, else in page
order (the n-th sized tab labels the n-th price table). Other tables on the page (1-Click
Clusters' reserved prices) have no VRAM/GPU column and are left out.

Prices are per GPU-hour, the same in every region (the page names none: region is NULL). An
instance of N GPUs costs N x the per-GPU price. Instance names are exactly Lambda's API names
(checked against the API's catalog of the same days, anycloud-sh/catalog lambda/vms.csv: every
page price x GPUs equals the API instance price): gpu_{N}x_{stem} with b200_sxm6, h100_sxm5,
h100_pcie, gh200, a100_80gb_sxm4 (80 GB SXM), a100 (40 GB SXM at 2x/4x/8x), a100_sxm4 (the 1x
40 GB SXM: "1x A100 (40 GB SXM4)"), a6000, a10, rtx6000, and v100_n for Tesla V100 (the page's
88-vCPU row; gpu_8x_v100 is a 92-vCPU twin at the same price). The 1x A100 PCIe is
`gpu_1x_a100`, Lambda's API name for it; Lambda has no `gpu_1x_a100_pcie`.
"""

from __future__ import annotations

import re

import polars as pl

from assets.errors import SourceError
from assets.http import HttpClient
from assets.markup import html_document, own_cells, own_rows, text
from assets.prices.offers import as_offers, clean_text, gib, usd_amount
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

# Plan -> Lambda API instance-name stem, as the API names them (lambda/vms.csv captures, anycloud-sh/catalog
# 2026-05-07; the page-to-API table in /work/scratch/research_sources/lambda_page.md). Keys are the plan,
# lower-case, with the VRAM where one plan has two memory sizes; "1x " keys hold for the 1-GPU tab only.
INSTANCE_STEMS = {
    "nvidia b200 sxm6": "b200_sxm6",
    "nvidia h100 sxm": "h100_sxm5",
    "nvidia h100 pcie": "h100_pcie",
    "nvidia gh200": "gh200",
    "nvidia a100 sxm 80gb": "a100_80gb_sxm4",
    "1x nvidia a100 sxm 40gb": "a100_sxm4",
    "nvidia a100 sxm 40gb": "a100",
    "nvidia a100 sxm": "a100",
    "nvidia a100 pcie": "a100",
    "nvidia a100 pcie 40gb": "a100",
    "nvidia a10": "a10",
    "nvidia a6000": "a6000",
    "nvidia rtx a6000": "a6000",
    "nvidia quadro rtx 6000": "rtx6000",
    "nvidia tesla v100": "v100_n",
}


def fetch(client: HttpClient, urls: dict[str, str]) -> dict[str, bytes]:
    return {PAYLOAD: client.get(urls["lambda_pricing"] + PAGE_PATH).content}


def _header_texts(table) -> list[str]:
    """The table's own header cells (its thead's, else its first row's), never a nested table's."""
    rows = table.xpath("./thead/tr") or own_rows(table)[:1]
    return [clean_text(text(th, "")) for row in rows for th in row.xpath("./th")]


def _is_instance_table(headers: list[str]) -> bool:
    upper = [h.upper() for h in headers]
    return any(h.startswith(PRICE_HEADER) for h in upper) and VRAM_HEADER in upper


def _tab_size(tab) -> float | None:
    match = re.fullmatch(r"(\d+)\s*x", clean_text(text(tab, "")).lower())
    return float(match.group(1)) if match else None


def _instance_sizes(tables: list, root) -> list[float]:
    """GPUs per instance of each price table, from the tab text that labels it ('8x' -> 8)."""
    tabs = [t for t in root.iter() if t.get("role") == "tab" and _tab_size(t) is not None]
    if not tabs:
        tabs = [t for t in root.iter("button", "a", "li") if _tab_size(t) is not None]
    by_panel = {}
    ids = {element.get("id"): element for element in root.iter() if element.get("id")}
    for tab in tabs:
        for attr in ("aria-controls", "data-target", "href"):
            if tab.get(attr):
                by_panel[str(tab.get(attr)).lstrip("#")] = _tab_size(tab)
    sizes = []
    for i, table in enumerate(tables):
        size = None
        panel = next((a for a in table.iterancestors() if a.get("role") == "tabpanel"), None)
        if panel is not None:
            labelled = panel.get("aria-labelledby")
            tab = ids.get(labelled) if labelled else None
            size = _tab_size(tab) if tab is not None else by_panel.get(panel.get("id", ""))
        if size is None and len(tabs) == len(tables):
            size = _tab_size(tabs[i])  # no link between tab and panel: the n-th tab labels the n-th table
        if size is None:
            raise SourceError(
                NAME,
                "an instance price table is not in a tab labelled with its instance size (8x, 4x, 2x, 1x): the page "
                f"layout changed ({len(tabs)} sized tabs for {len(tables)} price tables)",
            )
        sizes.append(size)
    return sizes


def _row(tr, headers: list[str]) -> dict[str, str]:
    """A row's cells keyed by their column header (upper-case, without the tax asterisk)."""
    cells = own_cells(tr)
    return {
        (headers[i] if i < len(headers) else str(i)).upper().rstrip("*").strip(): clean_text(text(cell, ""))
        for i, cell in enumerate(cells)
    }


def _number(text: str | None) -> float | None:
    match = re.search(r"\d+(?:\.\d+)?", (text or "").replace(",", ""))
    return float(match.group()) if match else None


def _plan_vram(plan: str) -> float | None:
    """VRAM written in the plan name ("NVIDIA A100 SXM 80 GB") where the VRAM/GPU cell is empty."""
    match = re.search(r"(\d+)\s*GB", plan, re.I)
    return float(match.group(1)) if match else None


def parse(payloads: dict[str, bytes]) -> pl.DataFrame:
    if PAYLOAD not in payloads:
        raise SourceError(NAME, f"no {PAYLOAD} page in the response")
    root = html_document(NAME, payloads[PAYLOAD])
    tables = [t for t in root.iter("table") if _is_instance_table(_header_texts(t))]
    if not tables:
        raise SourceError(
            NAME,
            f"no instance price table on {PAGE_PATH} (headers '{VRAM_HEADER}' and '{PRICE_HEADER}*'): the page layout "
            "changed",
        )
    rows = []
    for table, size in zip(tables, _instance_sizes(tables, root), strict=True):
        headers = _header_texts(table)
        for tr in own_rows(table):
            cells = _row(tr, headers)
            plan = cells.get("PLAN") or next(iter(cells.values()), "")
            price = usd_amount(cells.get(PRICE_HEADER))
            if price is None or not plan or plan.upper() == "PLAN":  # header row, or a plan without a price
                continue
            rows.append(
                {
                    "plan": plan,
                    "instance_size": size,
                    "vram_per_gpu_gb": _number(cells.get(VRAM_HEADER)) or _plan_vram(plan),
                    "vcpus": _number(cells.get("VCPUS")),
                    "ram": cells.get("RAM"),
                    "storage": cells.get("STORAGE"),
                    "price_per_gpu_hour_usd": price,
                }
            )
    if not rows:
        raise SourceError(NAME, f"the instance price tables have no '{PRICE_HEADER}*' prices")
    return pl.DataFrame(rows, schema=RAW_SCHEMA)


def _instance_stem(plan: pl.Expr, vram: pl.Expr, size: pl.Expr) -> pl.Expr:
    """Lambda's API stem for a plan; unknown plans get one built from their name (lowercase, underscores)."""
    name = plan.str.to_lowercase().str.replace(r"\s*\(.*\)$", "").str.replace(r"\s+\d+\s*gb$", "")
    with_vram = pl.format("{} {}gb", name, vram.cast(pl.Int64))
    sized = pl.format("{}x {}", size.cast(pl.Int64), with_vram)
    derived = name.str.replace(r"^nvidia\s+", "").str.replace_all(r"[^a-z0-9]+", "_").str.strip_chars("_")
    return pl.coalesce(
        sized.replace_strict(INSTANCE_STEMS, default=None),
        with_vram.replace_strict(INSTANCE_STEMS, default=None),
        name.replace_strict(INSTANCE_STEMS, default=None),
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
            _instance_stem(pl.col("plan"), pl.col("vram_per_gpu_gb"), pl.col("instance_size")),
        ).alias("instance_type"),
        pl.col("plan").alias("gpu_name_raw"),
        pl.col("instance_size").alias("gpu_count"),
        pl.lit("on_demand").alias("pricing"),
        pl.lit("instance").alias("price_basis"),
        (pl.col("price_per_gpu_hour_usd") * pl.col("instance_size")).alias("price_per_hour_usd"),
        pl.lit("USD").alias("currency"),
        gib(pl.col("ram")).alias("memory_gib"),
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
    providers=("lambda",),
    summary="on-demand per GPU-hour for every plan and instance size, one price everywhere",
)

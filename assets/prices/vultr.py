"""Vultr's plan lists (GET https://api.vultr.com/v2/plans and /v2/plans-metal): keyless, USD per instance-hour.

Requests: `/v2/plans?type=all&per_page=500` (cloud plans; GPU plans are `type` vcg) and
`/v2/plans-metal?per_page=500` (bare metal), no Authorization (dstackai/gpuhunt's live Vultr test
runs without a secret, src/gpuhunt/providers/vultr.py). Both page by cursor:
`meta: {total, links: {next, prev}}`, the end when `links.next` is "" (vultr/govultr meta.go);
every page is followed. Fields (govultr plans.go; gpuhunt): `id`, `vcpu_count` (metal:
`cpu_threads`), `ram` (MB), `disk` (GB), `hourly_cost` / `monthly_cost` (USD per instance),
`locations` (region ids), and on cloud GPU plans `gpu_type` ("NVIDIA_A100") and `gpu_vram_gb`
(the plan's total VRAM). One offer per (plan, location), on-demand only.

GPU count: cloud GPU plans are often a fraction of one GPU (vcg-a100-1c-6g-4vram is 4 GB of an
80 GB A100): gpu_count = gpu_vram_gb / the GPU's memory, kept as a fraction (gpuhunt rounds it up
to 1; our notes keep fractions, as for AWS g6f and Azure NV*ads_A10_v5). Bare-metal plans carry
no GPU fields: their GPUs come from the plan id, as gpuhunt's BARE_METAL_GPU_DETAILS has them;
an unknown GPU metal plan is kept with its id as GPU name (the unknown-GPU check lists it).
`hourly_cost_preemptible` on some metal plans is kept raw but never used as spot: its meaning is
not documented (/work/scratch/research_sources/vultr.md).
"""

from __future__ import annotations

import json

import polars as pl

from assets.errors import SourceError
from assets.http import HttpClient
from assets.prices.offers import as_offers, missing_fields
from assets.source import Snapshot, Source

NAME = "vultr"
BASE_URLS = {"vultr_api": "https://api.vultr.com/v2"}
LISTS = {"plans": ("/plans", {"type": "all", "per_page": "500"}), "plans-metal": ("/plans-metal", {"per_page": "500"})}
LIST_KEYS = {"plans": "plans", "plans-metal": "plans_metal"}  # the JSON key holding each list's plans
MAX_PAGES = 50
REQUIRED = ("id", "hourly_cost", "locations")

# Memory of one GPU, GB, to count GPUs from a plan's total VRAM (gpuhunt get_gpu_memory: "VULTR A100 instances
# have 80GB"; the others are the GPUs' datasheet memory).
GPU_MEMORY_GB = {"A100": 80, "A40": 48, "A16": 16, "L40S": 48, "L40": 48, "H100": 80, "GH200": 96, "MI300X": 192}
# Bare-metal GPU plans: id -> (GPUs, GPU name) (gpuhunt BARE_METAL_GPU_DETAILS; `-8-l40-gpu` is the L40S there)
BARE_METAL_GPUS = {
    "vbm-48c-1024gb-4-a100-gpu": (4, "A100"),
    "vbm-112c-2048gb-8-h100-gpu": (8, "H100"),
    "vbm-112c-2048gb-8-a100-gpu": (8, "A100"),
    "vbm-64c-2048gb-8-l40-gpu": (8, "L40S"),
    "vbm-72c-480gb-gh200-gpu": (1, "GH200"),
    "vbm-256c-2048gb-8-mi300x-gpu": (8, "MI300X"),
}

RAW_SCHEMA = {
    "plan_list": pl.String,  # plans | plans-metal
    "plan_id": pl.String,
    "plan_type": pl.String,  # vcg (cloud GPU), vc2, ...; the disk type on metal plans
    "location": pl.String,
    "vcpus": pl.Float64,
    "ram_mb": pl.Float64,
    "disk_gb": pl.Float64,
    "gpu_type": pl.String,
    "gpu_vram_gb": pl.Float64,
    "hourly_cost": pl.Float64,
    "monthly_cost": pl.Float64,
    "hourly_cost_preemptible": pl.Float64,
}


def fetch(client: HttpClient, urls: dict[str, str]) -> dict[str, bytes]:
    """Every page of both lists, following meta.links.next (the cursor) until it is empty."""
    payloads = {}
    for name, (path, params) in LISTS.items():
        cursor, seen = None, set()
        for page in range(1, MAX_PAGES + 1):
            query = {**params, **({"cursor": cursor} if cursor else {})}
            body = client.get(urls["vultr_api"] + path, params=query).content
            payloads[f"{name}-{page:03d}"] = body
            cursor = _next_cursor(body, f"{name}-{page:03d}")
            if not cursor:
                break
            if cursor in seen:
                raise SourceError(NAME, f"{name}: the cursor {cursor[:40]!r} came back twice: paging loops")
            seen.add(cursor)
        else:
            raise SourceError(NAME, f"{name}: more than {MAX_PAGES} pages: refusing to page on")
    return payloads


def _document(body: bytes, what: str) -> dict:
    try:
        document = json.loads(body)
    except ValueError as exc:
        raise SourceError(NAME, f"{what}: the response is not JSON ({exc})") from exc
    if not isinstance(document, dict):
        raise SourceError(NAME, f"{what}: the response is a {type(document).__name__}, not an object")
    if "error" in document and LIST_KEYS.get(what.rsplit("-", 1)[0]) not in document:
        raise SourceError(NAME, f"{what}: error {document['error']!r}")
    return document


def _next_cursor(body: bytes, what: str) -> str | None:
    links = ((_document(body, what).get("meta") or {}).get("links")) or {}
    return links.get("next") or None


def parse(payloads: dict[str, bytes]) -> pl.DataFrame:
    rows = []
    for name, key in LIST_KEYS.items():
        pages = sorted(k for k in payloads if k.rsplit("-", 1)[0] == name)
        if not pages:
            raise SourceError(NAME, f"no {name} response")
        for page in pages:
            plans = _document(payloads[page], page).get(key)
            if not isinstance(plans, list):
                raise SourceError(NAME, f"{page}: the response has no '{key}' list")
            missing = missing_fields(plans, REQUIRED)
            if missing:
                raise SourceError(NAME, f"{page}: plans lack the field(s) {', '.join(missing)}")
            for plan in plans:
                for location in plan.get("locations") or []:
                    rows.append(
                        {
                            "plan_list": name,
                            "plan_id": plan["id"],
                            "plan_type": plan.get("type"),
                            "location": location,
                            "vcpus": plan.get("vcpu_count") or plan.get("cpu_threads"),
                            "ram_mb": plan.get("ram"),
                            "disk_gb": plan.get("disk"),
                            "gpu_type": plan.get("gpu_type"),
                            "gpu_vram_gb": plan.get("gpu_vram_gb"),
                            "hourly_cost": plan.get("hourly_cost"),
                            "monthly_cost": plan.get("monthly_cost"),
                            "hourly_cost_preemptible": plan.get("hourly_cost_preemptible"),
                        }
                    )
    try:
        frame = pl.DataFrame(rows, schema=RAW_SCHEMA)
    except (TypeError, ValueError, pl.exceptions.PolarsError) as exc:
        raise SourceError(NAME, f"plans hold a value of the wrong type ({exc})") from exc
    gpu = frame.filter(_is_gpu_plan())
    if gpu.is_empty():
        raise SourceError(NAME, f"no GPU plans (type vcg, or a metal plan with 'gpu' in its id) among {frame.height}")
    return gpu


def _is_gpu_plan() -> pl.Expr:
    return ((pl.col("plan_list") == "plans") & (pl.col("plan_type") == "vcg")) | (
        (pl.col("plan_list") == "plans-metal") & pl.col("plan_id").str.contains("gpu")
    )


def normalize(raw: pl.DataFrame) -> pl.DataFrame:
    """One on-demand offer per (plan, location); a cloud GPU plan's GPUs may be a fraction of one."""
    cloud_name = pl.col("gpu_type").str.split("_").list.last()
    metal = {plan: name for plan, (_, name) in BARE_METAL_GPUS.items()}
    metal_count = {plan: float(n) for plan, (n, _) in BARE_METAL_GPUS.items()}
    is_metal = pl.col("plan_list") == "plans-metal"
    name = pl.when(is_metal).then(pl.col("plan_id").replace_strict(metal, default=None)).otherwise(cloud_name)
    count = (
        pl.when(is_metal)
        .then(pl.col("plan_id").replace_strict(metal_count, default=None))
        .otherwise(
            pl.col("gpu_vram_gb") / cloud_name.replace_strict(GPU_MEMORY_GB, default=None, return_dtype=pl.Float64)
        )
    )
    offers = raw.filter(pl.col("hourly_cost") > 0).with_columns(
        pl.lit(NAME).alias("provider"),
        pl.col("location").alias("region"),
        pl.col("plan_id").alias("instance_type"),
        pl.coalesce(name, pl.col("gpu_type"), pl.col("plan_id")).alias("gpu_name_raw"),
        pl.coalesce(count, pl.lit(1.0)).alias("gpu_count"),
        pl.lit("on_demand").alias("pricing"),
        pl.lit("instance").alias("price_basis"),
        pl.col("hourly_cost").alias("price_per_hour_usd"),
        pl.lit("USD").alias("currency"),
        (pl.col("ram_mb") / 1024).alias("memory_gib"),  # the API's ram is in MiB
    )
    return as_offers(offers.unique(["region", "instance_type"], keep="first").sort("instance_type", "region"))


SOURCE = Source(
    name=NAME,
    table="vultr_plans",
    description=(
        "Vultr's public plan lists (api.vultr.com/v2/plans?type=all and /v2/plans-metal, every page): GPU plans "
        "(cloud GPU type vcg, bare-metal GPU servers) with their USD hourly and monthly cost per instance, one row "
        "per plan and location. No key."
    ),
    base_urls=BASE_URLS,
    fetch=fetch,
    parse=parse,
    normalize=normalize,
    snapshot=Snapshot("assets.prices.snapshots.vultr"),
    first_party_for="vultr",
    providers=("vultr",),
    summary="cloud GPU (fractional GPUs kept as fractions) and bare-metal GPU plans per location, on-demand",
)

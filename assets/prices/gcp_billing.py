"""Google Cloud's Cloud Billing Catalog API (Compute Engine SKUs): GCP's own prices, with an API key.

`GET https://cloudbilling.googleapis.com/v1/services/6F81-5844-456A/skus?currencyCode=USD&pageSize=5000
[&pageToken=…]`; the key goes in the `X-goog-api-key` header (docs.cloud.google.com/docs/authentication/
api-keys-use), never in the URL, so no error message or log can carry it. "You must have an API key to
call the Cloud Billing Catalog API" (cloud.google.com/billing/v1/how-tos/catalog-api): without
GPUCOST_GCP_API_KEY the source is skipped (Source.skip_reason), and GCP prices still come from the keyless
aggregated catalogs (skypilot_gcp, gpuhunt_gcp). Paging: `nextPageToken`, the end when it is missing or ""
(SkyPilot fetch_gcp.py `get_skus`); a token seen twice is an error, not a loop.

Each SKU: `skuId`, `description`, `category {resourceFamily, resourceGroup, usageType}`,
`serviceRegions []`, `pricingInfo[0].pricingExpression {usageUnit, tieredRates[].unitPrice {units
(a string), nanos}}`: price = units + nanos / 1e9 per usage unit (GPU: one GPU-hour; core: one
vCPU-hour; RAM: one GiB-hour). Kept: Compute GPU SKUs, and the core / RAM SKUs of the GPU host
families (A2, A3, A3Plus, G2). Mapping, as SkyPilot (`get_gpu_price`) and gpuhunt (`Prices.add_skus`)
do it:
- the GPU model from the description, longest pattern first ("Nvidia Tesla A100 80GB GPU" before
  "Nvidia Tesla A100 GPU"); descriptions for DWS / Calendar Mode / Flex-start, reserved, premium,
  custom, sole tenancy, suspended and Virtual Workstation SKUs are dropped (their prices are not
  the on-demand list price: SkyPilot's A100 80GB spot above on-demand comes from such a match);
- usageType OnDemand = on_demand, Preemptible = spot, Commit1Yr / Commit3Yr = committed 1y / 3y;
- one SKU lists several regions: one row per region.
Instances: where a region has the host family's core and RAM SKUs for that usage, the machine type's
price is vCPUs x core + GiB x RAM + GPUs x GPU (a2-highgpu-1g = 12 x 0.031611 + 85 x 0.004237 +
2.933908 = 3.673386 USD/h, SkyPilot's documented check), named as GCP (and SkyPilot) name it. GPUs
without such a host (T4, V100, P100, P4 attach to any N1 VM; a family whose host SKUs are missing)
are GPU-only prices (price_basis gpu_only), named `<GPU>:<count>` as SkyPilot names them. Machine
shapes (vCPUs, GiB) are GCP's documented machine types (cloud.google.com/compute/docs/gpus).
"""

from __future__ import annotations

import json
import re

import polars as pl

from assets.errors import SourceError, SourceSkipped
from assets.http import HttpClient
from assets.prices.offers import as_offers, split_placeholders
from assets.source import Snapshot, Source

NAME = "gcp_billing"
KEY_ENV = "GPUCOST_GCP_API_KEY"
BASE_URLS = {"gcp_billing": "https://cloudbilling.googleapis.com"}
COMPUTE_SERVICE = "6F81-5844-456A"
SKUS_PATH = f"/v1/services/{COMPUTE_SERVICE}/skus"
PAGE_SIZE = 5000
MAX_PAGES = 50

# (description pattern, SkyPilot's accelerator name), most specific first
GPU_PATTERNS = (
    (r"\bH100 (?:80GB )?(?:Mega|Plus)\b|\bH100 Mega 80GB\b", "H100-MEGA"),
    (r"\bH100 80GB\b", "H100"),
    (r"\bH200 141GB\b", "H200"),
    (r"\bB200\b", "B200"),
    (r"\bA100 80GB\b", "A100-80GB"),
    (r"\bA100\b", "A100"),
    (r"\bRTX 6000 96GB\b|\bRTX PRO 6000\b", "RTXPRO6000"),
    (r"\bL4\b", "L4"),
    (r"\bT4\b", "T4"),
    (r"\bV100\b", "V100"),
    (r"\bP100\b", "P100"),
    (r"\bP4\b", "P4"),
)
EXCLUDED = re.compile(
    r"DWS|Calendar Mode|Flex|Reserved|Premium|Custom|Sole Tenancy|suspended|Virtual Workstation", re.IGNORECASE
)
USAGE = {
    "OnDemand": ("on_demand", None),
    "Preemptible": ("spot", None),
    "Commit1Yr": ("committed", "1y"),
    "Commit3Yr": ("committed", "3y"),
}
# host family description prefix -> family key
HOST_FAMILIES = {"A2": "a2", "A3Plus": "a3plus", "A3": "a3", "G2": "g2"}
HOST_SKU = re.compile(r"^(?:Spot Preemptible )?(A2|A3Plus|A3|G2) Instance (Core|Ram)\b", re.IGNORECASE)
# machine type -> (host family, GPU accelerator, GPUs, vCPUs, GiB): cloud.google.com/compute/docs/gpus
# (a2-highgpu-1g 12 vCPU / 85 GB and a2-ultragpu-1g 12 / 170 also in SkyPilot's gcp vms.csv)
MACHINES = {
    **{f"a2-highgpu-{n}g": ("a2", "A100", n, 12 * n, 85 * n) for n in (1, 2, 4, 8)},
    "a2-megagpu-16g": ("a2", "A100", 16, 96, 1360),
    **{f"a2-ultragpu-{n}g": ("a2", "A100-80GB", n, 12 * n, 170 * n) for n in (1, 2, 4, 8)},
    "a3-highgpu-8g": ("a3", "H100", 8, 208, 1872),
    "a3-megagpu-8g": ("a3plus", "H100-MEGA", 8, 208, 1872),
    **{f"g2-standard-{v}": ("g2", "L4", n, v, 4 * v) for v, n in ((4, 1), (8, 1), (12, 1), (16, 1), (32, 1))},
    **{f"g2-standard-{v}": ("g2", "L4", n, v, 4 * v) for v, n in ((24, 2), (48, 4), (96, 8))},
}
# GPU-only counts where no host is priced (GCP's attachable counts per GPU)
GPU_ONLY_COUNTS = {
    "T4": (1, 2, 4),
    "V100": (1, 2, 4, 8),
    "P100": (1, 2, 4),
    "P4": (1, 2, 4),
    "L4": (1, 2, 4, 8),
    "A100": (1, 2, 4, 8, 16),
    "A100-80GB": (1, 2, 4, 8),
    "H100": (8,),
    "H100-MEGA": (8,),
    "H200": (8,),
    "B200": (8,),
    "RTXPRO6000": (1, 2, 4, 8),
}

RAW_SCHEMA = {
    "sku_id": pl.String,
    "description": pl.String,
    "resource_family": pl.String,
    "resource_group": pl.String,
    "usage_type": pl.String,
    "region": pl.String,
    "usage_unit": pl.String,
    "unit_price": pl.Float64,
    "currency_code": pl.String,
    "effective_time": pl.String,
}


def fetch(client: HttpClient, urls: dict[str, str]) -> dict[str, bytes]:
    key = SOURCE.api_key()
    if not key:
        raise SourceSkipped(NAME, f"{KEY_ENV} is not set: the Cloud Billing Catalog API needs an API key")
    headers = {"X-goog-api-key": key, "Accept": "application/json"}
    payloads, token, seen = {}, None, set()
    for page in range(1, MAX_PAGES + 1):
        params = {"currencyCode": "USD", "pageSize": str(PAGE_SIZE), **({"pageToken": token} if token else {})}
        body = client.get(urls["gcp_billing"] + SKUS_PATH, params=params, headers=headers).content
        payloads[f"skus-{page:03d}"] = body
        token = _skus(body, f"skus-{page:03d}")[1]
        if not token:
            return payloads
        if token in seen:
            raise SourceError(NAME, f"page {page}: nextPageToken {token[:24]!r}... came back twice: paging loops")
        seen.add(token)
    raise SourceError(NAME, f"more than {MAX_PAGES} pages of {PAGE_SIZE} SKUs: refusing to page on")


def _skus(body: bytes, key: str) -> tuple[list, str | None]:
    try:
        document = json.loads(body)
    except ValueError as exc:
        raise SourceError(NAME, f"{key}: the response is not JSON ({exc})") from exc
    if not isinstance(document, dict):
        raise SourceError(NAME, f"{key}: the response is a {type(document).__name__}, not an object")
    if "error" in document:
        error = document["error"] if isinstance(document["error"], dict) else {"message": document["error"]}
        raise SourceError(NAME, f"{key}: API error {error.get('code', '')} {error.get('message', '')}".rstrip())
    skus = document.get("skus")
    if not isinstance(skus, list):
        raise SourceError(NAME, f"{key}: the response has no skus list")
    return skus, document.get("nextPageToken") or None


def _unit_price(sku: dict) -> tuple[float | None, str | None, str | None, str | None]:
    """(price per usage unit, unit, currency, effective time) of the SKU's current pricing, first priced tier."""
    info = (sku.get("pricingInfo") or [{}])[0]
    expression = info.get("pricingExpression") or {}
    for tier in expression.get("tieredRates") or []:
        price = tier.get("unitPrice") or {}
        try:
            value = round(int(price.get("units") or 0) + int(price.get("nanos") or 0) / 1e9, 9)
        except (TypeError, ValueError) as exc:
            raise SourceError(NAME, f"SKU {sku.get('skuId')}: unitPrice {price!r} is not units + nanos") from exc
        if value > 0:
            return value, expression.get("usageUnit"), price.get("currencyCode"), info.get("effectiveTime")
    return None, expression.get("usageUnit"), None, info.get("effectiveTime")


def _kept(sku: dict) -> bool:
    category = sku.get("category") or {}
    if category.get("resourceFamily") != "Compute":
        return False
    group, description = category.get("resourceGroup"), sku.get("description") or ""
    return group == "GPU" or (group in ("CPU", "RAM") and HOST_SKU.match(description) is not None)


def parse(payloads: dict[str, bytes]) -> pl.DataFrame:
    pages = sorted(k for k in payloads if k.startswith("skus-"))
    if not pages:
        raise SourceError(NAME, "no skus response")
    rows = []
    for key in pages:
        skus, _ = _skus(payloads[key], key)
        for sku in skus:
            if not isinstance(sku, dict):
                raise SourceError(NAME, f"{key}: a SKU is a {type(sku).__name__}, not an object")
            missing = [f for f in ("skuId", "description", "category", "pricingInfo") if f not in sku]
            if missing:
                raise SourceError(NAME, f"{key}: SKU {sku.get('skuId', '?')} lacks the field(s) {', '.join(missing)}")
            if not _kept(sku):
                continue
            price, unit, currency, effective = _unit_price(sku)
            category = sku["category"]
            for region in sku.get("serviceRegions") or []:
                rows.append(
                    {
                        "sku_id": sku["skuId"],
                        "description": sku["description"],
                        "resource_family": category.get("resourceFamily"),
                        "resource_group": category.get("resourceGroup"),
                        "usage_type": category.get("usageType"),
                        "region": region,
                        "usage_unit": unit,
                        "unit_price": price,
                        "currency_code": currency,
                        "effective_time": effective,
                    }
                )
    frame = pl.DataFrame(rows, schema=RAW_SCHEMA)
    if frame.filter(pl.col("resource_group") == "GPU").is_empty():
        raise SourceError(NAME, f"no GPU SKUs in {len(pages)} page(s) of Compute Engine SKUs")
    return frame


def _accelerator(description: pl.Expr) -> pl.Expr:
    out = pl.lit(None, pl.String)
    for pattern, name in reversed(GPU_PATTERNS):
        out = pl.when(description.str.contains(pattern)).then(pl.lit(name)).otherwise(out)
    return out


def _usage(raw: pl.DataFrame) -> pl.DataFrame:
    pricing = {k: v[0] for k, v in USAGE.items()}
    term = {k: v[1] for k, v in USAGE.items() if v[1]}
    return raw.filter(
        pl.col("usage_type").is_in(list(USAGE))
        & pl.col("unit_price").is_not_null()
        & ~pl.col("description").str.contains(EXCLUDED.pattern)
        & (pl.col("currency_code") == "USD")
    ).with_columns(
        pl.col("usage_type").replace_strict(pricing).alias("pricing"),
        pl.col("usage_type").replace_strict(term, default=None).alias("commitment_term"),
    )


def _all_offers(raw: pl.DataFrame) -> pl.DataFrame:
    rows = _usage(raw)
    key = ["region", "pricing", "commitment_term"]
    gpus = (
        rows.filter(pl.col("resource_group") == "GPU")
        .with_columns(_accelerator(pl.col("description")).alias("accelerator"))
        .filter(pl.col("accelerator").is_not_null())
        .group_by(*key, "accelerator")
        .agg(pl.col("unit_price").min().alias("gpu_price"))
    )
    hosts = (
        rows.filter(pl.col("resource_group").is_in(["CPU", "RAM"]))
        .with_columns(
            pl.col("description").str.extract(HOST_SKU.pattern, 1).str.to_lowercase().alias("family"),
            pl.col("description").str.extract(HOST_SKU.pattern, 2).str.to_lowercase().alias("part"),
        )
        .group_by(*key, "family", "part")
        .agg(pl.col("unit_price").min())
        .pivot("part", index=[*key, "family"], values="unit_price")
    )
    for part in ("core", "ram"):
        if part not in hosts.columns:
            hosts = hosts.with_columns(pl.lit(None, pl.Float64).alias(part))
    machines = pl.DataFrame(
        [
            {"instance_type": m, "family": f, "accelerator": a, "gpu_count": float(n), "vcpus": v, "ram_gib": r}
            for m, (f, a, n, v, r) in MACHINES.items()
        ]
    )
    instances = (
        gpus.join(machines, on="accelerator")
        .join(hosts, on=[*key, "family"], how="inner", nulls_equal=True)
        .filter(pl.col("core").is_not_null() & pl.col("ram").is_not_null())
        .with_columns(
            (
                pl.col("vcpus") * pl.col("core")
                + pl.col("ram_gib") * pl.col("ram")
                + pl.col("gpu_count") * pl.col("gpu_price")
            ).alias("price_per_hour_usd"),
            pl.lit("instance").alias("price_basis"),
        )
    )
    bound = instances.select(*key, "accelerator").unique()
    counts = pl.DataFrame([{"accelerator": a, "gpu_count": float(n)} for a, ns in GPU_ONLY_COUNTS.items() for n in ns])
    gpu_only = (
        gpus.join(bound, on=[*key, "accelerator"], how="anti", nulls_equal=True)
        .join(counts, on="accelerator")
        .with_columns(
            pl.format("{}:{}", "accelerator", pl.col("gpu_count").cast(pl.Int64)).alias("instance_type"),
            (pl.col("gpu_count") * pl.col("gpu_price")).alias("price_per_hour_usd"),
            pl.lit("gpu_only").alias("price_basis"),
        )
    )
    columns = [*key, "instance_type", "accelerator", "gpu_count", "price_per_hour_usd", "price_basis"]
    offers = pl.concat([instances.select(columns), gpu_only.select(columns)]).with_columns(
        pl.lit("gcp").alias("provider"),
        pl.col("accelerator").alias("gpu_name_raw"),
        pl.lit("USD").alias("currency"),
    )
    # one raw slice is one source and day: its provenance holds for every offer derived from it
    meta = {c: raw[c][0] for c in ("source", "snapshot_date", "fetched_at", "origin") if c in raw.columns}
    offers = offers.with_columns(pl.lit(value, raw.schema[c]).alias(c) for c, value in meta.items())
    return as_offers(offers.sort("region", "instance_type", "pricing", "commitment_term", nulls_last=True))


def normalize(raw: pl.DataFrame) -> pl.DataFrame:
    """Per region: machine-type prices (host + GPUs) where host SKUs exist, else GPU-only prices; spot and
    committed terms as their own rows; a spot price at or above on-demand is a placeholder (dropped)."""
    return split_placeholders(_all_offers(raw))[0]


def placeholders(raw: pl.DataFrame) -> int:
    return split_placeholders(_all_offers(raw))[1].height


SOURCE = Source(
    name=NAME,
    table="gcp_billing_skus",
    description=(
        "Google Cloud Billing Catalog API (cloudbilling.googleapis.com/v1/services/6F81-5844-456A/skus, every page; "
        "needs GPUCOST_GCP_API_KEY): Compute Engine GPU SKUs and the core / RAM SKUs of GPU host families, one row per "
        "SKU and region, USD per usage unit (GPU-hour, vCPU-hour, GiB-hour); on-demand, spot (Preemptible) and 1y / "
        "3y commitments."
    ),
    base_urls=BASE_URLS,
    fetch=fetch,
    parse=parse,
    normalize=normalize,
    placeholders=placeholders,
    snapshot=Snapshot("assets.prices.snapshots.gcp_billing"),
    first_party_for="gcp",
    key_env=KEY_ENV,
    providers=("gcp",),
    summary="GCP's own prices: machine types (host + GPUs) and GPU-only prices per region, on-demand, spot, 1y/3y",
)

"""SkyPilot hosted catalog: one CSV per cloud, built by SkyPilot from the providers' own price APIs.

Format (schema v8): `InstanceType, AcceleratorName, AcceleratorCount, vCPUs, MemoryGiB,
GpuInfo, Price, SpotPrice, Region, AvailabilityZone, Arch`, prices in USD per instance-hour.
Every cloud is its own source (`skypilot_<cloud>`, table `raw.skypilot_<cloud>`), so one
cloud's failure (a 404, a changed header) never loses the others' prices: each keeps its own
last good data and its own freshness. They share the base URLs (one setting points them all
at a mirror) and one snapshot package (one file per cloud).

The real catalogs differ per cloud (../shared/real-captures/SOURCES.md sections 1 and 9), and
parse/normalize handle each quirk:
- column order differs in almost every file, some add columns (UpstreamCloudId, StorageGiB):
  columns are read by header name, extra ones ignored;
- GpuInfo is a Python-dict string, real JSON (verda, primeintellect), or a Python dict with a
  JSON `null` (hyperstack); memory sizes are MiB, but GB in a MiB field (runpod, shadeform),
  a total in the per-GPU field multiplied again in the total (primeintellect), per GPU in the
  total field (lambda), or 0 (seeweb): `gpu_memory_gb` is per GPU after these rules, NULL when
  unknown, and only tells A100 40/80 GB and V100 16/32 GB apart;
- Vast's SpotPrice is always 0.00 (no price: dropped); Mithril's Price == SpotPrice = $1.00 per
  GPU-hour on every row is a bid limit, not a market price (dropped and counted as placeholders);
  a SpotPrice at or above Price is a placeholder (RunPod's catalog repeats Price), dropped and
  counted; Verda and Prime Intellect list spot-only rows with an empty Price (kept as spot);
- regions can be empty, `default` (hyperbolic) or `earth` (daytona): region NULL (one price
  everywhere); Lambda and OCI price every region alike, so their rows collapse to region NULL
  when all regions agree (the first-party sources have no region either);
- RunPod rows are named as the first-party RunPod source names them: region = the data centre
  (AvailabilityZone), instance `secure:<N>x <RunPod GPU type id>`;
- GCP GPU rows have no instance type and price the GPUs alone; the host VM (a2/a3/a4/g2) is its
  own row: joined, host + GPUs is the instance price; TPU slices are counted in chips.
See ../shared/notes/sources.md A1.
"""

from __future__ import annotations

import ast
import io
import json
import re

import polars as pl

from assets.errors import SourceError
from assets.http import RETRY_STATUSES, HttpClient
from assets.prices.offers import as_offers, split_placeholders, tpu_slice_chips
from assets.prices.runpod import runpod_instance
from assets.source import Snapshot, Source

NAME = "skypilot"
# cloud directory in catalogs/v8 -> gpucost provider name; every cloud with GPU rows in the hosted v8 catalog
# (../shared/real-captures/SOURCES.md sections 1 and 9; /work/scratch/research_sources/skypilot_v8.md)
CLOUDS: dict[str, str] = {
    "aws": "aws",
    "azure": "azure",
    "gcp": "gcp",
    "lambda": "lambda",
    "runpod": "runpod",
    "vast": "vast",
    "verda": "verda",
    "nebius": "nebius",
    "oci": "oci",
    "cudo": "cudo",
    "hyperstack": "hyperstack",
    "shadeform": "shadeform",
    "primeintellect": "primeintellect",
    "jarvislabs": "jarvislabs",
    "hyperbolic": "hyperbolic",
    "seeweb": "seeweb",
    "mithril": "mithril",
    "lium": "lium",
    "yotta": "yotta",
    "daytona": "daytona",
}
# aggregators: their rows are their own offers (you rent from them), named as they list them
AGGREGATORS = {"shadeform": "resells lambdalabs, crusoe, scaleway, vultr, ...", "primeintellect": "resells many clouds"}
BASE_URLS = {
    # GitHub raw answers 429 under load (since 2025-05); SkyPilot mirrors the catalog on S3.
    "skypilot": "https://raw.githubusercontent.com/skypilot-org/skypilot-catalog/master/catalogs/v8",
    "skypilot_mirror": "https://skypilot-catalog.s3.us-east-1.amazonaws.com/catalogs/v8",
}

COLUMNS = {
    "InstanceType": "instance_type",
    "AcceleratorName": "accelerator_name",
    "AcceleratorCount": "accelerator_count",
    "vCPUs": "vcpus",
    "MemoryGiB": "memory_gib",
    "GpuInfo": "gpu_info",
    "Price": "price",
    "SpotPrice": "spot_price",
    "Region": "region",
    "AvailabilityZone": "availability_zone",
    "Arch": "arch",
}
REQUIRED = ("InstanceType", "AcceleratorName", "AcceleratorCount", "Price", "Region")
NUMERIC = ("accelerator_count", "vcpus", "memory_gib", "price", "spot_price")
RAW_COLUMNS = ("cloud", *COLUMNS.values(), "gpu_memory_gb")

# Regions that name no place: the price holds everywhere.
NO_REGION = {"default", "earth"}
# Providers with one list price in every region (Lambda's API, OCI's price list): rows collapse to region NULL.
GLOBAL_PRICE = {"lambda", "oci"}
# Clouds whose prices are a limit, not a market price: (per-GPU price, why)
PLACEHOLDER_PRICES = {"mithril": (1.0, "Price == SpotPrice = $1.00 per GPU-hour on every row: a bid limit")}
# How a cloud's GpuInfo states memory (see the module docstring); default: TotalGpuMemoryInMiB is the total
MEMORY_RULES = {"lambda": "total_is_per_gpu", "primeintellect": "size_is_total"}
# Names that cover two memory sizes: the per-GPU memory tells them apart (as gpuhunt's catalogs do)
MEMORY_VARIANTS = {"A100": ((40, "A100"), (80, "A100-80GB")), "V100": ((16, "V100"), (32, "V100-32GB"))}

# GCP host machine types and the GPUs bound to them (cloud.google.com/compute/docs/gpus).
# (regex on the machine type, accelerator name as the GCP GPU rows spell it, GPU count or None = from the name)
GCP_HOSTS = (
    (r"^a2-highgpu-(\d+)g$", "A100", None),
    (r"^a2-megagpu-16g$", "A100", 16),
    (r"^a2-ultragpu-(\d+)g$", "A100-80GB", None),
    (r"^a3-highgpu-(\d+)g$", "H100", None),
    (r"^a3-edgegpu-8g(-nolssd)?$", "H100", 8),
    (r"^a3-megagpu-8g$", "H100-MEGA", 8),
    (r"^a3-ultragpu-8g(-nolssd)?$", "H200", 8),
    (r"^a4-highgpu-8g$", "B200", 8),
    (r"^g2-standard-\d+$", "L4", None),
)
# g2 machine types: L4 count by machine size (cloud.google.com/compute/docs/gpus#l4-gpus).
G2_L4_COUNT = {"4": 1, "8": 1, "12": 1, "16": 1, "32": 1, "24": 2, "48": 4, "96": 8}


def fetch_cloud(client: HttpClient, urls: dict[str, str], cloud: str) -> dict[str, bytes]:
    """One cloud's vms.csv; on HTTP 429 from GitHub, the S3 mirror."""
    path = f"/{cloud}/vms.csv"
    try:
        response = client.get(urls["skypilot"] + path, retry_statuses=RETRY_STATUSES - {429})
    except SourceError as err:
        if err.status != 429:
            raise
        response = client.get(urls["skypilot_mirror"] + path)
    return {cloud: response.content}


def _gpu_info(text: str | None) -> dict | None:
    """GpuInfo as a dict, whichever way the catalog wrote it (JSON, Python repr, Python repr with JSON null)."""
    if not text:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        try:
            value = ast.literal_eval(re.sub(r"\bnull\b", "None", text))
        except (ValueError, SyntaxError):
            return None
    return value if isinstance(value, dict) else None


def _number(value) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def gpu_memory_gb(cloud: str, info: dict | None, count: float | None) -> float | None:
    """Per-GPU memory in GB from a GpuInfo dict, after the cloud's quirks; None when it cannot be told."""
    if not info or not count:
        return None
    gpus = info.get("Gpus") or info.get("gpus") or [{}]
    first = gpus[0] if isinstance(gpus, list) and gpus and isinstance(gpus[0], dict) else {}
    memory = first.get("MemoryInfo") or first.get("memoryinfo") or {}
    size = _number(memory.get("SizeInMiB") or memory.get("sizeinmib"))
    total = _number(
        info.get("TotalGpuMemoryInMiB")
        or info.get("totalgpumemoryinmib")
        or first.get("TotalGpuMemoryInMiB")
        or first.get("totalgpumemoryinmib")
    )
    rule = MEMORY_RULES.get(cloud)
    if rule == "size_is_total":
        per_gpu = size / count if size else None
    elif rule == "total_is_per_gpu":
        per_gpu = total or size
    else:
        per_gpu = total / count if total else size
    if not per_gpu:
        return None  # 0 (seeweb) or absent: unknown, never 0 GB
    return per_gpu if per_gpu < 1024 else per_gpu / 1024  # a value below 1024 is GB written in a MiB field


def parse_cloud(cloud: str, body: bytes, source: str = NAME) -> pl.DataFrame:
    """One cloud's vms.csv as rows, columns read by name (their order differs by cloud)."""
    try:
        # Azure rows carry an unquoted `V1,V2` in the last column: truncating ragged lines drops only that tail.
        frame = pl.read_csv(io.BytesIO(body), infer_schema=False, truncate_ragged_lines=True)
    except pl.exceptions.PolarsError as exc:
        raise SourceError(source, f"{cloud}/vms.csv is not a CSV catalog ({exc.__class__.__name__})") from exc
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise SourceError(
            source, f"{cloud}/vms.csv: expected column(s) {', '.join(missing)} not in header {frame.columns[:12]}"
        )
    frame = frame.select(
        [
            pl.col(c).alias(COLUMNS[c]) if c in frame.columns else pl.lit(None, pl.String).alias(COLUMNS[c])
            for c in COLUMNS
        ]
    )
    frame = frame.with_columns(pl.col(pl.String).str.strip_chars().replace("", None))
    numbers = frame.with_columns(pl.col(c).cast(pl.Float64, strict=False) for c in NUMERIC)
    for column, field in (("price", "Price"), ("spot_price", "SpotPrice")):
        bad = frame.filter(pl.col(column).is_not_null() & numbers[column].is_null())
        if bad.height:
            raise SourceError(
                source, f"{cloud}/vms.csv: {bad.height} row(s) with a non-numeric {field}, e.g. {bad[column][0]!r}"
            )
    infos = {text: _gpu_info(text) for text in numbers["gpu_info"].drop_nulls().unique()}
    memory = [
        gpu_memory_gb(cloud, infos.get(text), count)
        for text, count in zip(numbers["gpu_info"], numbers["accelerator_count"], strict=True)
    ]
    return numbers.with_columns(pl.lit(cloud).alias("cloud"), pl.Series("gpu_memory_gb", memory, pl.Float64)).select(
        RAW_COLUMNS
    )


def parse_catalog(cloud: str, payloads: dict[str, bytes], source: str) -> pl.DataFrame:
    if cloud not in payloads:
        raise SourceError(source, f"no catalog for {cloud}")
    frame = parse_cloud(cloud, payloads[cloud], source)
    if frame.filter(pl.col("accelerator_name").is_not_null()).is_empty():
        raise SourceError(source, f"{cloud}/vms.csv has no GPU rows ({frame.height} rows in all)")
    return frame


def parse(payloads: dict[str, bytes]) -> pl.DataFrame:
    """Several clouds' catalogs at once (tests and conformance checks; each source parses its own)."""
    return pl.concat([parse_catalog(cloud, payloads, NAME) for cloud in sorted(payloads)])


def _gcp_host_gpus(hosts: pl.DataFrame) -> pl.DataFrame:
    """Attach to each GCP host VM row the accelerator name and count its machine type comes with."""
    name = pl.lit(None, pl.String)
    count = pl.lit(None, pl.Float64)
    for pattern, accelerator, fixed in reversed(GCP_HOSTS):
        matches = pl.col("instance_type").str.contains(pattern)
        if fixed is not None:
            n = pl.lit(float(fixed))
        elif accelerator == "L4":
            n = (
                pl.col("instance_type")
                .str.extract(r"(\d+)$")
                .replace_strict(G2_L4_COUNT, default=None)
                .cast(pl.Float64)
            )
        else:
            n = pl.col("instance_type").str.extract(pattern).cast(pl.Float64)
        name = pl.when(matches).then(pl.lit(accelerator)).otherwise(name)
        count = pl.when(matches).then(n).otherwise(count)
    return hosts.with_columns(name.alias("host_accelerator"), count.alias("host_count")).filter(
        pl.col("host_accelerator").is_not_null()
    )


def _offers(frame: pl.DataFrame, basis: str) -> pl.DataFrame:
    """Per-instance price rows, one per pricing kind, in the canonical offer shape."""
    base = frame.select(
        "cloud",
        "region",
        "availability_zone",
        "instance_type",
        pl.col("accelerator_name").alias("gpu_name_raw"),
        pl.col("accelerator_count").alias("gpu_count"),
        "price",
        "spot_price",
        "vcpus",
        "memory_gib",
        "source",
        "snapshot_date",
        "fetched_at",
        "origin",
    ).with_columns(pl.lit(basis).alias("price_basis"))
    return pl.concat(
        [
            base.with_columns(pl.lit("on_demand").alias("pricing"), pl.col("price").alias("price_per_hour_usd")),
            base.with_columns(pl.lit("spot").alias("pricing"), pl.col("spot_price").alias("price_per_hour_usd")),
        ]
    ).drop("price", "spot_price")


def _gcp(raw: pl.DataFrame, gpu_rows: pl.DataFrame) -> list[pl.DataFrame]:
    """GCP: hosts joined to their GPUs (instance prices), unbound GPUs as GPU-only prices, TPU slices in chips."""
    is_tpu = pl.col("accelerator_name").str.starts_with("tpu-")
    tpu = gpu_rows.filter(is_tpu).with_columns(
        pl.col("accelerator_name").alias("instance_type"),
        ("tpu-" + pl.col("accelerator_name").str.extract(r"^tpu-([a-z0-9]+)-\d+$")).alias("accelerator_name"),
        tpu_slice_chips(pl.col("accelerator_name")).alias("accelerator_count"),
    )
    # a repeated catalog line must not multiply the join: one GPU price and one host row per key
    gcp_gpus = gpu_rows.filter(~is_tpu & pl.col("instance_type").is_null()).unique()
    hosts = _gcp_host_gpus(raw.filter(pl.col("accelerator_name").is_null() & (pl.col("price") > 0)).unique())
    gpu_prices = gcp_gpus.group_by("region", "availability_zone", "accelerator_name", "accelerator_count").agg(
        pl.col("price").min().alias("gpu_price"), pl.col("spot_price").min().alias("gpu_spot_price")
    )
    joined = (
        hosts.join(
            gpu_prices,
            left_on=["region", "availability_zone", "host_accelerator", "host_count"],
            right_on=["region", "availability_zone", "accelerator_name", "accelerator_count"],
            how="inner",
        )
        .with_columns(
            pl.col("host_accelerator").alias("accelerator_name"),
            pl.col("host_count").alias("accelerator_count"),
            (pl.col("price") + pl.col("gpu_price")).alias("price"),
            (pl.col("spot_price") + pl.col("gpu_spot_price")).alias("spot_price"),
        )
        .select(raw.columns)
    )
    bound = joined.select("region", "availability_zone", "accelerator_name", "accelerator_count").unique()
    gpu_only = gcp_gpus.join(
        bound, on=["region", "availability_zone", "accelerator_name", "accelerator_count"], how="anti"
    ).with_columns(
        pl.format("{}:{}", "accelerator_name", pl.col("accelerator_count").cast(pl.Int64)).alias("instance_type")
    )
    return [_offers(joined, "instance"), _offers(tpu, "instance"), _offers(gpu_only, "gpu_only")]


def _memory_variant(name: pl.Expr, memory: pl.Expr) -> pl.Expr:
    """A100 and V100 name two memory sizes: pick the variant whose size is nearest the row's memory."""
    out = name
    for base, variants in MEMORY_VARIANTS.items():
        (small, small_name), (large, large_name) = variants
        pick = pl.when(memory >= (small + large) / 2).then(pl.lit(large_name)).otherwise(pl.lit(small_name))
        out = pl.when((name == base) & memory.is_not_null()).then(pick).otherwise(out)
    return out


def _all_offers(raw: pl.DataFrame) -> pl.DataFrame:
    """Every price row in the offer shape, placeholders included (normalize drops them, placeholders counts them)."""
    raw = raw.with_columns(
        pl.when(pl.col("region").str.to_lowercase().is_in(list(NO_REGION)))
        .then(pl.lit(None, pl.String))
        .otherwise(pl.col("region"))
        .alias("region"),
        _memory_variant(pl.col("accelerator_name"), pl.col("gpu_memory_gb")).alias("accelerator_name"),
    )
    gpu_rows = raw.filter(pl.col("accelerator_name").is_not_null() & (pl.col("accelerator_count") > 0))
    frames = []
    for cloud in raw["cloud"].unique().sort():
        rows = gpu_rows.filter(pl.col("cloud") == cloud)
        if cloud == "gcp":
            frames.extend(_gcp(raw.filter(pl.col("cloud") == cloud), rows))
            continue
        if cloud == "runpod":  # named as the first-party source names RunPod offers
            rows = rows.with_columns(
                pl.coalesce("availability_zone", "region").alias("region"),
                runpod_instance(
                    pl.lit("secure"),
                    pl.col("accelerator_count"),
                    display_name=pl.col("gpu_info").map_elements(_display_name, return_dtype=pl.String),
                    fallback=pl.col("accelerator_name"),
                ).alias("instance_type"),
            )
        frames.append(_offers(rows, "instance"))
    offers = pl.concat(frames).filter((pl.col("price_per_hour_usd") > 0) & (pl.col("gpu_count") > 0))
    key = ["source", "cloud", "region", "instance_type", "gpu_name_raw", "gpu_count", "pricing", "price_basis"]
    offers = offers.group_by(*key, "snapshot_date", "fetched_at", "origin").agg(
        pl.col("price_per_hour_usd").min(), pl.col("vcpus").max(), pl.col("memory_gib").max()
    )
    # one list price everywhere: regions collapse to NULL when they all agree
    same_everywhere = pl.col("cloud").is_in(list(GLOBAL_PRICE)) & (
        pl.col("price_per_hour_usd").n_unique().over("cloud", "instance_type", "pricing", "gpu_count") == 1
    )
    offers = (
        offers.with_columns(
            pl.when(same_everywhere).then(pl.lit(None, pl.String)).otherwise(pl.col("region")).alias("region")
        )
        .unique([c for c in offers.columns if c != "fetched_at"], keep="first", maintain_order=True)
        .rename({"cloud": "provider"})
        .with_columns(pl.col("provider").replace(CLOUDS), pl.lit("USD").alias("currency"))
    )
    return as_offers(offers.sort("provider", "region", "instance_type", "pricing", nulls_last=True))


def _display_name(gpu_info: str | None) -> str | None:
    info = _gpu_info(gpu_info)
    gpus = (info or {}).get("Gpus") or [{}]
    return gpus[0].get("Name") if isinstance(gpus[0], dict) else None


def _limit_prices(offers: pl.DataFrame) -> pl.Expr:
    """Rows of a cloud whose catalog carries a limit, not a price (Mithril's $1.00 per GPU-hour)."""
    mask = pl.lit(False)
    for provider, (per_gpu, _why) in PLACEHOLDER_PRICES.items():
        mask = mask | (
            (pl.col("provider") == provider)
            & ((pl.col("price_per_hour_usd") / pl.col("gpu_count") - per_gpu).abs() < 1e-9)
        )
    return mask


def _split(raw: pl.DataFrame) -> tuple[pl.DataFrame, int]:
    offers = _all_offers(raw)
    limits = offers.filter(_limit_prices(offers))
    kept, dropped = split_placeholders(offers.filter(~_limit_prices(offers)))
    return kept, dropped.height + limits.height


def normalize(raw: pl.DataFrame) -> pl.DataFrame:
    """Raw catalog rows -> one row per (provider, region, instance type, pricing), price per instance-hour.

    CPU-only rows are dropped; zones collapse to the cheapest; placeholders (spot at or above
    on-demand, a bid limit) are dropped (see placeholders); GCP hosts are joined to their GPUs.
    """
    return _split(raw)[0]


def placeholders(raw: pl.DataFrame) -> int:
    """How many prices normalize drops as placeholders (spot >= on-demand, a cloud's limit price)."""
    return _split(raw)[1]


def cloud_source(cloud: str) -> Source:
    name = f"{NAME}_{cloud}"

    def fetch(client: HttpClient, urls: dict[str, str]) -> dict[str, bytes]:
        return fetch_cloud(client, urls, cloud)

    def parse_one(payloads: dict[str, bytes]) -> pl.DataFrame:
        return parse_catalog(cloud, payloads, name)

    provider = CLOUDS[cloud]
    resold = f" (an aggregator: {AGGREGATORS[cloud]})" if cloud in AGGREGATORS else ""
    return Source(
        name=name,
        table=name,
        description=(
            f"SkyPilot's hosted catalog for {cloud} (catalogs/v8/{cloud}/vms.csv){resold}: on-demand and spot USD per "
            "instance-hour as SkyPilot builds them from the provider's price API, one row per catalog line."
        ),
        base_urls=BASE_URLS,
        fetch=fetch,
        parse=parse_one,
        normalize=normalize,
        placeholders=placeholders,
        snapshot=Snapshot("assets.prices.snapshots.skypilot", only=(cloud,)),
        providers=(provider,),
        summary=f"SkyPilot catalog for {cloud}{resold}: on-demand and spot per instance-hour, every region",
    )


SOURCES: tuple[Source, ...] = tuple(cloud_source(cloud) for cloud in CLOUDS)
BY_CLOUD: dict[str, Source] = dict(zip(CLOUDS, SOURCES, strict=True))

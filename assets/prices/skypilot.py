"""SkyPilot hosted catalog: one CSV per cloud, built by SkyPilot from the providers' own price APIs.

Format (schema v8): `InstanceType, AcceleratorName, AcceleratorCount, vCPUs, MemoryGiB,
GpuInfo, Price, SpotPrice, Region, AvailabilityZone, Arch`, column order varying by
cloud, prices in USD per instance-hour. GCP is the odd one: GPU rows have no
instance type and price the GPUs alone; the host VM (a2/a3/a4/g2) is its own row.
See ../shared/notes/sources.md A1.
"""

from __future__ import annotations

import io

import polars as pl

from assets.errors import SourceError
from assets.http import RETRY_STATUSES, HttpClient
from assets.prices.offers import tpu_slice_chips
from assets.source import Snapshot, Source

NAME = "skypilot"
CLOUDS = ("aws", "azure", "gcp", "lambda", "runpod")
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


def fetch(client: HttpClient, urls: dict[str, str]) -> dict[str, bytes]:
    """One vms.csv per cloud; on HTTP 429 from GitHub, the S3 mirror."""
    payloads = {}
    for cloud in CLOUDS:
        path = f"/{cloud}/vms.csv"
        try:
            response = client.get(urls["skypilot"] + path, retry_statuses=RETRY_STATUSES - {429})
        except SourceError as err:
            if err.status != 429:
                raise
            response = client.get(urls["skypilot_mirror"] + path)
        payloads[cloud] = response.content
    return payloads


def parse_cloud(cloud: str, body: bytes) -> pl.DataFrame:
    """One cloud's vms.csv as rows, columns read by name (their order differs by cloud)."""
    # Azure rows carry an unquoted `V1,V2` in the last column: truncating ragged lines drops only that tail.
    frame = pl.read_csv(io.BytesIO(body), infer_schema=False, truncate_ragged_lines=True)
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise SourceError(
            NAME, f"{cloud}/vms.csv: expected column(s) {', '.join(missing)} not in header {frame.columns[:12]}"
        )
    frame = frame.select(
        [
            pl.col(c).alias(COLUMNS[c]) if c in frame.columns else pl.lit(None, pl.String).alias(COLUMNS[c])
            for c in COLUMNS
        ]
    )
    frame = frame.with_columns(pl.col(pl.String).str.strip_chars().replace("", None))
    numbers = frame.with_columns(pl.col(c).cast(pl.Float64, strict=False) for c in NUMERIC)
    bad = frame.filter(pl.col("price").is_not_null() & numbers["price"].is_null())
    if bad.height:
        raise SourceError(
            NAME, f"{cloud}/vms.csv: {bad.height} row(s) with a non-numeric Price, e.g. {bad['price'][0]!r}"
        )
    return numbers.with_columns(pl.lit(cloud).alias("cloud"))


def parse(payloads: dict[str, bytes]) -> pl.DataFrame:
    missing = [c for c in CLOUDS if c not in payloads]
    if missing:
        raise SourceError(NAME, f"no catalog for {', '.join(missing)}")
    frames = []
    for cloud, body in sorted(payloads.items()):
        frame = parse_cloud(cloud, body)
        if frame.filter(pl.col("accelerator_name").is_not_null()).is_empty():
            raise SourceError(NAME, f"{cloud}/vms.csv has no GPU rows ({frame.height} rows in all)")
        frames.append(frame)
    return pl.concat(frames, how="vertical")


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


def normalize(raw: pl.DataFrame) -> pl.DataFrame:
    """Raw catalog rows -> one row per (provider, region, instance type, pricing), price per instance-hour.

    CPU-only rows are dropped; GCP hosts are joined to their GPUs (host + GPUs = the
    instance price); GCP GPUs without a bound host type (n1 attachments) are kept as
    GPU-only prices; TPU slices are counted in chips; zones collapse to the cheapest.
    """
    gpu_rows = raw.filter(pl.col("accelerator_name").is_not_null())
    is_gcp = pl.col("cloud") == "gcp"
    is_tpu = pl.col("accelerator_name").str.starts_with("tpu-")

    tpu = gpu_rows.filter(is_tpu).with_columns(
        pl.col("accelerator_name").alias("instance_type"),
        ("tpu-" + pl.col("accelerator_name").str.extract(r"^tpu-([a-z0-9]+)-\d+$")).alias("accelerator_name"),
        tpu_slice_chips(pl.col("accelerator_name")).alias("accelerator_count"),
    )

    gcp_gpus = gpu_rows.filter(is_gcp & ~is_tpu & pl.col("instance_type").is_null())
    hosts = _gcp_host_gpus(raw.filter(is_gcp & pl.col("accelerator_name").is_null() & (pl.col("price") > 0)))
    joined = (
        hosts.join(
            gcp_gpus.select(
                "region",
                "availability_zone",
                "accelerator_name",
                "accelerator_count",
                pl.col("price").alias("gpu_price"),
                pl.col("spot_price").alias("gpu_spot_price"),
            ),
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

    others = gpu_rows.filter(~is_gcp & ~is_tpu)
    offers = pl.concat(
        [
            _offers(others, "instance"),
            _offers(joined, "instance"),
            _offers(tpu, "instance"),
            _offers(gpu_only, "gpu_only"),
        ]
    )
    return (
        offers.filter((pl.col("price_per_hour_usd") > 0) & (pl.col("gpu_count") > 0))
        .group_by(
            "source",
            "cloud",
            "region",
            "instance_type",
            "gpu_name_raw",
            "gpu_count",
            "pricing",
            "price_basis",
            "snapshot_date",
            "fetched_at",
            "origin",
        )
        .agg(pl.col("price_per_hour_usd").min())
        .rename({"cloud": "provider"})
        .with_columns(pl.lit("USD").alias("currency"))
        .sort("provider", "region", "instance_type", "pricing")
    )


SOURCE = Source(
    name=NAME,
    table="skypilot_vms",
    description=(
        "SkyPilot's hosted catalog of cloud VM prices (catalogs/v8/{cloud}/vms.csv) for "
        + ", ".join(CLOUDS)
        + ": on-demand and spot USD per instance-hour, as SkyPilot builds them from each provider's price API."
    ),
    base_urls=BASE_URLS,
    fetch=fetch,
    parse=parse,
    normalize=normalize,
    snapshot=Snapshot("assets.prices.snapshots.skypilot"),
    summary="on-demand and spot per instance-hour, every region (cheapest zone), for " + ", ".join(CLOUDS),
)

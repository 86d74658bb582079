"""dstack gpuhunt catalogs: an aggregator, published hourly per provider on S3, no key.

`GET .../v3/{provider}/version` names the newest catalog (e.g. `20260520-4321`), then
`GET .../v3/{provider}/{version}/catalog.zip` holds `{provider}.csv` with columns
`instance_name, location, price, cpu, memory, gpu_count, gpu_name, gpu_memory, spot,
disk_size, gpu_vendor, flags, cpu_arch, provider_data` (dstackai/gpuhunt
src/gpuhunt/_internal/storage.py). `price` is USD per instance-hour; spot and on-demand
are separate rows (`spot` True/False); `location` is a region, or a zone for GCP;
TPUs are `gpu_vendor` google with the slice as `gpu_name` (`v5litepod-8`; older
catalogs wrote `tpu-v5litepod-8`). CPU-only rows are not kept; $0 rows are dropped.
`provider` names the cloud; `source` = gpuhunt marks the row as an aggregator's.
See ../shared/notes/sources.md A2.
"""

from __future__ import annotations

import io
import re
import zipfile

import polars as pl

from assets.errors import SourceError
from assets.http import HttpClient
from assets.prices.offers import as_offers, tpu_slice_chips
from assets.source import Snapshot, Source

NAME = "gpuhunt"
PROVIDERS = ("aws", "azure", "gcp", "lambdalabs", "runpod", "nebius", "oci")
PROVIDER_NAMES = {"lambdalabs": "lambda"}  # gpuhunt's provider names -> gpucost's
BASE_URLS = {"gpuhunt": "https://dstack-gpu-pricing.s3.eu-west-1.amazonaws.com/v3"}
VERSION = re.compile(r"^[0-9A-Za-z._-]{1,64}$")

COLUMNS = (
    "instance_name",
    "location",
    "price",
    "cpu",
    "memory",
    "gpu_count",
    "gpu_name",
    "gpu_memory",
    "spot",
    "disk_size",
    "gpu_vendor",
    "flags",
    "cpu_arch",
)
REQUIRED = ("instance_name", "location", "price", "gpu_count", "gpu_name", "spot")
NUMERIC = ("price", "cpu", "memory", "gpu_count", "gpu_memory", "disk_size")
# gpuhunt names some chips the same whatever their memory; per-GPU memory tells the variants apart.
MEMORY_VARIANTS = {("A100", 80.0): "A100-80GB", ("V100", 32.0): "V100-32GB"}


def fetch(client: HttpClient, urls: dict[str, str]) -> dict[str, bytes]:
    """Per provider: the newest version id, then that version's catalog.zip (both kept)."""
    payloads = {}
    for provider in PROVIDERS:
        version = client.get(f"{urls['gpuhunt']}/{provider}/version").content.decode("utf-8", "replace").strip()
        if not VERSION.match(version):
            raise SourceError(NAME, f"{provider}/version: expected a catalog version id, got {version[:80]!r}")
        payloads[f"{provider}-version"] = version.encode()
        payloads[provider] = client.get(f"{urls['gpuhunt']}/{provider}/{version}/catalog.zip").content
    return payloads


def parse_catalog(provider: str, archive: bytes, version: str = "") -> pl.DataFrame:
    """One provider's catalog.zip -> its GPU rows, columns read by name."""
    try:
        with zipfile.ZipFile(io.BytesIO(archive)) as zipped:
            names = zipped.namelist()
            if f"{provider}.csv" not in names:
                raise SourceError(NAME, f"{provider} catalog.zip holds {names[:5]}, not {provider}.csv")
            body = zipped.read(f"{provider}.csv")
    except zipfile.BadZipFile as exc:
        raise SourceError(NAME, f"{provider} catalog.zip is not a zip archive ({exc}): {archive[:40]!r}") from exc
    frame = pl.read_csv(io.BytesIO(body), infer_schema=False)
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise SourceError(
            NAME, f"{provider}.csv: expected column(s) {', '.join(missing)} not in header {frame.columns[:14]}"
        )
    frame = frame.select([pl.col(c) if c in frame.columns else pl.lit(None, pl.String).alias(c) for c in COLUMNS])
    frame = frame.with_columns(pl.col(pl.String).str.strip_chars().replace("", None))
    typed = frame.with_columns(pl.col(c).cast(pl.Float64, strict=False) for c in NUMERIC).with_columns(
        pl.col("spot")
        .str.to_lowercase()
        .replace_strict({"true": True, "false": False}, default=None, return_dtype=pl.Boolean)
    )
    for column in ("price", "gpu_count", "spot"):
        bad = frame.filter(pl.col(column).is_not_null() & typed[column].is_null())
        if bad.height:
            raise SourceError(NAME, f"{provider}.csv: {bad.height} row(s) with a bad {column}, e.g. {bad[column][0]!r}")
    return typed.filter(pl.col("gpu_count") > 0).with_columns(
        pl.lit(provider).alias("provider"), pl.lit(version or None, pl.String).alias("catalog_version")
    )


def parse(payloads: dict[str, bytes]) -> pl.DataFrame:
    missing = [p for p in PROVIDERS if p not in payloads]
    if missing:
        raise SourceError(NAME, f"no catalog for {', '.join(missing)}")
    return pl.concat(
        [parse_catalog(p, payloads[p], payloads.get(f"{p}-version", b"").decode().strip()) for p in PROVIDERS]
    )


def normalize(raw: pl.DataFrame) -> pl.DataFrame:
    """One row per (provider, region, instance, pricing): zones collapse to their region's cheapest.

    TPU slices become `tpu-<slice>` counted in chips (named tpu-<family>, as the alias
    table knows them). An instance name sold with several GPU configurations (RunPod
    pods by GPU count, GCP n1 hosts by attached GPU) gets the configuration appended.
    """
    is_tpu = (pl.col("gpu_vendor").str.to_lowercase() == "google").fill_null(False) | pl.col(
        "gpu_name"
    ).str.starts_with("tpu-")
    tpu_slice = pl.col("gpu_name").str.replace(r"^tpu-", "")
    memory_name = pl.lit(None, pl.String)
    for (name, memory), variant in MEMORY_VARIANTS.items():
        memory_name = (
            pl.when((pl.col("gpu_name") == name) & (pl.col("gpu_memory") == memory))
            .then(pl.lit(variant))
            .otherwise(memory_name)
        )
    offers = (
        raw.filter(pl.col("price") > 0)
        .with_columns(
            pl.col("provider").replace(PROVIDER_NAMES),
            pl.when(pl.col("provider") == "gcp")
            .then(pl.col("location").str.replace(r"^([a-z]+-[a-z]+\d+)-[a-z]$", "$1"))
            .otherwise(pl.col("location"))
            .alias("region"),
            pl.when(is_tpu)
            .then("tpu-" + tpu_slice.str.extract(r"^([a-z0-9]+)-\d+$"))
            .otherwise(pl.coalesce(memory_name, "gpu_name"))
            .alias("gpu_name_raw"),
            pl.when(is_tpu).then(tpu_slice_chips(tpu_slice)).otherwise(pl.col("gpu_count")).alias("gpu_count"),
            pl.when(is_tpu).then("tpu-" + tpu_slice).otherwise(pl.col("instance_name")).alias("instance_type"),
            pl.when(pl.col("spot")).then(pl.lit("spot")).otherwise(pl.lit("on_demand")).alias("pricing"),
        )
        .filter(pl.col("gpu_count") > 0)
    )
    configurations = pl.struct("gpu_name_raw", "gpu_count").n_unique().over("provider", "region", "instance_type")
    offers = offers.with_columns(
        pl.when(configurations > 1)
        .then(pl.format("{} ({}x {})", "instance_type", pl.col("gpu_count").cast(pl.Int64), "gpu_name_raw"))
        .otherwise(pl.col("instance_type"))
        .alias("instance_type")
    )
    return as_offers(
        offers.group_by(
            "source",
            "provider",
            "region",
            "instance_type",
            "gpu_name_raw",
            "gpu_count",
            "pricing",
            "snapshot_date",
            "fetched_at",
            "origin",
        )
        .agg(pl.col("price").min().alias("price_per_hour_usd"))
        .with_columns(pl.lit("instance").alias("price_basis"), pl.lit("USD").alias("currency"))
        .sort("provider", "region", "instance_type", "pricing")
    )


SOURCE = Source(
    name=NAME,
    table="gpuhunt_offers",
    description=(
        "dstack's gpuhunt catalogs (dstack-gpu-pricing S3, v3/{provider}/{version}/catalog.zip) for "
        + ", ".join(PROVIDERS)
        + ": an aggregator's GPU offers, on-demand and spot as separate rows, USD per instance-hour."
    ),
    base_urls=BASE_URLS,
    fetch=fetch,
    parse=parse,
    normalize=normalize,
    version_ignores=("catalog_version",),
    snapshot=Snapshot("assets.prices.snapshots.gpuhunt"),
    summary="one row per offer (on-demand and spot) for " + ", ".join(PROVIDERS),
)

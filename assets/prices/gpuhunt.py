"""dstack gpuhunt catalogs: an aggregator, published hourly per provider on S3, no key.

`GET .../v3/{provider}/version` names the newest catalog (e.g. `20260520-4321`), then
`GET .../v3/{provider}/{version}/catalog.zip` holds `{provider}.csv` with columns
`instance_name, location, price, cpu, memory, gpu_count, gpu_name, gpu_memory, spot,
disk_size, gpu_vendor, flags, cpu_arch, provider_data` (dstackai/gpuhunt
src/gpuhunt/_internal/storage.py). `price` is USD per instance-hour; spot and on-demand
are separate rows (`spot` True/False); `location` is a region, or a zone for GCP;
TPUs are `gpu_vendor` google with the slice as `gpu_name` (`v5litepod-8`; older
catalogs wrote `tpu-v5litepod-8`). CPU-only rows are not kept; $0 rows are dropped.
`provider` names the cloud; `source` = gpuhunt_<provider> marks the row as an aggregator's.

Every provider is its own source (`gpuhunt_<provider>`, table `raw.gpuhunt_<provider>`): gpuhunt
publishes each provider on its own and a failing provider keeps its previous version
(../scratch research: .github/workflows/catalogs.yml), so one provider's missing catalog must not
lose the others. Names follow the first-party sources: RunPod rows become
`secure:<N>x <GPU type id>` (location a data centre id) or `community:<N>x <GPU type id>`
(location a country code), cluster rows `cluster:<N>x <id>`; Lambda and OCI price every region
alike, so their rows collapse to region NULL when all regions agree. A spot row at or above its
on-demand price is a placeholder: dropped and counted (placeholders).
See ../shared/notes/sources.md A2.
"""

from __future__ import annotations

import io
import re
import zipfile

import polars as pl

from assets.errors import SourceError
from assets.http import HttpClient
from assets.prices.offers import as_offers, split_placeholders, tpu_slice_chips
from assets.prices.runpod import runpod_instance
from assets.source import Snapshot, Source

NAME = "gpuhunt"
# every provider gpuhunt publishes an offline catalog for (catalog.OFFLINE_PROVIDERS; the catalog-* CI jobs)
PROVIDERS = ("aws", "azure", "gcp", "lambdalabs", "runpod", "nebius", "oci", "verda", "cloudrift")
PROVIDER_NAMES = {"lambdalabs": "lambda"}  # gpuhunt's provider names -> gpucost's
GLOBAL_PRICE = {"lambda", "oci"}  # one list price in every region
BASE_URLS = {"gpuhunt": "https://dstack-gpu-pricing.s3.eu-west-1.amazonaws.com/v3"}
VERSION = re.compile(r"^[0-9A-Za-z._-]{1,64}$")
# A provider's inflated CSV is a few MB; a zip that inflates past this is a bomb, not a catalog.
MAX_CSV_BYTES = 128 * 1024 * 1024

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


def fetch_provider(client: HttpClient, urls: dict[str, str], provider: str, source: str = NAME) -> dict[str, bytes]:
    """The provider's newest version id, then that version's catalog.zip (both kept)."""
    version = client.get(f"{urls['gpuhunt']}/{provider}/version").content.decode("utf-8", "replace").strip()
    if not VERSION.match(version):
        raise SourceError(source, f"{provider}/version: expected a catalog version id, got {version[:80]!r}")
    return {
        f"{provider}-version": version.encode(),
        provider: client.get(f"{urls['gpuhunt']}/{provider}/{version}/catalog.zip").content,
    }


def fetch(client: HttpClient, urls: dict[str, str]) -> dict[str, bytes]:
    """Every provider's catalog (tests; each source fetches its own)."""
    return {k: v for provider in PROVIDERS for k, v in fetch_provider(client, urls, provider).items()}


def parse_catalog(provider: str, archive: bytes, version: str = "", source: str = NAME) -> pl.DataFrame:
    """One provider's catalog.zip -> its GPU rows, columns read by name."""
    try:
        with zipfile.ZipFile(io.BytesIO(archive)) as zipped:
            names = zipped.namelist()
            if f"{provider}.csv" not in names:
                raise SourceError(source, f"{provider} catalog.zip holds {names[:5]}, not {provider}.csv")
            with zipped.open(f"{provider}.csv") as member:
                body = member.read(MAX_CSV_BYTES + 1)  # never inflate more than the cap, whatever the header claims
            if len(body) > MAX_CSV_BYTES:
                raise SourceError(
                    source, f"{provider} catalog.zip: {provider}.csv inflates past {MAX_CSV_BYTES // 2**20} MB"
                )
    except zipfile.BadZipFile as exc:
        raise SourceError(source, f"{provider} catalog.zip is not a zip archive ({exc}): {archive[:40]!r}") from exc
    frame = pl.read_csv(io.BytesIO(body), infer_schema=False)
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise SourceError(
            source, f"{provider}.csv: expected column(s) {', '.join(missing)} not in header {frame.columns[:14]}"
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
            raise SourceError(
                source, f"{provider}.csv: {bad.height} row(s) with a bad {column}, e.g. {bad[column][0]!r}"
            )
    return typed.filter(pl.col("gpu_count") > 0).with_columns(
        pl.lit(provider).alias("provider"), pl.lit(version or None, pl.String).alias("catalog_version")
    )


def parse_provider(provider: str, payloads: dict[str, bytes], source: str = NAME) -> pl.DataFrame:
    if provider not in payloads:
        raise SourceError(source, f"no catalog for {provider}")
    version = payloads.get(f"{provider}-version", b"").decode("utf-8", "replace").strip()
    return parse_catalog(provider, payloads[provider], version, source)


def parse(payloads: dict[str, bytes]) -> pl.DataFrame:
    """Several providers' catalogs at once (tests; each source parses its own)."""
    providers = [p for p in PROVIDERS if p in payloads]
    if not providers:
        raise SourceError(NAME, "no catalog")
    return pl.concat([parse_provider(p, payloads) for p in providers])


def _all_offers(raw: pl.DataFrame) -> pl.DataFrame:
    """Every price row in the offer shape, placeholders included (normalize drops them, placeholders counts them)."""
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
    is_runpod = pl.col("provider") == "runpod"
    runpod_cloud = (
        pl.when(pl.col("flags").fill_null("").str.contains(r"\brunpod-cluster\b"))
        .then(pl.lit("cluster"))
        .when(pl.col("location").str.contains("-"))  # a data centre id (EU-RO-1); a country code has none
        .then(pl.lit("secure"))
        .otherwise(pl.lit("community"))
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
            pl.when(is_tpu)
            .then("tpu-" + tpu_slice)
            .when(is_runpod)
            .then(runpod_instance(runpod_cloud, pl.col("gpu_count"), type_id=pl.col("instance_name")))
            .otherwise(pl.col("instance_name"))
            .alias("instance_type"),
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
    key = ["source", "provider", "region", "instance_type", "gpu_name_raw", "gpu_count", "pricing"]
    offers = offers.group_by(*key, "snapshot_date", "fetched_at", "origin").agg(
        pl.col("price").min().alias("price_per_hour_usd"),
        pl.col("cpu").max().alias("vcpus"),
        pl.col("memory").max().alias("memory_gib"),  # gpuhunt's memory: host RAM in GB (GiB as clouds sell it)
    )
    same_everywhere = pl.col("provider").is_in(list(GLOBAL_PRICE)) & (
        pl.col("price_per_hour_usd").n_unique().over("provider", "instance_type", "pricing", "gpu_count") == 1
    )
    offers = offers.with_columns(
        pl.when(same_everywhere).then(pl.lit(None, pl.String)).otherwise(pl.col("region")).alias("region")
    ).unique([c for c in offers.columns if c != "fetched_at"], keep="first", maintain_order=True)
    return as_offers(
        offers.with_columns(pl.lit("instance").alias("price_basis"), pl.lit("USD").alias("currency")).sort(
            "provider", "region", "instance_type", "pricing", nulls_last=True
        )
    )


def normalize(raw: pl.DataFrame) -> pl.DataFrame:
    """One row per (provider, region, instance, pricing): zones collapse to their region's cheapest.

    TPU slices become `tpu-<slice>` counted in chips (named tpu-<family>, as the alias
    table knows them). An instance name sold with several GPU configurations (GCP n1 hosts
    by attached GPU) gets the configuration appended. Placeholders are dropped.
    """
    return split_placeholders(_all_offers(raw))[0]


def placeholders(raw: pl.DataFrame) -> int:
    """How many spot prices normalize drops for being at or above their on-demand price."""
    return split_placeholders(_all_offers(raw))[1].height


def provider_source(provider: str) -> Source:
    name = f"{NAME}_{provider}"

    def fetch_one(client: HttpClient, urls: dict[str, str]) -> dict[str, bytes]:
        return fetch_provider(client, urls, provider, name)

    def parse_one(payloads: dict[str, bytes]) -> pl.DataFrame:
        return parse_provider(provider, payloads, name)

    return Source(
        name=name,
        table=name,
        description=(
            f"dstack's gpuhunt catalog for {provider} (dstack-gpu-pricing S3, v3/{provider}/{{version}}/catalog.zip): "
            "an aggregator's GPU offers, on-demand and spot as separate rows, USD per instance-hour."
        ),
        base_urls=BASE_URLS,
        fetch=fetch_one,
        parse=parse_one,
        normalize=normalize,
        placeholders=placeholders,
        version_ignores=("catalog_version",),
        snapshot=Snapshot("assets.prices.snapshots.gpuhunt", only=(provider, f"{provider}-version")),
        providers=(PROVIDER_NAMES.get(provider, provider),),
        summary=f"gpuhunt catalog for {provider}: one row per offer (on-demand and spot), published hourly",
    )


SOURCES: tuple[Source, ...] = tuple(provider_source(p) for p in PROVIDERS)
BY_PROVIDER: dict[str, Source] = dict(zip(PROVIDERS, SOURCES, strict=True))

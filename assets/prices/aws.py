"""AWS Price List bulk CSV: EC2 on-demand prices, first-party, one file per region.

URL `https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonEC2/current/{region}/index.csv`,
no key. Layout: five preamble lines (`"FormatVersion"`, `"Disclaimer"`, `"Publication Date"`,
`"Version"`, `"OfferCode"`), a header of ~90 quoted columns, then one line per (SKU, term,
price dimension). A region's file is hundreds of MB, so `fetch` streams it and keeps only
the lines that can be on-demand GPU rows; `parse` then applies the exact filter.

Kept: TermType OnDemand, Linux with no pre-installed software, Shared tenancy,
CapacityStatus Used (reservation rows are 0.0 or repeat the price), MarketOption OnDemand
(Capacity Block rows are OS fees, not instance prices), Unit Hrs, Currency USD (a non-USD
row is rejected, never converted), price > 0, and GPU instances only. The price list has
no GPU-model column: the family -> GPU map is assets/prices/data/aws_gpu_families.csv.
See ../shared/notes/sources.md A3.
"""

from __future__ import annotations

import csv
import io
import os
import re

import polars as pl

from assets.errors import SourceError
from assets.http import HttpClient, iter_lines
from assets.prices.mappings import AWS_GPU_FAMILIES, load_mapping
from assets.prices.offers import as_offers
from assets.source import Snapshot, Source

NAME = "aws"
REGIONS = ("us-east-1", "us-west-2", "eu-west-1")
REGIONS_ENV = "GPUCOST_AWS_REGIONS"  # comma-separated, overrides REGIONS
BASE_URLS = {"aws": "https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonEC2/current"}
PREAMBLE = ("FormatVersion", "Disclaimer", "Publication Date", "Version", "OfferCode")
# The file is streamed and never held; the cap only stops a runaway download.
STREAM_MAX_BYTES = 8 * 1024**3

# Column -> the values a kept row has.
KEEP = {
    "TermType": ("OnDemand",),
    "Operating System": ("Linux",),
    "Pre Installed S/W": ("NA", ""),
    "Tenancy": ("Shared",),
    "CapacityStatus": ("Used",),
    "MarketOption": ("OnDemand",),
    "Unit": ("Hrs",),
    "Currency": ("USD",),
}
COLUMNS = {
    "SKU": "sku",
    "TermType": "term_type",
    "PriceDescription": "price_description",
    "Unit": "unit",
    "PricePerUnit": "price_per_unit",
    "Currency": "currency",
    "Instance Type": "instance_type",
    "Instance Family": "instance_family",
    "vCPU": "vcpu",
    "Memory": "memory",
    "GPU": "gpu",
    "GPU Memory": "gpu_memory",
    "Tenancy": "tenancy",
    "Operating System": "operating_system",
    "Pre Installed S/W": "pre_installed_sw",
    "CapacityStatus": "capacity_status",
    "MarketOption": "market_option",
    "Region Code": "region_code",
    "Location": "location",
    "usageType": "usage_type",
}
REQUIRED = (*KEEP, "PricePerUnit", "Instance Type", "GPU", "Region Code")
GPU_INSTANCE_FAMILY = "GPU instance"  # the price list's "Instance Family" for p and g instances


def regions() -> tuple[str, ...]:
    configured = os.environ.get(REGIONS_ENV, "")
    return tuple(r.strip() for r in configured.split(",") if r.strip()) or REGIONS


def families() -> list[str]:
    return sorted(set(load_mapping(AWS_GPU_FAMILIES)["family"]))


def _line_filter():
    """A cheap test on a raw line: every quoted value a kept row must contain, and a GPU instance type."""
    tokens = [f'"{values[0]}"'.encode() for values in KEEP.values() if len(values) == 1]
    gpu = re.compile(
        rb'"(?:'
        + b"|".join(re.escape(f.encode()) for f in families())
        + rb')\.[0-9a-z-]+"|"'
        + GPU_INSTANCE_FAMILY.encode()
        + b'"'
    )
    return lambda line: all(t in line for t in tokens) and gpu.search(line) is not None


def fetch(client: HttpClient, urls: dict[str, str]) -> dict[str, bytes]:
    """Stream each region's file, keeping the preamble, the header and candidate GPU lines only."""
    candidate = _line_filter()
    payloads = {}
    for region in regions():
        kept = []
        with client.stream(f"{urls['aws']}/{region}/index.csv", max_bytes=STREAM_MAX_BYTES) as chunks:
            for number, line in enumerate(iter_lines(chunks)):
                if number <= len(PREAMBLE) or candidate(line):
                    kept.append(line)
        payloads[region] = b"\n".join(kept) + b"\n"
    return payloads


def _split_preamble(region: str, body: bytes) -> tuple[dict[str, str], bytes]:
    lines = body.split(b"\n", len(PREAMBLE))
    if len(lines) <= len(PREAMBLE):
        raise SourceError(
            NAME, f"{region}/index.csv: {len(lines)} line(s), expected the {len(PREAMBLE)}-line preamble and a header"
        )
    preamble = dict(
        row[:2]
        for row in csv.reader(line.decode("utf-8", "replace") for line in lines[: len(PREAMBLE)])
        if len(row) >= 2
    )
    if list(preamble) != list(PREAMBLE):
        raise SourceError(
            NAME,
            f"{region}/index.csv: expected the preamble {', '.join(PREAMBLE)} before the header, got {lines[0][:80]!r}",
        )
    return preamble, lines[len(PREAMBLE)]


def parse_region(region: str, body: bytes) -> pl.DataFrame:
    """One region's (pre-filtered or whole) price list -> its on-demand GPU rows, columns read by name."""
    preamble, table = _split_preamble(region, body)
    frame = pl.read_csv(io.BytesIO(table), infer_schema=False)
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise SourceError(
            NAME, f"{region}/index.csv: expected column(s) {', '.join(missing)} not in header {frame.columns[:12]}"
        )
    frame = frame.select(
        [pl.col(c).alias(n) if c in frame.columns else pl.lit(None, pl.String).alias(n) for c, n in COLUMNS.items()]
    ).with_columns(pl.col(pl.String).fill_null(""))
    kept = frame.filter(
        pl.all_horizontal(pl.col(COLUMNS[c]).is_in(values) for c, values in KEEP.items()),
        ~pl.col("price_description").str.contains("(?i)capacity block"),
    )
    typed = kept.with_columns(
        pl.col("price_per_unit").cast(pl.Float64, strict=False),
        pl.col("vcpu", "gpu").replace("", None).cast(pl.Float64, strict=False),
    )
    bad = kept.filter(typed["price_per_unit"].is_null())
    if bad.height:
        raise SourceError(
            NAME,
            f"{region}/index.csv: {bad.height} row(s) with a non-numeric PricePerUnit, e.g. "
            f"{bad['price_per_unit'][0]!r}",
        )
    family = pl.col("instance_type").str.extract(r"^([^.]+)\.")
    gpu_rows = typed.filter(
        (pl.col("price_per_unit") > 0)
        & (family.is_in(families()) | (pl.col("gpu") > 0) | (pl.col("instance_family") == GPU_INSTANCE_FAMILY))
    )
    return gpu_rows.with_columns(
        pl.lit(region).alias("price_list_region"),
        pl.lit(preamble["Version"]).alias("offer_version"),
        pl.lit(preamble["Publication Date"]).alias("publication_date"),
    )


def parse(payloads: dict[str, bytes]) -> pl.DataFrame:
    if not payloads:
        raise SourceError(NAME, "no region price lists")
    frames = [parse_region(region, body) for region, body in sorted(payloads.items())]
    frame = pl.concat(frames)
    if frame.is_empty():
        raise SourceError(NAME, f"no on-demand Linux GPU rows in the price lists of {', '.join(sorted(payloads))}")
    return frame


def normalize(raw: pl.DataFrame) -> pl.DataFrame:
    """One on-demand row per (region, instance type), its GPU named from the family map.

    An instance-type row in the map overrides the family's GPU count (fractional g6f);
    a GPU family missing from the map is kept under its family name, so the
    unknown-GPU check lists it instead of it vanishing.
    """
    mapping = load_mapping(AWS_GPU_FAMILIES)
    by_family = mapping.filter(pl.col("instance_type").is_null()).select(
        "family", pl.col("gpu_name").alias("_family_gpu")
    )
    by_type = mapping.filter(pl.col("instance_type").is_not_null()).select(
        "instance_type", pl.col("gpu_name").alias("_type_gpu"), pl.col("gpu_count").alias("_type_count")
    )
    rows = (
        raw.with_columns(pl.col("instance_type").str.extract(r"^([^.]+)\.").alias("family"))
        .join(by_family, on="family", how="left")
        .join(by_type, on="instance_type", how="left")
        .with_columns(
            pl.coalesce("_type_gpu", "_family_gpu", pl.format("{} (unmapped AWS family)", "family")).alias(
                "gpu_name_raw"
            ),
            pl.coalesce("_type_count", "gpu").cast(pl.Float64).alias("gpu_count"),
        )
        .filter(pl.col("gpu_count") > 0)
    )
    return as_offers(
        rows.group_by(
            "source",
            pl.col("region_code").alias("region"),
            "instance_type",
            "gpu_name_raw",
            "gpu_count",
            "snapshot_date",
            "fetched_at",
            "origin",
        )
        .agg(pl.col("price_per_unit").min().alias("price_per_hour_usd"))
        .with_columns(
            pl.lit("aws").alias("provider"),
            pl.lit("on_demand").alias("pricing"),
            pl.lit("instance").alias("price_basis"),
            pl.lit("USD").alias("currency"),
        )
        .sort("region", "instance_type")
    )


SOURCE = Source(
    name=NAME,
    table="aws_ec2_prices",
    description=(
        "AWS Price List bulk CSV for EC2 (offers/v1.0/aws/AmazonEC2/current/{region}/index.csv), AWS's own prices: "
        "streamed and filtered while downloading to on-demand Linux, shared-tenancy GPU instances, USD per "
        "instance-hour."
    ),
    base_urls=BASE_URLS,
    fetch=fetch,
    parse=parse,
    normalize=normalize,
    version_ignores=("offer_version", "publication_date"),
    snapshot=Snapshot("assets.prices.snapshots.aws"),
    first_party_for="aws",
    providers=("aws",),
    summary="EC2 on-demand Linux GPU instances per region (bulk price list, streamed)",
)

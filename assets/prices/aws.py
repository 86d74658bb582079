"""AWS Price List bulk CSV: EC2 on-demand prices, first-party, one file per region.

URL `https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonEC2/current/{region}/index.csv`,
no key. Layout: five preamble lines (`"FormatVersion"`, `"Disclaimer"`, `"Publication Date"`,
`"Version"`, `"OfferCode"`), a header of ~90 quoted columns, then one line per (SKU, term,
price dimension), every non-empty field quoted. A region's file is hundreds of MB, so `fetch`
streams it and never holds it: `filter_price_list` checks the preamble and the header, reads the
rows in blocks of whole records with polars (only the columns its filter needs) and passes on the
kept rows' lines as they came. A line over MAX_LINE_BYTES fails the source (not a price list).
The payload is the preamble, the header and the candidate rows; `parse` then applies the exact filter.

Kept by fetch: every KEEP column holds a kept value, and the row is a GPU instance (a mapped GPU
family, GPU > 0, or Instance Family "GPU instance"). Kept by parse: TermType OnDemand, Linux with
no pre-installed software, Shared tenancy, CapacityStatus Used (reservation rows are 0.0 or repeat
the price), MarketOption OnDemand and no "Capacity Block" description (Capacity Block rows are OS
fees, not instance prices), Unit Hrs, Currency USD (a non-USD row is rejected, never converted),
price > 0, and GPU instances only. The price list has no GPU-model column: the family -> GPU map
is assets/prices/data/aws_gpu_families.csv. See ../shared/notes/sources.md A3.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable

import polars as pl

from assets.errors import SourceError
from assets.http import HttpClient, LineTooLong, check_line_lengths
from assets.prices.mappings import AWS_GPU_FAMILIES, load_mapping
from assets.prices.offers import as_offers, gib
from assets.source import Snapshot, Source

NAME = "aws"
REGIONS = ("us-east-1", "us-west-2", "eu-west-1")
REGIONS_ENV = "GPUCOST_AWS_REGIONS"  # comma-separated, overrides REGIONS
BASE_URLS = {"aws": "https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonEC2/current"}
PREAMBLE = ("FormatVersion", "Disclaimer", "Publication Date", "Version", "OfferCode")
# The file is streamed and never held; the cap only stops a runaway download.
STREAM_MAX_BYTES = 8 * 1024**3
# A real line is a few KB: a longer one means the body is not a price list (read at call time: tests lower it).
MAX_LINE_BYTES = 1024**2
# The rows are parsed and filtered in blocks of about this size: memory holds a block or so, not the file.
BLOCK_BYTES = 16 * 1024**2
# A block must end after a whole record; a quoted field spanning this much is not a price list.
MAX_RECORD_BYTES = 4 * BLOCK_BYTES
ROW_INDEX = "__row"

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


def candidate_rows(columns) -> pl.Expr:
    """The rows `fetch` keeps, read column by column (every column a String, empty as null).

    Every KEEP column holds a kept value, and the row is a GPU instance: a mapped GPU family,
    GPU > 0, or Instance Family "GPU instance". `parse` applies the exact filter on top.
    """
    family = pl.col("Instance Type").str.extract(r"^([^.]+)\.")
    gpu = family.is_in(families()) | (pl.col("GPU").cast(pl.Float64, strict=False) > 0)
    if "Instance Family" in columns:
        gpu = gpu | (pl.col("Instance Family") == GPU_INSTANCE_FAMILY)
    keep = [pl.col(c).fill_null("").is_in(values) for c, values in KEEP.items()]
    return pl.all_horizontal(*keep, gpu.fill_null(False))


def _check_columns(region: str, columns: list[str]) -> None:
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise SourceError(
            NAME, f"{region}/index.csv: expected column(s) {', '.join(missing)} not in header {columns[:12]}"
        )


def _record_end(buf: bytes) -> int:
    """Where the last whole CSV record in buf ends (just after its \\n), or -1 if none ends there.

    buf begins at a record start; a \\n after an odd number of quotes is inside a quoted field.
    """
    cut = buf.rfind(b"\n")
    quotes = buf.count(b'"', 0, cut) if cut != -1 else 0
    while cut != -1 and quotes % 2:
        previous = buf.rfind(b"\n", 0, cut)
        quotes -= buf.count(b'"', previous + 1, cut)
        cut = previous
    return cut + 1 if cut != -1 else -1


def filter_price_list(region: str, chunks: Iterable[bytes]) -> bytes:
    """A region's price list, read as chunks, -> its preamble, its header and its candidate rows as CSV bytes.

    The head (preamble, header) is checked first. The rows are then read in blocks of about
    BLOCK_BYTES, each cut after a whole record (a newline after an even number of quotes); polars
    parses only the columns `candidate_rows` reads, and the kept rows' lines are passed on as they
    came (without a \\r). Should a quoted field hold a newline (never seen in a real file), that
    block's kept rows are parsed whole and written back instead, every non-empty field quoted.
    Memory holds a block or so, whatever the file's size. Every line is checked against
    MAX_LINE_BYTES as it arrives: a longer one (not a price list) fails the source in linear time,
    naming its byte offset.
    """
    limit = MAX_LINE_BYTES
    pieces: list[bytes] = []
    size = 0
    head: bytes | None = None
    header = b""
    needed: list[str] = []
    keep: pl.Expr | None = None
    kept: list[bytes] = []
    offset = 0  # where the pending rows start in the file
    newlines = 0  # in the head read so far
    due = BLOCK_BYTES  # the pending bytes at which a block is cut

    def rows(block: bytes, at: int) -> None:
        """Keep the candidate rows of a block of whole records."""
        table = header + block
        try:
            frame = pl.read_csv(table, infer_schema=False, columns=needed, row_index_name=ROW_INDEX)
            index = frame.filter(keep)[ROW_INDEX]
            if index.is_empty():
                return
            lines = block.split(b"\n")
            if not lines[-1]:
                lines.pop()
            if len(lines) == frame.height:  # one record a line, as in every real file: keep the lines as they came
                kept.append(b"".join(lines[i].removesuffix(b"\r") + b"\n" for i in index))
            else:  # a quoted field holds a newline: write the parsed rows back instead
                parsed = pl.read_csv(table, infer_schema=False).filter(keep)
                kept.append(parsed.write_csv(include_header=False, quote_style="non_numeric").encode())
        except pl.exceptions.PolarsError as exc:
            raise SourceError(
                NAME, f"{region}/index.csv: could not read the rows from byte offset {at}: {exc}"
            ) from exc

    try:
        for chunk in check_line_lengths(chunks, limit):
            pieces.append(chunk)
            size += len(chunk)
            if head is None:
                newlines += chunk.count(b"\n")
                if newlines <= len(PREAMBLE):
                    continue
                buf = b"".join(pieces)
                end = 0
                for _ in range(len(PREAMBLE) + 1):
                    end = buf.index(b"\n", end) + 1
                head, header, needed, keep = _head(region, buf[:end])
                offset, pieces, size = end, [buf[end:]], len(buf) - end
            if size < due:
                continue
            buf = b"".join(pieces)
            end = _record_end(buf)
            if end == -1:
                if size > MAX_RECORD_BYTES:
                    raise SourceError(
                        NAME,
                        f"{region}/index.csv: no record ends in the {size} bytes from byte offset {offset} "
                        f"(a quoted field runs over more than {MAX_RECORD_BYTES} bytes): not a price list",
                    )
                pieces, due = [buf], min(2 * size, MAX_RECORD_BYTES + 1)  # look again once doubled: linear time
                continue
            rows(buf[:end], offset)
            offset, pieces, size, due = offset + end, [buf[end:]], len(buf) - end, BLOCK_BYTES
    except LineTooLong as exc:
        raise SourceError(
            NAME,
            f"{region}/index.csv: a line longer than the {exc.limit}-byte limit starting at byte offset "
            f"{exc.offset}: not a price list",
        ) from exc
    if head is None:
        head, header, needed, keep = _head(region, b"".join(pieces))
        pieces = []
    rest = b"".join(pieces)
    if rest.strip():
        rows(rest if rest.endswith(b"\n") else rest + b"\n", offset)
    return head + b"".join(kept)


def _head(region: str, head: bytes) -> tuple[bytes, bytes, list[str], pl.Expr]:
    """The checked preamble and header as the payload starts them (lines without \\r), the header line, the
    columns the row filter reads, the row filter."""
    _, rest = _split_preamble(region, head)
    header = rest.partition(b"\n")[0].removesuffix(b"\r")
    columns = next(csv.reader([header.decode("utf-8", "replace")]), [])
    _check_columns(region, columns)
    lines = [line.removesuffix(b"\r") for line in head.split(b"\n")[: len(PREAMBLE) + 1]]
    needed = [c for c in (*KEEP, "Instance Type", "GPU", "Instance Family") if c in columns]
    return b"\n".join(lines) + b"\n", header + b"\n", needed, candidate_rows(columns)


def fetch(client: HttpClient, urls: dict[str, str]) -> dict[str, bytes]:
    """Stream each region's file, keeping its preamble, its header and its candidate GPU rows (`filter_price_list`)."""
    payloads = {}
    for region in regions():
        with client.stream(f"{urls['aws']}/{region}/index.csv", max_bytes=STREAM_MAX_BYTES) as chunks:
            payloads[region] = filter_price_list(region, chunks)
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
    _check_columns(region, frame.columns)
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
        .agg(
            pl.col("price_per_unit").min().alias("price_per_hour_usd"),
            pl.col("vcpu").max().alias("vcpus"),
            gib(pl.col("memory")).max().alias("memory_gib"),
        )
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
    deadline_s=300.0,  # three region files of ~500 MB each at a few MB/s
    providers=("aws",),
    summary="EC2 on-demand Linux GPU instances per region (bulk price list, streamed)",
)

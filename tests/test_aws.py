"""AWS Price List bulk CSV: streaming pre-filter, exact filter, family -> GPU mapping, conformance with a real file."""

import csv
import datetime as dt
import io
import os
import re
import tempfile
import time
from pathlib import Path

import polars as pl
import pytest

from assets.errors import SourceError
from assets.http import HttpClient, HttpSettings
from assets.prices import aws
from assets.prices.gpu_names import price_rows
from assets.prices.offers import OFFER_SCHEMA, OPTIONAL_SCHEMA
from assets.reference.files import GPU_ALIASES, GPU_SPECS
from tests.conftest import LOOPBACK_PATHS

FIXTURES = Path(__file__).parent / "fixtures" / "aws"
CURRENT = FIXTURES / "offers" / "v1.0" / "aws" / "AmazonEC2" / "current"
CAPTURES = Path(os.environ.get("GPUCOST_SHARED", Path(__file__).resolve().parents[2] / "shared")) / "real-captures"


def old_line_filter():
    """The streaming pre-test fetch used before it read rows with polars (every single-valued KEEP token and a GPU
    instance type on the raw line): the reference the new filter must agree with."""
    tokens = [f'"{values[0]}"'.encode() for values in aws.KEEP.values() if len(values) == 1]
    gpu = re.compile(
        rb'"(?:'
        + b"|".join(re.escape(f.encode()) for f in aws.families())
        + rb')\.[0-9a-z-]+"|"'
        + aws.GPU_INSTANCE_FAMILY.encode()
        + b'"'
    )
    return lambda line: all(t in line for t in tokens) and gpu.search(line) is not None


def files() -> dict[str, bytes]:
    return {region: (CURRENT / region / "index.csv").read_bytes() for region in aws.REGIONS}


def with_meta(frame: pl.DataFrame, day=dt.date(2026, 5, 20)) -> pl.DataFrame:
    return frame.with_columns(
        pl.lit("aws").alias("source"),
        pl.lit(day).alias("snapshot_date"),
        pl.lit(dt.datetime.combine(day, dt.time(6))).alias("fetched_at"),
        pl.lit("live").alias("origin"),
    )


def offers(payloads=None) -> pl.DataFrame:
    return price_rows(aws.normalize(with_meta(aws.parse(payloads or files()))), GPU_ALIASES.load(), GPU_SPECS.load())


def one(frame: pl.DataFrame, **where) -> dict:
    rows = frame.filter(pl.all_horizontal(pl.col(k) == v for k, v in where.items()))
    assert rows.height == 1, f"{where}: {rows.height} rows"
    return rows.row(0, named=True)


def fast_client() -> HttpClient:
    return HttpClient("aws", HttpSettings(retries=0, read_timeout_s=2.0, connect_timeout_s=2.0))


def test_fetch_streams_each_region_and_keeps_only_candidate_lines(server):
    payloads = aws.fetch(fast_client(), {"aws": server.url + LOOPBACK_PATHS["aws"]})
    assert sorted(payloads) == sorted(aws.REGIONS)
    assert {r.path for r in server.requests} == {f"{LOOPBACK_PATHS['aws']}/{r}/index.csv" for r in aws.REGIONS}
    east = payloads["us-east-1"].decode().splitlines()
    assert east[0] == '"FormatVersion","v1.0"' and east[5].startswith('"SKU","OfferTermCode"')
    kept = east[6:]
    served = (CURRENT / "us-east-1" / "index.csv").read_text().splitlines()[6:]
    # the m7i.large row, the reservation rows and the Capacity Block fee never leave the download loop
    assert len(served) == 16 and len(kept) == 12
    assert not any("m7i.large" in line or "Capacity Block" in line or "Reservation" in line for line in kept)
    # the exact filter downstream finds the same rows in the filtered and in the whole file
    assert (
        aws.parse(payloads)
        .sort("region_code", "instance_type")
        .equals(aws.parse(files()).sort("region_code", "instance_type"))
    )


def test_fetch_keeps_the_very_lines_the_former_line_filter_kept(server):
    payloads = aws.fetch(fast_client(), {"aws": server.url + LOOPBACK_PATHS["aws"]})
    old = old_line_filter()  # the streaming line test fetch used before it read rows with polars
    for region, body in files().items():
        lines = body.split(b"\n")
        expected = [*lines[:6], *(line for line in lines[6:] if line and old(line))]
        assert payloads[region] == b"\n".join(expected) + b"\n", region


def chunked(body: bytes, size: int) -> list[bytes]:
    return [body[i : i + size] for i in range(0, len(body), size)]


EAST = CURRENT / "us-east-1" / "index.csv"
# the fixture's us-east-1 rows, repeated: enough records for many small blocks
MANY = EAST.read_bytes() + b"".join([EAST.read_bytes().split(b"\n", 6)[6]] * 40)


@pytest.mark.parametrize("block, chunk", [(1 << 20, 1 << 20), (4096, 1000), (3000, 7), (700, 4096)])
def test_blocks_and_chunks_of_any_size_keep_the_same_rows(monkeypatch, block, chunk):
    expected = aws.filter_price_list("us-east-1", [MANY])
    monkeypatch.setattr(aws, "BLOCK_BYTES", block)
    assert aws.filter_price_list("us-east-1", chunked(MANY, chunk)) == expected
    assert expected.count(b"\n") == 6 + 41 * 12


def test_crlf_line_endings_give_the_same_payload(monkeypatch):
    monkeypatch.setattr(aws, "BLOCK_BYTES", 5000)
    crlf = MANY.replace(b"\n", b"\r\n")
    assert aws.filter_price_list("us-east-1", chunked(crlf, 999)) == aws.filter_price_list("us-east-1", [MANY])


def _quoted_newline(body: bytes) -> bytes:
    """The fixture with a newline and an escaped quote inside a kept row's PriceDescription (valid CSV)."""
    return body.replace(b'"$55.04 per On Demand Linux p5.48xlarge', b'"$55.04 per ""On Demand""\nLinux p5.48xlarge')


@pytest.mark.parametrize("block", [1 << 20, 2048, 600])
def test_a_quoted_newline_is_read_as_csv_and_written_back_so_parse_reads_the_same_rows(monkeypatch, block):
    body = _quoted_newline(MANY)
    assert body != MANY
    monkeypatch.setattr(aws, "BLOCK_BYTES", block)
    filtered = aws.filter_price_list("us-east-1", chunked(body, 333))
    assert b'"$55.04 per ""On Demand""\nLinux p5.48xlarge' in filtered  # written back quoted and escaped
    whole = aws.parse_region("us-east-1", body)
    assert whole.filter(pl.col("price_description").str.contains("\n")).height == 41
    assert aws.parse_region("us-east-1", filtered).equals(whole)


def test_rows_written_back_by_polars_parse_like_the_lines_as_they_came():
    # polars' writer, as the quoted-newline path uses it, on rows that passed as lines: same bytes, same parse
    body = EAST.read_bytes()
    rows = pl.read_csv(body.split(b"\n", 5)[5], infer_schema=False)
    written = rows.write_csv(include_header=False, quote_style="non_numeric").encode()
    assert written == body.split(b"\n", 6)[6]
    necessary = body.split(b"\n", 6)[:6] + [rows.write_csv(include_header=False).encode()]
    assert aws.parse_region("us-east-1", b"\n".join(necessary)).equals(aws.parse_region("us-east-1", body))


def test_a_last_line_without_a_newline_is_kept(monkeypatch):
    first = MANY.split(b"\n")[6]
    assert b'"p3.2xlarge"' in first  # a row fetch keeps
    expected = aws.filter_price_list("us-east-1", [MANY + first + b"\n"])
    assert expected.endswith(b"\n" + first + b"\n")
    for block in (1 << 20, 1000):
        monkeypatch.setattr(aws, "BLOCK_BYTES", block)
        assert aws.filter_price_list("us-east-1", chunked(MANY + first, 512)) == expected
    head_only = b"\n".join(MANY.split(b"\n")[:6])  # the header without its newline, no rows
    assert aws.filter_price_list("us-east-1", [head_only]) == head_only + b"\n"


def _serve_east(server, monkeypatch, body: bytes) -> None:
    monkeypatch.setenv(aws.REGIONS_ENV, "us-east-1")
    server.behave(f"{LOOPBACK_PATHS['aws']}/us-east-1/index.csv", body=body)


def test_an_over_long_line_fails_the_source_fast_naming_the_region_the_limit_and_the_offset(server, monkeypatch):
    lines = MANY.split(b"\n")
    at = len(b"\n".join(lines[:30])) + 1  # where the long line starts
    body = b"\n".join([*lines[:30], b'"' + b"x" * (3 * 1024**2) + b'"', *lines[30:]])
    assert 3 * 1024**2 < len(body) < 5 * 1024**2
    _serve_east(server, monkeypatch, body)
    start = time.perf_counter()
    with pytest.raises(
        SourceError,
        match=rf"^aws: us-east-1/index\.csv: a line longer than the 1048576-byte limit starting at byte offset {at}: ",
    ):
        aws.fetch(fast_client(), {"aws": server.url + LOOPBACK_PATHS["aws"]})
    assert time.perf_counter() - start < 5


def test_a_body_that_is_one_huge_line_fails_in_linear_time(server, monkeypatch):
    _serve_east(server, monkeypatch, b"x" * (5 * 1024**2))  # no newline at all: the head never completes
    start = time.perf_counter()
    with pytest.raises(SourceError, match=r"^aws: us-east-1/index\.csv: a line longer than .* at byte offset 0: "):
        aws.fetch(fast_client(), {"aws": server.url + LOOPBACK_PATHS["aws"]})
    assert time.perf_counter() - start < 5


def test_the_line_limit_can_be_lowered_and_a_line_at_the_limit_passes(monkeypatch):
    lines = MANY.split(b"\n")
    header, header_at = len(lines[5]), len(b"\n".join(lines[:5])) + 1  # the longest line: the header
    assert header == max(map(len, lines))
    monkeypatch.setattr(aws, "MAX_LINE_BYTES", header - 1)
    with pytest.raises(SourceError, match=rf"the {header - 1}-byte limit starting at byte offset {header_at}: "):
        aws.filter_price_list("us-east-1", chunked(MANY, 1000))
    monkeypatch.setattr(aws, "MAX_LINE_BYTES", header)
    assert aws.filter_price_list("us-east-1", chunked(MANY, 1000)) == aws.filter_price_list("us-east-1", [MANY])


@pytest.mark.parametrize(
    "body, message",
    [
        (
            b"<html><body>Access Denied</body></html>",
            r"aws: us-east-1/index\.csv: 1 line\(s\), expected the 5-line preamble",
        ),
        (EAST.read_bytes().replace(b'"Tenancy"', b'"Tenancy type"', 1), r"expected column\(s\) Tenancy not in header"),
        (
            EAST.read_bytes() + b'"a","b"\n"unclosed\n',
            r"us-east-1/index\.csv: could not read the rows from byte offset \d+",
        ),
    ],
    ids=["html", "missing-column", "broken-csv"],
)
def test_a_body_that_is_not_a_price_list_fails_the_fetch_naming_the_file(server, monkeypatch, body, message):
    _serve_east(server, monkeypatch, body)
    with pytest.raises(SourceError, match=message):
        aws.fetch(fast_client(), {"aws": server.url + LOOPBACK_PATHS["aws"]})


def test_fetch_leaves_no_temporary_files(server, monkeypatch, tmp_path):
    spool = tmp_path / "tmp"
    spool.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spool))
    monkeypatch.setenv("TMPDIR", str(spool))
    aws.fetch(fast_client(), {"aws": server.url + LOOPBACK_PATHS["aws"]})
    _serve_east(server, monkeypatch, MANY[:5000] + b"x" * (2 * 1024**2))
    with pytest.raises(SourceError, match="a line longer than"):
        aws.fetch(fast_client(), {"aws": server.url + LOOPBACK_PATHS["aws"]})
    assert list(spool.iterdir()) == []


def test_regions_come_from_the_environment(server, monkeypatch):
    monkeypatch.setenv(aws.REGIONS_ENV, "eu-west-1")
    payloads = aws.fetch(fast_client(), {"aws": server.url + LOOPBACK_PATHS["aws"]})
    assert list(payloads) == ["eu-west-1"] and [r.path.split("/")[-2] for r in server.requests] == ["eu-west-1"]


def test_parse_keeps_on_demand_linux_shared_gpu_rows_only():
    raw = aws.parse(files())
    assert set(raw["term_type"]) == {"OnDemand"} and set(raw["capacity_status"]) == {"Used"}
    assert set(raw["operating_system"]) == {"Linux"} and set(raw["market_option"]) == {"OnDemand"}
    assert raw.filter(pl.col("instance_type") == "m7i.large").is_empty()
    assert raw.filter(pl.col("instance_type") == "p5e.48xlarge").is_empty()  # capacity-block only: no on-demand price
    p5 = raw.filter(pl.col("instance_type") == "p5.48xlarge", pl.col("region_code") == "us-east-1")
    assert p5["price_per_unit"].to_list() == [55.04]  # the reservation rows (55.04 unused, 0.0 allocated) are gone
    assert set(raw["offer_version"]) == {"20260520000000"}


def test_normalize_names_gpus_from_the_family_map():
    prices = offers()
    assert set(prices.columns) >= {*OFFER_SCHEMA, *OPTIONAL_SCHEMA} and set(prices["pricing"]) == {"on_demand"}
    p5 = one(prices, region="us-east-1", instance_type="p5.48xlarge")
    assert (p5["gpu_model"], p5["gpu_count"], p5["price_per_gpu_hour_usd"]) == ("H100-SXM", 8, pytest.approx(6.88))
    assert one(prices, region="us-east-1", instance_type="p4d.24xlarge")["gpu_model"] == "A100-40GB"
    assert one(prices, region="us-east-1", instance_type="p4de.24xlarge")["gpu_model"] == "A100-80GB"
    assert one(prices, region="eu-west-1", instance_type="p3dn.24xlarge")["gpu_model"] == "V100-32GB"
    assert one(prices, region="us-east-1", instance_type="g6e.xlarge")["gpu_model"] == "L40S"
    assert one(prices, region="us-west-2", instance_type="p5en.48xlarge")["price_per_gpu_hour_usd"] == pytest.approx(
        63.296 / 8
    )
    assert prices.filter(pl.col("gpu_model").is_null()).is_empty()
    assert prices.select("region", "instance_type").is_duplicated().sum() == 0


def _rewrite(instance: str, new_instance: str) -> dict[str, bytes]:
    """The fixture with one instance type renamed (to exercise the map, not to claim a real price)."""
    payloads = files()
    payloads["us-east-1"] = payloads["us-east-1"].replace(f'"{instance}"'.encode(), f'"{new_instance}"'.encode())
    return payloads


def test_an_instance_row_in_the_map_overrides_the_gpu_count():
    prices = offers(_rewrite("g6.xlarge", "g6f.large"))
    g6f = one(prices, region="us-east-1", instance_type="g6f.large")
    assert g6f["gpu_model"] == "L4" and g6f["gpu_count"] == 0.125
    assert g6f["price_per_gpu_hour_usd"] == pytest.approx(g6f["price_per_hour_usd"] / 0.125)


def test_a_gpu_family_missing_from_the_map_is_kept_and_named_for_the_unknown_check():
    prices = offers(_rewrite("g5.xlarge", "g9z.xlarge"))
    row = one(prices, region="us-east-1", instance_type="g9z.xlarge")
    assert row["gpu_name_raw"] == "g9z (unmapped AWS family)" and row["gpu_model"] is None and row["gpu_count"] == 1


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda b: b"<html><body>Access Denied</body></html>", r"aws: us-east-1/index\.csv: .*preamble"),
        (
            lambda b: b.replace(b'"PricePerUnit"', b'"Price"', 1),
            r"aws: us-east-1/index\.csv: expected column\(s\) PricePerUnit",
        ),
        (
            lambda b: b.replace(b'"55.0400000000"', b'"55.04 USD"', 1),
            r"aws: us-east-1/index\.csv: 1 row\(s\) with a non-numeric PricePerUnit",
        ),
    ],
    ids=["html", "missing-column", "non-numeric-price"],
)
def test_a_changed_layout_is_an_error_naming_the_file(change, message):
    payloads = files()
    payloads["us-east-1"] = change(payloads["us-east-1"])
    with pytest.raises(SourceError, match=message):
        aws.parse(payloads)


# Conformance: a real AWS price list (the global file's first 44 rows, cut by jtdelia/ec2-priceit).
def _capture(*parts) -> bytes:
    path = CAPTURES.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real capture {path} not available")
    return path.read_bytes()


def test_conformance_real_price_list_its_only_gpu_row_is_filtered_out():
    body = _capture("aws_price_list", "3-global-pricing-file-sample.csv")
    rows = list(csv.DictReader(io.StringIO(body.decode().split("\n", 5)[5])))
    gpu = [r for r in rows if r["GPU"]]
    assert [(r["Instance Type"], r["CapacityStatus"], r["Tenancy"], r["Operating System"]) for r in gpu] == [
        ("g5.48xlarge", "UnusedCapacityReservation", "Dedicated", "SUSE")
    ]
    assert aws.parse_region("global", body).is_empty()  # the real layout parses; nothing passes the filter
    candidate = old_line_filter()
    assert not any(candidate(line) for line in body.split(b"\n")[6:])
    # the same row, made an on-demand Linux shared row, would be kept: the filter is what drops it
    kept = (
        body.replace(b'"Dedicated Unused Reservation SUSE', b'"On Demand Linux')
        .replace(b'"Dedicated",,"SUSE"', b'"Shared",,"Linux"')
        .replace(b'"UnusedCapacityReservation","false","19000', b'"Used","false","19000')
    )
    assert aws.parse_region("global", kept)["instance_type"].to_list() == ["g5.48xlarge"]
    with pytest.raises(SourceError, match="no on-demand Linux GPU rows"):
        aws.parse({"global": body})

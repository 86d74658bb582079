"""AWS, Azure and gpuhunt over real HTTP from the loopback server: live rows, retries, failures that keep the
last good data, and two days of history where re-running a day replaces that day only."""

import datetime as dt
import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from assets.ingest import SourceFailed, ingest_source
from assets.prices import aws, azure, gpuhunt
from assets.prices.build import build_gpu_prices_daily
from assets.prices.gpu_names import price_rows
from assets.reference.files import GPU_ALIASES, GPU_SPECS
from assets.source import Source
from tests.conftest import LOOPBACK_PATHS, loopback_ingest
from tests.ingest_state import raw_days, source_state
from warehouse import connect_reader, connect_writer, queries, replace_snapshot, snapshots

FIXTURES = Path(__file__).parent / "fixtures"
DAY1 = dt.datetime(2026, 4, 2, 6, 0)
DAY2 = dt.datetime(2026, 4, 3, 6, 0)


def zipped(provider: str, csv_text: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(f"{provider}.csv", csv_text)
    return out.getvalue()


@dataclass(frozen=True)
class Case:
    source: Source
    probe: str  # a path the source requests, told to misbehave
    probe_hits: int  # how often a good run requests it
    malformed: bytes
    missing_column: bytes
    message: str  # what the missing-column error says


AWS_EAST = LOOPBACK_PATHS["aws"] + "/us-east-1/index.csv"
AZURE_PAGE = json.loads((FIXTURES / "azure" / "pages" / "westus2-0.json").read_text())
OCI_ZIP = LOOPBACK_PATHS["gpuhunt"] + "/oci/20260402-1/catalog.zip"
CASES = {
    "aws": Case(
        aws.SOURCE,
        AWS_EAST,
        1,
        b"<html><body>Service Unavailable</body></html>",
        (FIXTURES / "aws" / "offers/v1.0/aws/AmazonEC2/current/us-east-1/index.csv")
        .read_bytes()
        .replace(b'"Region Code"', b'"Region"'),
        r"aws: us-east-1/index\.csv: expected column\(s\) Region Code",
    ),
    "azure": Case(
        azure.SOURCE,
        LOOPBACK_PATHS["azure"],
        4,
        b"<html>Too Many Requests</html>",
        json.dumps(
            AZURE_PAGE | {"Items": [{k: v for k, v in i.items() if k != "retailPrice"} for i in AZURE_PAGE["Items"]]}
        ).encode(),
        r"azure: items have no retailPrice field",
    ),
    "gpuhunt_oci": Case(
        gpuhunt.BY_PROVIDER["oci"],
        OCI_ZIP,
        1,
        b"<?xml version='1.0'?><Error><Code>AccessDenied</Code></Error>",
        zipped(
            "oci",
            (FIXTURES / "gpuhunt" / "csv" / "oci.csv")
            .read_bytes()
            .replace(b"instance_name,location,price,", b"instance_name,location,cost,"),
        ),
        r"gpuhunt_oci: oci\.csv: expected column\(s\) price",
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_live_ingest_over_http(server, store, name):
    case = CASES[name]
    result = ingest_source(case.source, store, loopback_ingest(server), now=DAY1)
    assert (result.status, result.origin, result.snapshot_date) == ("live", "live", DAY1.date())
    assert server.hits(case.probe) == case.probe_hits
    assert all(r.headers["User-Agent"].startswith("gpucost/") for r in server.requests)
    assert result.frame.height > 0 and set(result.frame["source"]) == {name}
    assert source_state(store, case.source)["last_status"] == "live"


@pytest.mark.parametrize("name", CASES)
def test_a_429_is_retried_honouring_retry_after(server, store, name):
    case = CASES[name]
    server.behave(case.probe, status=429, headers={"Retry-After": "0"}, times=1)
    assert ingest_source(case.source, store, loopback_ingest(server), now=DAY1).status == "live"
    assert server.hits(case.probe) == case.probe_hits + 1


FAILURES = {
    "http-500": ({"status": 500}, r"HTTP 500 .*after 2 attempts"),
    "http-429": ({"status": 429, "headers": {"Retry-After": "0"}}, r"HTTP 429 .*after 2 attempts"),
    "timeout": ({"delay_s": 1.0}, r"timed out"),
    "malformed-body": (None, r"preamble|not JSON|not a zip archive"),
    "missing-column": (None, None),
}


@pytest.mark.parametrize("failure", FAILURES)
@pytest.mark.parametrize("name", CASES)
def test_a_failing_source_names_itself_and_keeps_its_last_good_data(server, store, name, failure):
    case = CASES[name]
    ingest_source(case.source, store, loopback_ingest(server), now=DAY1)
    behaviour, message = FAILURES[failure]
    if failure == "malformed-body":
        behaviour = {"body": case.malformed}
    elif failure == "missing-column":
        behaviour, message = {"body": case.missing_column}, case.message
    server.behave(case.probe, **behaviour)
    with pytest.raises(SourceFailed, match=message) as failed:
        ingest_source(case.source, store, loopback_ingest(server, read_timeout_s=0.3), now=DAY2)
    assert str(failed.value).startswith(f"{name}: ")
    assert "keeps its last good data from 2026-04-02 (now stale)" in str(failed.value)
    assert raw_days(store, case.source) == [DAY1.date()]  # nothing lost, nothing half-written
    s = source_state(store, case.source)
    assert (
        s["last_status"] == "failed"
        and s["stale"]
        and s["data_snapshot_date"] == DAY1.date()
        and name in s["last_message"]
    )


@pytest.mark.parametrize("name", CASES)
def test_offline_mode_bootstraps_from_the_bundled_snapshot_without_the_network(server, store, name):
    case = CASES[name]
    result = ingest_source(case.source, store, loopback_ingest(server, offline=True), now=DAY1)
    captured = case.source.snapshot.captured
    assert (result.status, result.origin, result.snapshot_date) == ("snapshot", f"snapshot:{captured}", captured)
    assert server.requests == [] and result.frame.height > 0
    assert not case.source.normalize(result.frame).is_empty()


# History: day 1 and day 2 carry different real prices; a re-run of day 2 replaces day 2 only.
DAY1_BODIES = {
    "aws": (
        AWS_EAST,
        (FIXTURES / "aws" / "us-east-1_2025-05-01.csv").read_bytes(),
    ),  # p5.48xlarge 98.32 before the June 2025 cut
    "azure": (
        LOOPBACK_PATHS["azure"],
        (FIXTURES / "azure" / "northeurope-0_2026-07-25.json").read_bytes(),
    ),  # NC8as T4 v3 Spot 0.349614
    "gpuhunt_lambdalabs": (
        LOOPBACK_PATHS["gpuhunt"] + "/lambdalabs/20260402-1/catalog.zip",  # Lambda on 2026-04-06: 8x H100 SXM 31.92
        zipped("lambdalabs", (FIXTURES / "gpuhunt" / "csv" / "lambdalabs_2026-04-06.csv").read_bytes()),
    ),
}
PROBES = {  # (raw table filter, price column, price on the day-1 body, price in the default fixtures)
    "aws": ("instance_type = 'p5.48xlarge' AND region_code = 'us-east-1'", "price_per_unit", 98.32, 55.04),
    "azure": ("sku_name = 'NC8as T4 v3 Spot' AND arm_region_name = 'northeurope'", "retail_price", 0.349614, 0.279724),
    "gpuhunt_lambdalabs": ("instance_name = 'gpu_8x_h100_sxm5'", "price", 31.92, 27.52),
}


def probe_prices(store, name) -> list[tuple[dt.date, float]]:
    where, column, *_ = PROBES[name]
    with connect_reader(store.path) as con:
        return queries.frame(
            con, f"SELECT snapshot_date, {column} FROM {HISTORY_SOURCES[name].raw_table} WHERE {where} ORDER BY 1"
        ).rows()


def write_core(store, source: Source, day: dt.date) -> None:
    """What core/gpu_prices and the daily market do for a source's newest day (they run after each day's ingest)."""
    with connect_writer(store.path) as con:
        rows = price_rows(
            source.normalize(snapshots.slices(con, source.raw_table, {source.name: day})),
            GPU_ALIASES.load(),
            GPU_SPECS.load(),
        )
        replace_snapshot(con, "core.gpu_prices", rows, source=source.name, snapshot_date=day)
        build_gpu_prices_daily(con, (source,), today=day, computed_at=dt.datetime.combine(day, dt.time(7)))


HISTORY_SOURCES = {"aws": aws.SOURCE, "azure": azure.SOURCE, "gpuhunt_lambdalabs": gpuhunt.BY_PROVIDER["lambdalabs"]}


@pytest.mark.parametrize("name", HISTORY_SOURCES)
def test_two_days_of_history_and_a_rerun_replaces_only_its_day(server, store, name, monkeypatch):
    monkeypatch.setenv(azure.REGIONS_ENV, "northeurope")  # one region: the day-1 page answers the first request
    source, (path, day1_body) = HISTORY_SOURCES[name], DAY1_BODIES[name]
    _, _, old, new = PROBES[name]
    server.behave(path, body=day1_body, times=1)
    ingest_source(source, store, loopback_ingest(server), now=DAY1)
    write_core(store, source, DAY1.date())
    ingest_source(source, store, loopback_ingest(server), now=DAY2)
    write_core(store, source, DAY2.date())
    assert probe_prices(store, name) == [(DAY1.date(), old), (DAY2.date(), new)]
    # re-run day 2 with the day-1 prices: day 2 changes, day 1 does not
    server.behave(path, body=day1_body, times=1)
    ingest_source(source, store, loopback_ingest(server), now=DAY2.replace(hour=9))
    assert probe_prices(store, name) == [(DAY1.date(), old), (DAY2.date(), old)]
    with connect_reader(store.path) as con:
        days = queries.frame(con, "SELECT DISTINCT snapshot_date FROM marts.gpu_prices_daily ORDER BY 1")[
            "snapshot_date"
        ].to_list()
    assert days == [DAY1.date(), DAY2.date()]  # every past day stays queryable in the daily mart

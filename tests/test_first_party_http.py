"""First-party price sources (Lambda page, RunPod GraphQL, Vast bundles) over real HTTP from loopback.

Every source gets the same failure matrix as the SkyPilot catalog (tests/test_ingest_http.py):
HTTP 500, 429, a timeout, a malformed body and a body missing what the parser needs each fail
with an error naming the source and what went wrong, and the last good data stays.
"""

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from assets.ingest import SourceFailed, ingest_source
from assets.prices import lambda_page, runpod, vast
from assets.resources import IngestSettings
from assets.source import Source
from pipeline.cli import main
from tests import runpod_pages
from tests.conftest import LOOPBACK_PATHS, fixture_dir, loopback_ingest
from tests.ingest_state import source_state
from warehouse import connect_reader, queries

FIXTURES = Path(__file__).parent / "fixtures"
DAY1 = dt.datetime(2026, 5, 20, 6, 0)
DAY2 = dt.datetime(2026, 5, 21, 6, 0)


@dataclass(frozen=True)
class Case:
    source: Source
    path: str  # the loopback path its request goes to
    fixture: Path  # the recorded answer at that path
    malformed: tuple[bytes, str]  # a body the parser must reject, and the message it gives
    missing: tuple[bytes, str]  # a body lacking an expected column/table/field, and the message

    def without(self, old: bytes, new: bytes) -> bytes:
        body = self.fixture.read_bytes()
        assert old in body, f"{old!r} not in {self.fixture}"
        return body.replace(old, new)


CASES = {
    "lambda": Case(
        lambda_page.SOURCE,
        LOOPBACK_PATHS["lambda_pricing"] + "/pricing",
        fixture_dir("lambda_pricing") / "pricing",
        (b"<html><body>Just a moment...</body></html>", r"lambda: no instance price table on /pricing"),
        (b"VRAM/GPU", r"lambda: no instance price table on /pricing \(headers 'VRAM/GPU'"),
    ),
    "runpod": Case(
        runpod.SOURCE,
        LOOPBACK_PATHS["runpod_api"] + "/graphql",
        fixture_dir("runpod_api") / "graphql" / "discovery.json",
        (b"<html>502 Bad Gateway</html>", r"runpod: discovery: the GraphQL response is not JSON"),
        (b'"dataCenters"', r"runpod: discovery: the response has no data.dataCenters"),
    ),
    "vast": Case(
        vast.SOURCE,
        LOOPBACK_PATHS["vast_api"] + "/bundles/",
        fixture_dir("vast_api") / "bundles_on-demand.json",
        (b"<html><body>504 Gateway Time-out</body></html>", r"vast: bundles \(on-demand\): the response is not JSON"),
        (b'"dph_total"', r"vast: bundles \(on-demand\): offers lack the field\(s\) dph_total"),
    ),
}
# what each missing-column case replaces in the recorded answer
MISSING_REPLACEMENTS = {"lambda": b"MEMORY", "runpod": b'"dataCentres"', "vast": b'"dph"'}


def raw_rows(store, source: Source):
    with connect_reader(store.path) as con:
        return queries.frame(con, f"SELECT * FROM {source.raw_table} ORDER BY ALL")


@pytest.mark.parametrize("name", CASES)
def test_live_fetch_over_http(server, store, name):
    case = CASES[name]
    result = ingest_source(case.source, store, loopback_ingest(server), now=DAY1)
    assert result.status == "live" and result.snapshot_date == DAY1.date()
    assert {r.path for r in server.requests} == {case.path}
    assert all(r.headers["User-Agent"].startswith("gpucost/") for r in server.requests)
    rows = raw_rows(store, case.source)
    assert rows.height == result.frame.height > 0 and set(rows["origin"]) == {"live"}
    assert source_state(store, name)["last_status"] == "live"


def test_requests_are_the_real_ones(server, store):
    """GraphQL and Vast POST what their APIs expect: RunPod a discovery, then one lowestPrice query per data centre,
    country and pod size, secureCloud always given."""
    for case in CASES.values():
        ingest_source(case.source, store, loopback_ingest(server), now=DAY1)
    by_path = {}
    for seen in server.requests:
        by_path.setdefault(seen.path, []).append(seen)
    posts = by_path[LOOPBACK_PATHS["runpod_api"] + "/graphql"]
    assert {r.method for r in posts} == {"POST"}
    discovery, *prices = [json.loads(r.body) for r in posts]
    assert "dataCenters" in discovery["query"] and "countryCodes" in discovery["query"]
    inputs = sorted(
        (i["secureCloud"], i.get("dataCenterId") or i.get("countryCode"), i["gpuCount"])
        for i in (p["variables"]["lowestPriceInput"] for p in prices)
    )
    # listed data centres only (CA-MTL-9 is unlisted), countries without the null one, pod sizes up to maxGpuCount
    assert inputs == sorted(
        (cloud, place, n)
        for cloud, place in ((True, "EU-RO-1"), (True, "US-GA-1"), (False, "US"))
        for n in (1, 2, 4, 8)
    )
    assert all("minimumBidPrice uninterruptablePrice" in p["query"] and "stockStatus" in p["query"] for p in prices)
    bodies = [json.loads(r.body) for r in by_path[LOOPBACK_PATHS["vast_api"] + "/bundles/"]]
    assert sorted(b["type"] for b in bodies) == ["bid", "on-demand"]
    assert all(b["rentable"] == {"eq": True} and b["rented"] == {"eq": False} for b in bodies)


def _behaviour(name: str, failure: str) -> tuple[dict, str]:
    case = CASES[name]
    path = rf"{name}: (GET|POST) http://127\.0\.0\.1:\d+{case.path}"
    return {
        "http-500": ({"status": 500}, path + r": HTTP 500 .*after 2 attempts"),
        "http-429": ({"status": 429, "headers": {"Retry-After": "0"}}, path + r": HTTP 429 .*after 2 attempts"),
        "timeout": ({"delay_s": 1.0}, path + r": timed out"),
        "malformed-body": ({"body": case.malformed[0]}, case.malformed[1]),
        "missing-column": ({"body": case.without(case.missing[0], MISSING_REPLACEMENTS[name])}, case.missing[1]),
    }[failure]


@pytest.mark.parametrize("failure", ["http-500", "http-429", "timeout", "malformed-body", "missing-column"])
@pytest.mark.parametrize("name", CASES)
def test_a_failing_source_keeps_its_last_good_data(server, store, name, failure):
    case = CASES[name]
    ingest_source(case.source, store, loopback_ingest(server), now=DAY1)
    before = raw_rows(store, case.source)
    behaviour, message = _behaviour(name, failure)
    server.behave(case.path, **behaviour)
    with pytest.raises(SourceFailed, match=message) as failed:
        ingest_source(case.source, store, loopback_ingest(server, read_timeout_s=0.3), now=DAY2)
    assert f"keeps its last good data from {DAY1.date()} (now stale)" in str(failed.value)
    assert raw_rows(store, case.source).equals(before)  # nothing lost, nothing half-written
    s = source_state(store, name)
    assert s["last_status"] == "failed" and s["stale"] and s["data_snapshot_date"] == DAY1.date()
    assert s["last_message"].startswith(f"{name}: ")


def test_a_graphql_error_with_http_200_is_a_failure(server, store):
    ingest_source(runpod.SOURCE, store, loopback_ingest(server), now=DAY1)
    hits = server.hits(LOOPBACK_PATHS["runpod_api"] + "/graphql")
    error = {
        "errors": [
            {"message": "Something went wrong. Please try again later or contact support.", "path": ["gpuTypes"]}
        ],
        "data": None,
    }
    server.behave(LOOPBACK_PATHS["runpod_api"] + "/graphql", body=json.dumps(error).encode())
    with pytest.raises(
        SourceFailed, match=r"runpod: discovery: GraphQL error: Something went wrong\. .*last good data from 2026-05-20"
    ):
        ingest_source(runpod.SOURCE, store, loopback_ingest(server), now=DAY2)
    # an HTTP 200 error is not retried: the failed run asked once and stopped
    assert server.hits(LOOPBACK_PATHS["runpod_api"] + "/graphql") == hits + 1


def test_runpod_history_two_days_and_a_rerun_replaces_only_its_day(server, store):
    """Day 1: SkyPilot v7 catalog prices (A100 80GB PCIe $1.64 in EU-RO-1); day 2: v8 ($1.39); re-running day 2
    with day 1's answer replaces day 2 only.
    """
    day1 = (fixture_dir("runpod_api") / "history" / "secure_EU-RO-1_1_2026-04-02.json").read_bytes()
    recorded = runpod_pages.answer_file

    def with_day1(body):
        request = json.loads(body or b"{}")
        lowest = (request.get("variables") or {}).get("lowestPriceInput") or {}
        return "day1" if (lowest.get("dataCenterId"), lowest.get("gpuCount")) == ("EU-RO-1", 1) else recorded(body)

    def answer(seen):
        file = with_day1(seen.body)
        return 200, day1 if file == "day1" else file.read_bytes(), {}

    def a100_pcie():
        return (
            raw_rows(store, runpod.SOURCE)
            .filter(gpu_type_id="NVIDIA A100 80GB PCIe", location="EU-RO-1", gpu_count=1.0)
            .select("snapshot_date", "secure_price")
            .sort("snapshot_date")
            .rows()
        )

    path = LOOPBACK_PATHS["runpod_api"] + "/graphql"
    server.respond(path, answer)
    ingest_source(runpod.SOURCE, store, loopback_ingest(server), now=DAY1)
    server.respond(path, runpod_pages.runpod_graphql)
    ingest_source(runpod.SOURCE, store, loopback_ingest(server), now=DAY2)
    assert a100_pcie() == [(DAY1.date(), 1.64), (DAY2.date(), 1.39)]
    server.respond(path, answer)
    ingest_source(runpod.SOURCE, store, loopback_ingest(server), now=DAY2.replace(hour=9))
    assert a100_pcie() == [(DAY1.date(), 1.64), (DAY2.date(), 1.64)]


def test_vast_interruptible_offers_become_spot_rows(server, store):
    """The recorded bid answer is empty (no real interruptible prices captured); answered like on-demand, it feeds spot
    rows.
    """
    on_demand = CASES["vast"].fixture.read_bytes()
    server.respond(LOOPBACK_PATHS["vast_api"] + "/bundles/", lambda seen: (200, on_demand, {}))
    result = ingest_source(vast.SOURCE, store, loopback_ingest(server), now=DAY1)
    rows = result.frame.filter(gpu_name="H100 SXM")
    assert sorted(rows["pricing"]) == ["on_demand", "spot"]
    assert rows["price_median_per_gpu_hour_usd"].n_unique() == 1


@pytest.mark.parametrize("name", CASES)
def test_first_run_without_network_bootstraps_from_the_bundled_snapshot(store, name):
    case = CASES[name]
    # port 9 (discard) on loopback: nothing listens, the connection is refused at once
    offline_net = IngestSettings(base_urls={key: "http://127.0.0.1:9/none" for key in case.source.base_urls}, retries=0)
    result = ingest_source(case.source, store, offline_net, now=DAY2)
    captured = case.source.snapshot.captured
    assert result.status == "snapshot" and result.origin == f"snapshot:{captured}" and result.snapshot_date == captured
    assert "could not connect" in result.message
    rows = raw_rows(store, case.source)
    assert rows.height > 0 and set(rows["origin"]) == {f"snapshot:{captured}"}


def test_offline_run_lists_every_first_party_source(capsys):
    assert main(["run", "--offline"]) == 0
    out = capsys.readouterr().out
    # each source's progress line names the snapshot it came from
    lines = out.splitlines()
    for case in CASES.values():
        line = next(x for x in lines if x.strip().startswith(case.source.name + " "))
        assert f"snapshot of {case.source.snapshot.captured}" in line, line
    assert (
        main(
            [
                "sql",
                "select source, last_status, data_origin, row_count from marts.source_status order by source",
                "--json",
            ]
        )
        == 0
    )
    status = {row["source"]: row for row in json.loads(capsys.readouterr().out)}
    for name, case in CASES.items():
        assert (
            status[name]["last_status"] == "snapshot"
            and status[name]["data_origin"] == f"snapshot:{case.source.snapshot.captured}"
        )
        assert status[name]["row_count"] > 0

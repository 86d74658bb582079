"""Ingestion over real HTTP from a loopback server: live data, fallbacks, failures that keep the last good data."""

import datetime as dt

import polars as pl
import pytest

from assets.ingest import SourceFailed, ingest_source
from assets.prices import skypilot
from assets.resources import IngestSettings
from tests.conftest import LOOPBACK_PATHS, loopback_ingest
from tests.ingest_state import source_state
from tests.loopback import FIXTURES
from warehouse import connect_reader, queries

DAY1 = dt.datetime(2026, 4, 2, 6, 0)
DAY2 = dt.datetime(2026, 4, 3, 6, 0)
LAMBDA = LOOPBACK_PATHS["skypilot"] + "/lambda/vms.csv"
SKYPILOT = skypilot.BY_CLOUD["lambda"]  # one source per cloud: skypilot_lambda, table raw.skypilot_lambda


def raw_prices(store, instance):
    with connect_reader(store.path) as con:
        return queries.frame(
            con,
            f"SELECT snapshot_date, origin, region, price FROM {SKYPILOT.raw_table} "
            "WHERE instance_type = ? ORDER BY 1, 3",
            [instance],
        )


def test_live_fetch_over_http(server, store):
    result = ingest_source(SKYPILOT, store, loopback_ingest(server), now=DAY1)
    assert result.status == "live" and result.origin == "live" and result.snapshot_date == DAY1.date()
    assert {r.path for r in server.requests} == {LAMBDA}  # this cloud's catalog only
    assert all(r.headers["User-Agent"].startswith("gpucost/") for r in server.requests)
    got = raw_prices(store, "gpu_1x_h100_pcie")
    assert got["price"].to_list() == [2.86, 2.86] and set(got["origin"]) == {"live"}
    assert source_state(store, SKYPILOT)["last_status"] == "live"


def test_github_429_falls_back_to_the_s3_mirror(server, store):
    server.behave(LAMBDA, status=429, headers={"Retry-After": "0"})
    result = ingest_source(SKYPILOT, store, loopback_ingest(server), now=DAY1)
    assert result.status == "live"
    assert server.hits(LAMBDA) == 1  # 429 is not retried against GitHub
    assert server.hits(LOOPBACK_PATHS["skypilot_mirror"] + "/lambda/vms.csv") == 1


def test_transient_500_is_retried(server, store):
    server.behave(LAMBDA, status=503, times=1)
    assert ingest_source(SKYPILOT, store, loopback_ingest(server), now=DAY1).status == "live"
    assert server.hits(LAMBDA) == 2


@pytest.mark.parametrize(
    "behaviour, message",
    [
        (
            {"status": 500},
            r"skypilot_lambda: GET http://127\.0\.0\.1:\d+/skypilot/\S+/lambda/vms\.csv: HTTP 500 .*after 2 attempts",
        ),
        ({"status": 404}, r"skypilot_lambda: GET .*lambda/vms\.csv: HTTP 404"),
        ({"delay_s": 1.0}, r"skypilot_lambda: GET .*lambda/vms\.csv: timed out"),
        (
            {"body": b"<html>Service unavailable</html>"},
            r"skypilot_lambda: lambda/vms\.csv: expected column\(s\) InstanceType",
        ),
        (
            {"body": b"InstanceType,AcceleratorName,AcceleratorCount,Price,Region\n"},
            r"skypilot_lambda: lambda/vms\.csv has no GPU rows",
        ),
        ({"truncate_to": 300}, r"skypilot_lambda: GET .*lambda/vms\.csv: (body truncated|connection broke)"),
    ],
    ids=["http-500", "http-404", "timeout", "malformed-body", "empty-catalog", "truncated"],
)
def test_a_failing_source_keeps_its_last_good_data(server, store, behaviour, message):
    ingest_source(SKYPILOT, store, loopback_ingest(server), now=DAY1)
    server.behave(LAMBDA, **behaviour)
    with pytest.raises(SourceFailed, match=message) as failed:
        ingest_source(SKYPILOT, store, loopback_ingest(server, read_timeout_s=0.3), now=DAY2)
    assert "keeps its last good data from 2026-04-02 (now stale)" in str(failed.value)
    got = raw_prices(store, "gpu_1x_h100_pcie")
    assert got["snapshot_date"].to_list() == [DAY1.date(), DAY1.date()]  # nothing lost, nothing half-written
    s = source_state(store, SKYPILOT)
    assert s["last_status"] == "failed" and s["stale"] and s["data_snapshot_date"] == DAY1.date()
    assert s["last_message"].startswith("skypilot_lambda: ")


def test_first_run_without_network_bootstraps_from_the_bundled_snapshot(store):
    # port 9 (discard) on loopback: nothing listens, the connection is refused at once
    offline_net = IngestSettings(
        base_urls={"skypilot": "http://127.0.0.1:9/none", "skypilot_mirror": "http://127.0.0.1:9/none"}, retries=0
    )
    result = ingest_source(SKYPILOT, store, offline_net, now=DAY2)
    assert result.status == "snapshot"
    captured = SKYPILOT.snapshot.captured
    assert result.origin == f"snapshot:{captured}" and result.snapshot_date == captured
    assert "could not connect" in result.message and f"bundled snapshot captured {captured}" in result.message
    got = raw_prices(store, "gpu_1x_h100_pcie")
    assert set(got["origin"]) == {f"snapshot:{captured}"} and got["price"].to_list() == [3.29, 3.29]
    # with data in the warehouse, the next failure fails instead of bootstrapping again
    with pytest.raises(SourceFailed, match="keeps its last good data"):
        ingest_source(SKYPILOT, store, offline_net, now=DAY2)


def test_offline_mode_never_touches_the_network(server, store):
    result = ingest_source(SKYPILOT, store, loopback_ingest(server, offline=True), now=DAY1)
    assert result.status == "snapshot" and server.requests == []


def test_two_days_of_history_and_a_rerun_replaces_only_its_day(server, store):
    ingest_source(SKYPILOT, store, loopback_ingest(server), now=DAY1)
    day2_lambda = (FIXTURES / "skypilot" / "lambda_vms_2026-04-06.csv").read_bytes()
    server.behave(LAMBDA, body=day2_lambda, times=1)
    ingest_source(SKYPILOT, store, loopback_ingest(server), now=DAY2)
    assert raw_prices(store, "gpu_1x_h100_pcie").filter(pl.col("region") == "us-east-1")["price"].to_list() == [
        2.86,
        3.29,
    ]
    # re-run day 2 with the day-1 catalog: day 2 changes, day 1 does not
    ingest_source(SKYPILOT, store, loopback_ingest(server), now=DAY2.replace(hour=9))
    got = raw_prices(store, "gpu_1x_h100_pcie").filter(pl.col("region") == "us-east-1")
    assert got["price"].to_list() == [2.86, 2.86] and got["snapshot_date"].to_list() == [DAY1.date(), DAY2.date()]


def test_same_content_same_data_version(server, store):
    first = ingest_source(SKYPILOT, store, loopback_ingest(server), now=DAY1)
    again = ingest_source(SKYPILOT, store, loopback_ingest(server), now=DAY2)
    assert first.data_version == again.data_version
    server.behave(LAMBDA, body=(FIXTURES / "skypilot" / "lambda_vms_2026-04-06.csv").read_bytes())
    changed = ingest_source(SKYPILOT, store, loopback_ingest(server), now=DAY2)
    assert changed.data_version != first.data_version


def test_an_unresolvable_host_fails_at_once_and_says_so(store):
    # .invalid never resolves (RFC 2606): no retries, a message that points at the network
    unresolvable = IngestSettings(
        base_urls={"skypilot": "http://gpucost-test.invalid/v8", "skypilot_mirror": "http://gpucost-test.invalid/v8"},
        retries=2,
        backoff_s=5.0,
    )
    result = ingest_source(SKYPILOT, store, unresolvable, now=DAY1)
    assert result.status == "snapshot"
    assert "could not resolve the host name (no network?)" in result.message


def test_one_cloud_failing_keeps_every_other_clouds_prices_live(server, store):
    """Each SkyPilot cloud is its own source: a 404 on one catalog fails that cloud alone."""
    runpod = skypilot.BY_CLOUD["runpod"]
    for source in (SKYPILOT, runpod):
        ingest_source(source, store, loopback_ingest(server), now=DAY1)
    server.behave(LAMBDA, status=404)
    with pytest.raises(SourceFailed, match=r"skypilot_lambda: GET .*lambda/vms\.csv: HTTP 404"):
        ingest_source(SKYPILOT, store, loopback_ingest(server), now=DAY2)
    assert ingest_source(runpod, store, loopback_ingest(server), now=DAY2).status == "live"
    with connect_reader(store.path) as con:
        rows = queries.source_status(con).select("source", "last_status", "data_snapshot_date").rows()
    assert rows == [("skypilot_lambda", "failed", DAY1.date()), ("skypilot_runpod", "live", DAY2.date())]

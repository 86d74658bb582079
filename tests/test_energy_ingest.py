"""Energy sources over real HTTP from the loopback server: live data, snapshot bootstrap, and failures that keep the
last good data.
"""

import datetime as dt
from urllib.parse import parse_qs

import pytest

from assets.energy import ecb, eia, eurostat, owid
from assets.ingest import SourceFailed, ingest_source
from assets.resources import IngestSettings
from tests.conftest import LOOPBACK_PATHS, loopback_ingest
from tests.ingest_state import source_state
from warehouse import connect_reader, queries

DAY1 = dt.datetime(2026, 4, 2, 6, 0)
DAY2 = dt.datetime(2026, 4, 3, 6, 0)

# source, the path its fetch asks for on the loopback server, a body in its format with a changed layout and the error
# that names it, and the error a body that is not the document at all gives
CASES = {
    "eia_epm": (
        eia.SOURCE,
        LOOPBACK_PATHS["eia_epm"] + "/epm_table_grapher.php",
        b"<html><table><tr><th>State</th><th>Price</th></tr><tr><td>Iowa</td><td>6.04</td></tr></table></html>",
        r"eia_epm: no table with the sector headers",
        r"eia_epm: no table with the sector headers",
    ),
    "eurostat_nrg_pc_205": (
        eurostat.SOURCE,
        LOOPBACK_PATHS["eurostat"] + "/nrg_pc_205",
        b'{"version": "2.0", "class": "dataset", "id": ["geo", "time"], "size": [1, 1], "value": {"0": 0.1},'
        b' "dimension": {"geo": {"category": {"index": {"DE": 0}}}, "time": {"category": {"index": {"2025-S2": 0}}}}}',
        r"eurostat_nrg_pc_205: expected dimension\(s\) nrg_cons, unit, tax, currency not in the dataset",
        r"eurostat_nrg_pc_205: the response is not JSON",
    ),
    "ecb_eurofxref": (
        ecb.SOURCE,
        LOOPBACK_PATHS["ecb_eurofxref"] + "/eurofxref-daily.xml",
        b"<Cube><Cube time='2026-04-03'><Cube currency='GBP' rate='0.86'/></Cube></Cube>",
        r"ecb_eurofxref: no USD rate",
        r"ecb_eurofxref: the response is not XML",
    ),
    "owid_grid_carbon": (
        owid.SOURCE,
        LOOPBACK_PATHS["owid_grapher"] + "/carbon-intensity-electricity.csv",
        b"Entity,Code,Year,share_of_renewables\nWorld,OWID_WRL,2024,31.9\n",
        r"owid_grid_carbon: expected one carbon-intensity column",
        r"owid_grid_carbon: expected column\(s\) Entity, Code, Year",
    ),
}
FAILURES = {
    "http-500": ({"status": 500}, r"{name}: GET http://127\.0\.0\.1:\d+{path}.*HTTP 500 .*after 2 attempts"),
    "http-429": ({"status": 429, "headers": {"Retry-After": "0"}}, r"{name}: GET .*HTTP 429 .*after 2 attempts"),
    "timeout": ({"delay_s": 1.0}, r"{name}: GET .*: timed out"),
    "malformed-body": ({"body": b"\x00\x01 this is not the document"}, None),  # each source's own message (CASES)
    "truncated": ({"truncate_to": 40}, r"{name}: GET .*(body truncated|connection broke)"),
}


def slices(store, source) -> list[tuple]:
    with connect_reader(store.path) as con:
        return queries.frame(
            con, f"SELECT snapshot_date, origin, count(*) AS n FROM {source.raw_table} GROUP BY 1, 2 ORDER BY 1"
        ).rows()


@pytest.mark.parametrize("name", CASES)
def test_live_fetch_over_http(server, store, name):
    source, path, *_ = CASES[name]
    result = ingest_source(source, store, loopback_ingest(server), now=DAY1)
    assert result.status == "live" and result.snapshot_date == DAY1.date() and result.frame.height > 0
    assert [r.path for r in server.requests] == [path]
    assert server.requests[0].headers["User-Agent"].startswith("gpucost/")
    assert slices(store, source) == [(DAY1.date(), "live", result.frame.height)]


def test_requests_ask_for_what_the_domain_needs(server, store):
    for name in ("eia_epm", "eurostat_nrg_pc_205", "owid_grid_carbon"):
        ingest_source(CASES[name][0], store, loopback_ingest(server), now=DAY1)
    eia_query, eurostat_query, owid_query = (parse_qs(r.query) for r in server.requests)
    assert eia_query == {"t": ["epmt_5_6_a"]}
    assert (
        eurostat_query["tax"] == ["X_VAT"]
        and eurostat_query["currency"] == ["EUR"]
        and eurostat_query["format"] == ["JSON"]
    )
    assert eurostat_query["nrg_cons"] == ["MWH2000-19999", "MWH20000-69999", "MWH70000-149999", "MWH_GE150000"]
    assert owid_query == {"v": ["1"], "csvType": ["full"], "useColumnShortNames": ["true"]}


@pytest.mark.parametrize("failure", FAILURES)
@pytest.mark.parametrize("name", CASES)
def test_a_failing_source_keeps_its_last_good_data(server, store, name, failure):
    source, path, *_, malformed = CASES[name]
    behaviour, message = FAILURES[failure]
    message = message.format(name=name, path=path.replace(".", r"\.")) if message else malformed
    first = ingest_source(source, store, loopback_ingest(server), now=DAY1)
    server.behave(path, **behaviour)
    with pytest.raises(SourceFailed, match=message) as failed:
        ingest_source(source, store, loopback_ingest(server, read_timeout_s=0.3), now=DAY2)
    assert "keeps its last good data from 2026-04-02 (now stale)" in str(failed.value)
    assert slices(store, source) == [(DAY1.date(), "live", first.frame.height)]  # nothing lost, nothing half-written
    s = source_state(store, source)
    assert (
        s["last_status"] == "failed"
        and s["stale"]
        and s["data_snapshot_date"] == DAY1.date()
        and name in s["last_message"]
    )


@pytest.mark.parametrize("name", CASES)
def test_a_changed_layout_names_the_source_and_keeps_the_last_good_data(server, store, name):
    source, path, changed, message, _ = CASES[name]
    ingest_source(source, store, loopback_ingest(server), now=DAY1)
    server.behave(path, body=changed)
    with pytest.raises(SourceFailed, match=message):
        ingest_source(source, store, loopback_ingest(server), now=DAY2)
    assert [row[0] for row in slices(store, source)] == [DAY1.date()]


@pytest.mark.parametrize("name", CASES)
def test_first_run_without_network_bootstraps_from_the_bundled_snapshot(store, name):
    source = CASES[name][0]
    nowhere = IngestSettings(base_urls={key: "http://127.0.0.1:9/none" for key in LOOPBACK_PATHS}, retries=0)
    result = ingest_source(source, store, nowhere, now=DAY2)
    captured = source.snapshot.captured
    assert result.status == "snapshot" and result.origin == f"snapshot:{captured}" and result.snapshot_date == captured
    assert "could not connect" in result.message and f"bundled snapshot captured {captured}" in result.message
    assert slices(store, source) == [(captured, f"snapshot:{captured}", result.frame.height)]
    with pytest.raises(SourceFailed, match="keeps its last good data"):
        ingest_source(source, store, nowhere, now=DAY2)


def test_a_new_rate_is_a_new_slice_and_a_new_data_version(server, store):
    first = ingest_source(ecb.SOURCE, store, loopback_ingest(server), now=DAY1)
    again = ingest_source(ecb.SOURCE, store, loopback_ingest(server), now=DAY2)
    assert again.data_version == first.data_version  # same rates, whenever fetched
    server.behave(CASES["ecb_eurofxref"][1], body=ecb.SOURCE.snapshot.payloads()[ecb.DOCUMENT])
    changed = ingest_source(ecb.SOURCE, store, loopback_ingest(server), now=DAY2.replace(hour=18))
    assert changed.data_version != first.data_version
    with connect_reader(store.path) as con:
        rates = queries.frame(
            con, "SELECT snapshot_date, rate_date, rate FROM raw.ecb_eurofxref WHERE currency = 'USD' ORDER BY 1"
        ).rows()
    assert rates == [(DAY1.date(), dt.date(2024, 6, 28), 1.0705), (DAY2.date(), dt.date(2026, 9, 22), 1.1463)]

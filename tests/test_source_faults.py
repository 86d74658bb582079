"""Hostile servers over real sockets: each fails its own source, within its deadline, recorded and shown as stale.

A drip (a byte every 0.2 s, so no read timeout ever trips), a hang, a redirect loop, redirects to
another host and to file://, and a body that does not decode. The limits are small (1-2 s) through
the ingest settings, so each test takes a few seconds.
"""

from __future__ import annotations

import datetime as dt
import time

import pytest

from assets.ingest import ingest_sources
from assets.prices import skypilot
from tests.conftest import LOOPBACK_PATHS, loopback_ingest
from tests.ingest_state import source_state

DAY1 = dt.datetime(2026, 4, 2, 6, 0)
DAY2 = dt.datetime(2026, 4, 3, 6, 0)
SLOW = skypilot.BY_CLOUD["lambda"]
OTHER = skypilot.BY_CLOUD["runpod"]
SLOW_PATH = LOOPBACK_PATHS["skypilot"] + "/lambda/vms.csv"
DEADLINE_S = 1.5


def _day_two(server, store, behaviour: dict, **settings):
    """Ingest both sources on day 1 (so the slow one has last good data), then on day 2 with its path misbehaving."""
    ingest_sources([SLOW, OTHER], store, loopback_ingest(server), now=DAY1)
    server.behave(SLOW_PATH, **behaviour)
    started = time.monotonic()
    outcomes = ingest_sources(
        [SLOW, OTHER],
        store,
        loopback_ingest(server, deadlines={SLOW.name: DEADLINE_S}, **settings),
        now=DAY2,
    )
    return {o.source.name: o for o in outcomes}, time.monotonic() - started


def _failed_alone_and_stale(store, outcomes, message: str) -> None:
    slow, other = outcomes[SLOW.name], outcomes[OTHER.name]
    assert slow.failed and other.ok and other.result.status == "live", (slow.error, other.error)
    assert slow.error.startswith(f"{SLOW.name}: ") and message in slow.error, slow.error
    state = source_state(store, SLOW)
    assert state["last_status"] == "failed" and state["stale"] and state["data_snapshot_date"] == DAY1.date()
    assert message in state["last_message"]


@pytest.mark.parametrize(
    "behaviour",
    [{"drip_s": 0.2}, {"hang": True}],
    ids=["drip-a-byte-every-0.2s", "hang"],
)
def test_a_slow_source_fails_alone_at_its_deadline_and_delays_no_other(server, store, behaviour):
    outcomes, took = _day_two(server, store, behaviour, read_timeout_s=30.0)
    _failed_alone_and_stale(store, outcomes, f"{DEADLINE_S:g} s deadline")
    assert took < DEADLINE_S + 2.5, f"the run took {took:.1f} s for a {DEADLINE_S} s deadline"
    # the other source finished long before the slow one was given up on
    assert outcomes[OTHER.name].seconds < DEADLINE_S


def test_a_redirect_loop_is_a_source_failure(server, store):
    outcomes, _ = _day_two(server, store, {"status": 302, "headers": {"Location": SLOW_PATH}})
    _failed_alone_and_stale(store, outcomes, "more than 5 redirects")


@pytest.mark.parametrize(
    "target, shown",
    [
        ("http://localhost:{port}" + LOOPBACK_PATHS["skypilot"] + "/runpod/vms.csv", "http://localhost:"),
        ("file:///etc/passwd", "file:///etc/passwd"),
    ],
    ids=["another-host", "file-scheme"],
)
def test_a_redirect_off_the_sources_host_is_refused_and_never_followed(server, store, target, shown):
    port = server.url.rsplit(":", 1)[1]
    outcomes, _ = _day_two(server, store, {"status": 302, "headers": {"Location": target.format(port=port)}})
    _failed_alone_and_stale(store, outcomes, "off the source's own host")
    assert shown in outcomes[SLOW.name].error
    # the target path was fetched once per day by its own source, never through the redirect
    assert server.hits(LOOPBACK_PATHS["skypilot"] + "/runpod/vms.csv") == 2


def test_a_body_that_does_not_decode_is_a_source_failure(server, store):
    outcomes, _ = _day_two(server, store, {"body": b"not gzip at all" * 10, "headers": {"Content-Encoding": "gzip"}})
    _failed_alone_and_stale(store, outcomes, "ContentDecodingError")

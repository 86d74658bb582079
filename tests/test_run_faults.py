"""Killed, stopped and overlapping `gpucost run`s, in real subprocesses: none wedges the next, none leaves a slot taken.

The kill test needs one run killed mid-ingest and one full run after it (about a minute on 2 cores);
the others end within seconds of the process starting.
"""

from __future__ import annotations

import fcntl
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[1]


def _env(tmp_path: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GPUCOST_")}
    env.update(GPUCOST_DB=str(tmp_path / "warehouse.duckdb"), DAGSTER_HOME=str(tmp_path / "dagster_home"), **extra)
    return env


def _start(tmp_path: Path, log: Path, *args, **extra) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli", "run", "--offline", *args],
        cwd=ROOT,
        env=_env(tmp_path, **extra),
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )


def _wait_for(log: Path, text: str, proc: subprocess.Popen, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while text not in log.read_text():
        assert proc.poll() is None, f"the run ended before {text!r}:\n{log.read_text()}"
        assert time.monotonic() < deadline, f"no {text!r} within {timeout} s:\n{log.read_text()}"
        time.sleep(0.1)


def _instance_state(tmp_path: Path) -> dict:
    """Run statuses and claimed warehouse slots, read in a separate process (as a later run would)."""
    code = (
        "import json, dagster as dg; i = dg.DagsterInstance.get(); "
        "print(json.dumps({'runs': [(r.job_name, r.status.value) for r in i.get_runs()], "
        "'claimed': [s.run_id for s in i.event_log_storage.get_concurrency_info('warehouse').claimed_slots]}))"
    )
    out = subprocess.run([sys.executable, "-c", code], env=_env(tmp_path), capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _hold_run_lock(tmp_path: Path, pid: int = 4242):
    """Hold the warehouse's run lock the way a running `gpucost run` does (an open file description with flock)."""
    handle = open(f"{tmp_path / 'warehouse.duckdb'}.run.lock", "a+")  # noqa: SIM115
    fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
    handle.write(json.dumps({"pid": pid, "started_at": "2026-12-02T01:00:00+00:00"}))
    handle.flush()
    return handle


def test_a_run_killed_mid_ingest_does_not_wedge_the_next_one(tmp_path):
    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
    first = _start(tmp_path, first_log)
    _wait_for(first_log, " rows", first)  # the ingest step holds the warehouse slot now
    first.send_signal(signal.SIGKILL)
    first.wait()
    assert _instance_state(tmp_path)["claimed"], "the killed run should have left its slot taken (the repro)"

    started = time.monotonic()
    second = _start(tmp_path, second_log, "--quiet")
    try:
        second.wait(timeout=240)
    finally:
        second.kill()
    took = time.monotonic() - started
    out = second_log.read_text()
    assert second.returncode == 0, out
    assert f"freed the warehouse slot of run {''}" in out and f"pid {first.pid}" in out and "marked it failed" in out
    state = _instance_state(tmp_path)
    assert state["claimed"] == []
    assert ["ingest", "FAILURE"] in state["runs"]  # the dead run no longer shows as running
    print(f"second run after a kill -9: {took:.1f} s")
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        # every source has one snapshot row per table and one successful attempt on record: nothing half-written
        sources = con.sql("select count(distinct source) from meta.source_runs where status = 'snapshot'").fetchone()[0]
        assert sources > 20
        assert con.sql("select count(*) from marts.training_costs").fetchone()[0] > 0


def test_sigterm_mid_ingest_ends_the_run_at_once_canceled_with_no_slot_taken(tmp_path):
    log = tmp_path / "run.log"
    proc = _start(tmp_path, log)
    _wait_for(log, " rows", proc)
    sent = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    code = proc.wait(timeout=30)
    took = time.monotonic() - sent
    assert code == 128 + signal.SIGTERM, log.read_text()
    assert took < 8, f"SIGTERM took {took:.1f} s"
    assert "stopped by SIGTERM" in log.read_text()
    state = _instance_state(tmp_path)
    assert state["claimed"] == [] and ["ingest", "CANCELED"] in state["runs"]


def test_a_run_waits_for_the_one_holding_the_warehouse_says_for_whom_and_stops_on_sigint(tmp_path):
    held = _hold_run_lock(tmp_path)
    try:
        log = tmp_path / "run.log"
        proc = _start(tmp_path, log)
        _wait_for(log, "waiting for", proc)
        time.sleep(0.5)
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        code = proc.wait(timeout=10)
        assert code == 128 + signal.SIGINT and time.monotonic() - sent < 3
        out = log.read_text()
        assert out.count("waiting for gpucost run pid 4242 (started 2026-12-02T01:00:00+00:00)") == 1, out
    finally:
        held.close()


def test_the_wait_for_a_busy_warehouse_is_bounded_by_a_setting(tmp_path):
    held = _hold_run_lock(tmp_path)
    try:
        log = tmp_path / "run.log"
        proc = _start(tmp_path, log, GPUCOST_RUN_WAIT_S="1")
        assert proc.wait(timeout=30) == 75
        assert "still in use by gpucost run pid 4242" in log.read_text() and "after waiting 1 s" in log.read_text()
    finally:
        held.close()


def test_the_run_lock_is_freed_by_the_kernel_when_its_holder_dies(tmp_path):
    from pipeline.runlock import RunLock

    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pipeline.runlock import RunLock\n"
            f"with RunLock({str(tmp_path / 'w.duckdb')!r}):\n    print('held', flush=True); time.sleep(60)",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "held"
    told = []
    with pytest.raises(Exception, match=f"pid {holder.pid}"):
        with RunLock(tmp_path / "w.duckdb", wait_s=0.3, on_wait=told.append):
            pass
    assert told == [f"waiting for gpucost run pid {holder.pid} ({told[0].split('(', 1)[1]}"]
    holder.kill()
    holder.wait()
    started = time.monotonic()
    with RunLock(tmp_path / "w.duckdb", wait_s=5):
        assert time.monotonic() - started < 1


CLAIM = """
import sys, time, dagster as dg
storage = dg.DagsterInstance.get().event_log_storage
for _ in range(200):  # the run's own step may hold the slot for a moment: take it as soon as it is free
    if storage.claim_concurrency_slot("warehouse", "0000dead-gone-run", "a_step").is_claimed:
        break
    time.sleep(0.05)
print("claimed", flush=True)
"""


def test_sigterm_ends_a_run_dagster_keeps_waiting_for_a_pool_slot(tmp_path):
    """The issue's case: a step blocked on a slot no live run will give back, where Dagster never looks at signals."""
    log = tmp_path / "run.log"
    proc = _start(tmp_path, log, GPUCOST_STOP_GRACE_S="1")
    _wait_for(log, "Recompute 1:", proc)  # the ingest run is done; the recompute run is about to claim the slot
    subprocess.run([sys.executable, "-c", CLAIM], env=_env(tmp_path), check=True, capture_output=True, timeout=60)
    time.sleep(1.0)
    assert proc.poll() is None, log.read_text()  # blocked behind the slot (before: forever, SIGTERM ignored)
    sent = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    code = proc.wait(timeout=30)
    took = time.monotonic() - sent
    assert code == 128 + signal.SIGTERM and took < 5, (took, log.read_text())
    assert "stopped by SIGTERM: run" in log.read_text()
    state = _instance_state(tmp_path)
    assert ["recompute", "CANCELED"] in state["runs"] and state["claimed"] == ["0000dead-gone-run"]


def test_a_daemon_run_holding_the_pool_is_waited_for_by_name_and_a_finished_one_is_freed():
    import dagster as dg

    from pipeline.definitions import defs
    from pipeline.run import free_dead_runs, wait_for_pool
    from pipeline.runlock import WarehouseBusy

    instance = dg.DagsterInstance.ephemeral()
    instance.event_log_storage.set_concurrency_slots("warehouse", 1)  # dagster.yaml's default_limit: 1
    run = instance.create_run_for_job(defs.resolve_job_def("recompute"), status=dg.DagsterRunStatus.STARTED)
    assert instance.event_log_storage.claim_concurrency_slot("warehouse", run.run_id, "a_step").is_claimed
    told = []
    with pytest.raises(WarehouseBusy, match=f"still held by run {run.run_id[:8]} .*launched by the daemon or UI"):
        wait_for_pool(instance, told.append, wait_s=0.6)
    assert told == [
        f"waiting for run {run.run_id[:8]} (job recompute, launched by the daemon or UI), which holds "
        "the warehouse pool"
    ]
    assert free_dead_runs(instance) == []  # alive as far as anyone can tell: never freed behind its back

    instance.report_run_failed(run)  # it ended without giving its slot back (a crashed step process)
    assert free_dead_runs(instance) == [
        f"freed the warehouse slot of run {run.run_id[:8]} (job recompute, launched by the daemon or UI): "
        "it had already ended"
    ]
    assert instance.event_log_storage.get_concurrency_info("warehouse").claimed_slots == []
    wait_for_pool(instance, told.append, wait_s=0.1)  # returns at once
    assert len(told) == 1

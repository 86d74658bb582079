"""The shared deployment for real: `python -m pipeline.serve` (what `make serve` runs) starts a dagster-daemon and a
dagster-webserver on a throwaway PostgreSQL (deploy/dagster.yaml, unchanged), and the pipeline runs through them.

One deployment serves the module: two ingest runs submitted together over the webserver's GraphQL API, each run in
its own process (the default run launcher), automation recomputing the marts after them, a publish run after each
run that wrote the warehouse, and no two warehouse steps of any runs ever at once. Offline (bundled snapshots), so
no network is touched; the whole module takes about two to three minutes on two cores.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from tests.postgres import free_port

ROOT = Path(__file__).resolve().parents[1]
DONE = {"SUCCESS", "FAILURE", "CANCELED"}
WAREHOUSE_STEPS_END = ("STEP_SUCCESS", "STEP_FAILURE")


def wait_for(what: str, predicate, timeout: float, every: float = 1.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


@pytest.fixture(scope="module")
def deployment(postgres, scratch):
    """The webserver and daemon up on PostgreSQL; yields (instance, webserver port, warehouse path, serve process)."""
    root = scratch / "team"
    root.mkdir()
    port = free_port()
    env = {
        **os.environ,
        **postgres.env,
        "GPUCOST_DB": str(root / "data" / "warehouse.duckdb"),
        "GPUCOST_OFFLINE": "1",
        "DAGSTER_HOME": str(root / "home"),
    }
    log = open(root / "serve.log", "w")
    serve = subprocess.Popen(
        [sys.executable, "-m", "pipeline.serve", "--home", str(root / "home"), "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_for("the webserver", lambda: serve.poll() is not None or _up(port), timeout=180)
        assert serve.poll() is None, (root / "serve.log").read_text()[-3000:]
        with pytest.MonkeyPatch.context() as patch:
            for key, value in postgres.env.items():
                patch.setenv(key, value)
            import dagster as dg

            instance = dg.DagsterInstance.from_config(str(root / "home"))
            yield instance, port, Path(env["GPUCOST_DB"]), serve
            instance.dispose()
    finally:
        serve.send_signal(signal.SIGTERM)
        try:
            serve.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(serve.pid, signal.SIGKILL)
        log.close()


def _up(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def _steps(instance, run_id: str) -> dict[str, tuple[float, float]]:
    """Each step of a run: (started, ended) timestamps from the event log."""
    import dagster as dg

    started, ended = {}, {}
    for record in instance.get_records_for_run(run_id, limit=100000).records:
        event = record.event_log_entry.dagster_event
        if event is None or event.step_key is None:
            continue
        if event.event_type == dg.DagsterEventType.STEP_START:
            started[event.step_key] = record.event_log_entry.timestamp
        elif event.event_type_value in WAREHOUSE_STEPS_END:
            ended[event.step_key] = record.event_log_entry.timestamp
    return {key: (started[key], ended[key]) for key in started if key in ended}


def _hammer(path: Path, stop: Path, out: Path, pause: float, *mode: str) -> subprocess.Popen:
    argv = [sys.executable, "-m", "tests.hammer", str(path), str(stop), str(out), str(pause), *mode]
    return subprocess.Popen(argv, cwd=ROOT, env=os.environ, stdout=subprocess.DEVNULL)


@pytest.fixture(scope="module")
def scratch():
    """A directory of its own under /tmp: pytest's numbered tmp dirs are pruned by other sessions' pytest runs
    (it keeps the newest three), which must not delete a warehouse while this module's runs write it."""
    root = Path(tempfile.mkdtemp(prefix="gpucost-team-"))
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def settled(deployment, scratch):
    """Two ingest runs submitted at once, then everything they set off (automation, publishes) run to the end, while
    reader processes hammer the read copy (and one, the control, the warehouse file the runs write)."""
    import dagster as dg
    from dagster_graphql import DagsterGraphQLClient

    from warehouse import default_read_copy

    instance, port, database, _ = deployment
    spool = scratch / "readers"
    spool.mkdir()
    stop = spool / "stop"
    readers = {
        "copy-fast": _hammer(default_read_copy(database), stop, spool / "copy-fast.json", 0.02),
        "copy-slow": _hammer(default_read_copy(database), stop, spool / "copy-slow.json", 0.2),
        "control-main-file": _hammer(database, stop, spool / "control-main-file.json", 0.5, "probe"),
    }
    client = DagsterGraphQLClient("127.0.0.1", port_number=port)
    submitted = [
        client.submit_job_execution(
            "ingest", repository_location_name="gpucost", repository_name="__repository__", tags={"test": str(n)}
        )
        for n in (1, 2)
    ]

    def quiet():
        runs = instance.get_runs()
        automated = [r for r in runs if r.tags.get("dagster/sensor_name") == "automation"]
        mine = [instance.get_run_by_id(run_id) for run_id in submitted]
        finished = all(r.status.value in DONE for r in runs) and all(r.status.value in DONE for r in mine)
        published_after = {
            r.tags.get("gpucost/published_after")
            for r in runs
            if r.job_name == "publish_read_copy" and r.status == dg.DagsterRunStatus.SUCCESS
        }
        # settled: the marts recomputed by automation, each such run published, nothing left queued or running
        if finished and automated and {r.run_id for r in automated} <= published_after:
            return runs
        return None

    started = time.monotonic()
    try:
        runs = wait_for("the ingest runs, automation and publish to settle", quiet, timeout=600, every=2.0)
    finally:
        stop.touch()
        print(f"\nafter {time.monotonic() - started:.0f} s:")
        for record in sorted(instance.get_run_records(), key=lambda r: r.create_timestamp):
            run = record.dagster_run
            took = (record.end_time or time.time()) - (record.start_time or time.time())
            trigger = run.tags.get("dagster/sensor_name", "graphql")
            print(f"  {run.run_id[:8]} {run.job_name:18} {run.status.value:8} {took:5.1f} s  {trigger}")
    seen = {}
    for name, reader in readers.items():
        reader.wait(timeout=60)
        seen[name] = json.loads((spool / f"{name}.json").read_text())
        counts = {k: (len(v) if k == "copies" else v) for k, v in seen[name].items()}
        print(f"  reader {name}: {counts}")
    return instance, submitted, runs, database, seen


def test_two_runs_submitted_together_succeed_each_in_its_own_process(settled, deployment):
    instance, submitted, runs, *_ = settled
    serve = deployment[3]
    assert type(instance.run_launcher).__name__ == "DefaultRunLauncher"
    assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
    assert type(instance.run_storage).__name__ == "PostgresRunStorage"
    pids = set()
    for run_id in submitted:
        run = instance.get_run_by_id(run_id)
        assert run.status.value == "SUCCESS", run_id
        # DefaultRunLauncher: the run's process is its own `dagster api execute_run`, started via the code server
        messages = [r.event_log_entry.message or "" for r in instance.get_records_for_run(run_id, limit=10000).records]
        started = [m for m in messages if m.startswith("Started process for run")]
        assert started, messages[:20]
        pids.add(started[0].rsplit("pid: ", 1)[-1].rstrip(")."))
    assert len(pids) == 2 and str(os.getpid()) not in pids and str(serve.pid) not in pids
    # they ran at the same time: each was started before the other ended
    (a_start, a_end), (b_start, b_end) = [
        (instance.get_run_record_by_id(r).start_time, instance.get_run_record_by_id(r).end_time) for r in submitted
    ]
    assert a_start < b_end and b_start < a_end


def test_no_two_warehouse_steps_of_any_runs_ever_overlap(settled):
    instance, _, runs, *_ = settled
    intervals = sorted(
        (start, end, run.run_id[:8], step)
        for run in runs
        for step, (start, end) in _steps(instance, run.run_id).items()
    )
    assert len({run for *_, run, _ in intervals}) >= 4  # two ingests, automation, a publish at least
    for (_, end, run, step), (start, _, next_run, next_step) in zip(intervals, intervals[1:]):
        assert end <= start, f"{run}/{step} still ran when {next_run}/{next_step} started"
    # and the pool is why: a step waited for the slot another run held
    blocked = [
        r.event_log_entry.message
        for run in runs
        for r in instance.get_records_for_run(run.run_id, limit=100000).records
        if "pool warehouse" in (r.event_log_entry.message or "")
    ]
    assert blocked, "no step ever waited for the warehouse pool"


def test_automation_recomputes_the_marts_and_the_read_copy_is_published(settled):
    import duckdb

    from warehouse import default_read_copy

    instance, _, runs, database, _ = settled
    automated = [r for r in runs if r.tags.get("dagster/sensor_name") == "automation"]
    assert automated and all(r.status.value == "SUCCESS" for r in automated)
    publishes = [r for r in runs if r.job_name == "publish_read_copy"]
    assert all(r.status.value == "SUCCESS" for r in publishes)
    after = {r.tags.get("gpucost/published_after") for r in publishes}
    assert {r.run_id for r in automated} <= after
    copy = default_read_copy(database)
    con = duckdb.connect(str(copy), read_only=True)
    try:
        costs = con.execute("SELECT count(*) FROM marts.training_costs").fetchone()[0]
        sources = con.execute("SELECT count(DISTINCT source) FROM meta.source_runs").fetchone()[0]
    finally:
        con.close()
    assert costs > 100 and sources > 30


def test_readers_of_the_read_copy_never_wait_fail_or_see_half_a_write_while_runs_write(settled):
    *_, seen = settled
    for name in ("copy-fast", "copy-slow"):
        reader = seen[name]
        assert reader["reads"] > 50, reader
        assert (reader["busy"], reader["errors"], reader["partial"], reader["went_back"]) == (0, [], [], 0), reader
        # it saw several published copies, each a whole one, as the runs went on
        assert len(reader["copies"]) >= 2, reader
    # the control proves the readers hammered while runs wrote: on the runs' own file, a no-wait reader is refused
    assert seen["control-main-file"]["busy"] > 0, seen["control-main-file"]

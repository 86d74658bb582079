"""`gpucost run`: ingest everything, then recompute only what changed, in-process, recorded in the Dagster instance.

The rule is the one automation uses (assets/automation.py), read from each asset's own provenance
rather than from sensor ticks, so a killed run is picked up where it stopped:
- a core table that keeps a row per source per day re-stamps after every update of an input
  (its inputs' newest materializations are newer than the ones it last read);
- every other asset recomputes when the data version of one of its inputs differs from the
  version it last read, or when it was never materialized;
- `force` recomputes everything; a run-level config override (e.g. --mfu) recomputes the assets it
  configures.
Each round runs every stale asset in one run of the `recompute` job (Dagster orders them), then looks
again; an unchanged re-run ends after the ingest and the re-stamp round, with no mart recomputed.
Runs are the named jobs `ingest`, `source_freshness` and `recompute`, so the UI tells them apart.

A run cannot wedge the next one: runs of one warehouse are serialised by an OS file lock
(pipeline/runlock.py) the kernel frees when a process dies, and a run that finds a pool slot held by a
run whose process is gone frees it and says so. SIGTERM and SIGINT stop a run at the next point Dagster
allows, or after a short grace at once (DuckDB's transactions keep the warehouse whole either way).
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import dagster as dg

from assets.automation import RESTAMP_LABEL
from assets.resources import WAREHOUSE_POOL
from pipeline.definitions import ALL_ASSETS, build_definitions, defs
from pipeline.runlock import RunLock, WarehouseBusy, pid_alive, wait_setting

INGEST_GROUPS = ("reference",)
MAX_ROUNDS = 8  # deeper than the asset graph: a loop that does not settle is a bug, not a reason to hang


@dataclass
class RunSummary:
    failed_ingest: dict[str, str] = field(default_factory=dict)  # step key -> error message
    failed_downstream: dict[str, str] = field(default_factory=dict)
    checks: dict[str, bool] = field(default_factory=dict)  # check name -> passed
    materialized: list[str] = field(default_factory=list)  # asset keys, in order
    runs: list[tuple[str, str, bool]] = field(default_factory=list)  # (run id, what, success)

    @property
    def costs_ok(self) -> bool:
        return not self.failed_downstream


def _failed_steps(result: dg.ExecuteInProcessResult) -> dict[str, str]:
    """What failed, by name: each failed source or reference file (a step's Failure lists them), else the step."""
    failures = {}
    for event in result.get_step_failure_events():
        data = event.step_failure_data
        named = data.user_failure_data.metadata if data.user_failure_data else {}
        if named:
            failures.update({name: str(value.value) for name, value in named.items()})
            continue
        error = data.error
        message = error.message.strip() if error else "failed"
        # dg.Failure carries our own message: drop the class-name prefix Dagster adds
        failures[event.step_key] = message.split(": ", 1)[-1] if error and error.cls_name == "Failure" else message
    return failures


def ops_with_config_field(field_name: str) -> dict[str, set[dg.AssetKey]]:
    """Op name -> its asset keys, for every asset whose run config has `field_name` (e.g. each MFU mart)."""
    ops = {}
    for asset in ALL_ASSETS:
        config_type = asset.op.config_schema.config_type if isinstance(asset, dg.AssetsDefinition) else None
        if field_name in (getattr(config_type, "fields", None) or {}):
            ops[asset.op.name] = set(asset.keys)
    return ops


def config_override(field_name: str, value) -> dict:
    """Run config setting `field_name` to `value` in every asset that has it: one override for the whole run.

    It holds for this run only; the next automatic recompute (schedule, sensor) uses the defaults again.
    """
    return {"ops": {name: {"config": {field_name: value}} for name in sorted(ops_with_config_field(field_name))}}


def _configured_keys(run_config: dict | None) -> set[dg.AssetKey]:
    names = set((run_config or {}).get("ops", {}))
    return {key for asset in ALL_ASSETS if asset.op.name in names for key in asset.keys}


def _config_for(run_config: dict | None, keys: set[dg.AssetKey]) -> dict:
    """The override's entries for the ops in this selection only (Dagster rejects config for ops it does not run)."""
    ops = {a.op.name for a in ALL_ASSETS if set(a.keys) & keys}
    return {"ops": {n: c for n, c in (run_config or {}).get("ops", {}).items() if n in ops}}


class Provenance:
    """What the instance says about each asset's newest materialization and the inputs it read."""

    def __init__(self, instance: dg.DagsterInstance):
        self.instance = instance
        self._records: dict[dg.AssetKey, object] = {}

    def latest(self, key: dg.AssetKey):
        if key not in self._records:
            found = self.instance.fetch_materializations(dg.AssetRecordsFilter(asset_key=key), limit=1).records
            self._records[key] = found[0] if found else None
        return self._records[key]

    def forget(self) -> None:
        self._records.clear()

    def version(self, key: dg.AssetKey) -> str | None:
        record = self.latest(key)
        return record.asset_materialization.tags.get("dagster/data_version") if record else None

    def read_by(self, key: dg.AssetKey) -> dict[str, str]:
        record = self.latest(key)
        return dict(record.asset_materialization.tags) if record else {}


def stale_assets(graph, keys: list[dg.AssetKey], provenance: Provenance) -> set[dg.AssetKey]:
    """The assets among `keys` that must recompute now, and the re-stamping children that will follow them."""
    stale = set()
    for key in keys:
        node = graph.get(key)
        record = provenance.latest(key)
        if record is None:
            stale.add(key)
            continue
        tags = provenance.read_by(key)
        restamp = node.automation_condition is not None and node.automation_condition.label == RESTAMP_LABEL
        for dep in node.parent_keys:
            dep_record = provenance.latest(dep)
            if dep_record is None:
                continue  # an input never materialized (a source that never answered) changes nothing
            name = dep.to_user_string()
            if restamp:
                read = tags.get(f"dagster/input_event_pointer/{name}")
                if read is None or int(read) < dep_record.storage_id:
                    stale.add(key)
                    break
            elif tags.get(f"dagster/input_data_version/{name}") != provenance.version(dep):
                stale.add(key)
                break
    # a re-stamping asset always follows an update of its input: run it in the same round
    for key in keys:
        node = graph.get(key)
        restamp = node.automation_condition is not None and node.automation_condition.label == RESTAMP_LABEL
        if restamp and any(dep in stale for dep in node.parent_keys):
            stale.add(key)
    return stale


def changed_reference_keys(graph, provenance: Provenance) -> list[dg.AssetKey]:
    """Reference files whose content no longer matches what was last loaded (as the reference_files sensor sees it)."""
    from assets.reference.defs import reference_key
    from assets.reference.load import ALL_REFERENCE_FILES

    return [reference_key(r) for r in ALL_REFERENCE_FILES if provenance.version(reference_key(r)) != r.content_hash()]


def _watch(instance: dg.DagsterInstance, run_id: str, on_asset, stop: threading.Event) -> None:
    """Tell `on_asset(key)` about each materialization of the run as it lands (polls the event log twice a second)."""
    cursor = None
    while not stop.wait(0.5):
        try:
            found = instance.get_records_for_run(
                run_id, cursor=cursor, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION
            )
        except Exception:  # the run's storage not there yet, or busy: the next poll sees it
            continue
        cursor = found.cursor
        for record in found.records:
            on_asset(record.event_log_entry.dagster_event.asset_key)


PID_TAG, HOST_TAG, STARTED_TAG = "gpucost/pid", "gpucost/host", "gpucost/started_at"
UNFINISHED = [
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
    dg.DagsterRunStatus.CANCELING,
]


def _who(run: dg.DagsterRun) -> str:
    pid = run.tags.get(PID_TAG)
    by = f"gpucost run pid {pid}, started {run.tags.get(STARTED_TAG, '?')}" if pid else "launched by the daemon or UI"
    return f"run {run.run_id[:8]} (job {run.job_name}, {by})"


def _gpucost_alive(pid: int) -> bool:
    """Whether `pid` is still a gpucost process (a pid reused by another program does not keep a run alive)."""
    if not pid_alive(pid):
        return False
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as proc:
            command = proc.read()
    except OSError:
        return True  # no /proc (not Linux): trust the pid
    return b"gpucost" in command or b"pipeline.cli" in command or b"pytest" in command


def free_dead_runs(instance: dg.DagsterInstance, pools=(WAREHOUSE_POOL,)) -> list[str]:
    """Free the pool slots of runs that can no longer give them back; one line for each run freed.

    A run is dead when it is unfinished but its gpucost process on this host is gone (killed, OOM),
    or when it finished and still holds a slot. Dead runs are marked failed, so they stop showing as running.
    """
    notes, freed = [], set()
    here = socket.gethostname()
    for run in instance.get_runs(filters=dg.RunsFilter(statuses=UNFINISHED, tags={HOST_TAG: here})):
        pid = int(run.tags.get(PID_TAG) or 0)
        if not pid or pid == os.getpid() or _gpucost_alive(pid):
            continue
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        instance.report_run_failed(run, message=f"gpucost run pid {pid} died (killed?) before the run ended")
        freed.add(run.run_id)
        notes.append(f"freed the {' and '.join(pools)} slot of {_who(run)}: its process is gone; marked it failed")
    for pool in pools:
        for run_id in {s.run_id for s in instance.event_log_storage.get_concurrency_info(pool).claimed_slots} - freed:
            run = instance.get_run_by_id(run_id)
            if run is None or run.is_finished:
                instance.event_log_storage.free_concurrency_slots_for_run(run_id)
                freed.add(run_id)
                what = _who(run) if run else f"run {run_id[:8]} (no longer in the instance)"
                notes.append(f"freed the {pool} slot of {what}: it had already ended")
    return notes


def wait_for_pool(instance: dg.DagsterInstance, on_wait, wait_s: float, pool: str = WAREHOUSE_POOL) -> None:
    """Wait (bounded, interruptible) while a live run of another process holds the pool, saying once for whom.

    Dagster's own wait inside a run cannot be interrupted; this one, outside it, can.
    """
    deadline, told = time.monotonic() + wait_s, False
    while True:
        holders = {s.run_id for s in instance.event_log_storage.get_concurrency_info(pool).claimed_slots}
        runs = [r for r in map(instance.get_run_by_id, holders) if r is not None and not r.is_finished]
        if not runs:
            return
        if time.monotonic() >= deadline:
            raise WarehouseBusy(f"the {pool} pool is still held by {_who(runs[0])} after waiting {wait_s:g} s")
        if not told and on_wait is not None:
            on_wait(f"waiting for {_who(runs[0])}, which holds the {pool} pool")
            told = True
        time.sleep(0.5)


class Stopped(KeyboardInterrupt):
    """SIGTERM or SIGINT asked the run to stop."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


@dataclass
class StopSignal:
    """Whether a stop was asked for, and which run is under way (so a hard stop can cancel it)."""

    signum: int | None = None
    run_id: str | None = None
    done: threading.Event = field(default_factory=threading.Event)


# After SIGTERM/SIGINT, how long the run may take to reach a point where it can stop cleanly (GPUCOST_STOP_GRACE_S).
STOP_GRACE_S = 5.0


def cancel_run(instance: dg.DagsterInstance, run_id: str | None, why: str) -> None:
    """Mark a run canceled and free its pool slots (a run stopped by a signal must leave no slot taken)."""
    if run_id is None:
        return
    instance.event_log_storage.free_concurrency_slots_for_run(run_id)
    run = instance.get_run_by_id(run_id)
    # Dagster marks a run its signal interrupted as failed: it was canceled
    if run is not None and run.status != dg.DagsterRunStatus.SUCCESS:
        instance.report_run_canceled(run, message=why)


@contextmanager
def stop_on_signals(instance: dg.DagsterInstance, on_note=None) -> Iterator[StopSignal]:
    """SIGTERM and SIGINT end the run promptly, whatever it is doing.

    Outside Dagster the handler raises Stopped at once. Inside a run Dagster swaps in its own handler
    (it raises inside a step, and only notes the signal while the executor waits); a wakeup fd sees the
    signal either way, and if the run has not returned within the grace, the watcher cancels the run,
    frees its slots and exits the process (a DuckDB transaction in flight rolls back).
    """
    stop = StopSignal()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return
    grace = float(os.environ.get("GPUCOST_STOP_GRACE_S") or STOP_GRACE_S)
    reader, writer = socket.socketpair()
    writer.setblocking(False)

    def handler(signum, frame):
        stop.signum = stop.signum or signum
        raise Stopped(signum)

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGINT)}
    old_fd = signal.set_wakeup_fd(writer.fileno(), warn_on_full_buffer=False)

    def watch():
        try:
            got = reader.recv(1)
        except OSError:
            return
        if not got or stop.done.is_set():
            return
        stop.signum = stop.signum or got[0]
        if stop.done.wait(grace):
            return
        name = signal.Signals(stop.signum).name
        cancel_run(instance, stop.run_id, f"stopped by {name}")
        if on_note is not None:
            on_note(f"stopped by {name}: run {str(stop.run_id)[:8]} canceled, its warehouse slot freed")
        sys.stdout.flush()
        os._exit(128 + stop.signum)

    watcher = threading.Thread(target=watch, name="gpucost-stop", daemon=True)
    watcher.start()
    try:
        yield stop
    finally:
        stop.done.set()
        signal.set_wakeup_fd(old_fd)
        for sig, old in previous.items():
            signal.signal(sig, old)
        writer.close()  # the watcher reads end-of-file and returns
        watcher.join(timeout=1)
        reader.close()


def run_pipeline(
    *,
    resources: dict,
    instance: dg.DagsterInstance,
    run_config: dict | None = None,
    tags: dict | None = None,
    log_level: str = "CRITICAL",
    force: bool = False,
    on_round=None,
    on_source=None,
    on_asset=None,
    on_note: Callable[[str], None] | None = None,
    stop: StopSignal | None = None,
) -> RunSummary:
    """Ingest every source (and each changed reference file), then recompute the stale assets round by round.

    Dagster skips a step whose upstream failed within one run; the ingest runs on its own, so
    costs recompute from the data that did arrive (plus the last good data of a failed source).
    `on_round(what, keys)` hears what each run is about to materialize, `on_source(outcome)` each
    source as it finishes, `on_asset(key)` each asset as it lands (polled: for a progress bar),
    `on_note(line)` what the run waits for and what it freed. Holds the warehouse's run lock throughout.
    """
    with RunLock(resources["warehouse"].path, on_wait=on_note):
        for note in free_dead_runs(instance):
            if on_note is not None:
                on_note(note)
        return _run_pipeline(
            resources=resources,
            instance=instance,
            run_config=run_config,
            tags=tags,
            log_level=log_level,
            force=force,
            on_round=on_round,
            on_source=on_source,
            on_asset=on_asset,
            on_note=on_note,
            stop=stop or StopSignal(),
        )


def _run_pipeline(
    *, resources, instance, run_config, tags, log_level, force, on_round, on_source, on_asset, on_note, stop
) -> RunSummary:
    from assets.ingest_defs import PROGRESS

    jobs = build_definitions(resources)
    graph = defs.resolve_asset_graph()
    loggers = {"loggers": {"console": {"config": {"log_level": log_level}}}}
    started = dt.datetime.now().astimezone().isoformat(timespec="seconds")
    here = {PID_TAG: str(os.getpid()), HOST_TAG: socket.gethostname(), STARTED_TAG: started}
    tags = {"gpucost/trigger": "cli", **here, **(tags or {})}
    wait_s = wait_setting()
    summary = RunSummary()
    provenance = Provenance(instance)

    def launch(job: str, what: str, keys: set[dg.AssetKey] | None, failures: dict) -> None:
        if on_round is not None:
            on_round(what, keys or set())
        wait_for_pool(instance, on_note, wait_s)
        run_id, stopped = str(uuid.uuid4()), threading.Event()
        watcher = threading.Thread(target=_watch, args=(instance, run_id, on_asset, stopped), daemon=True)
        if on_asset is not None:
            watcher.start()
        stop.run_id = run_id
        try:
            job_def = jobs.resolve_job_def(job)
            if keys is not None:  # the assets and their checks (a subset by asset keys alone drops the checks)
                checks = {check for check in graph.asset_check_keys if check.asset_key in keys}
                job_def = job_def.get_subset(asset_selection=set(keys), asset_check_selection=checks)
            result = job_def.execute_in_process(
                instance=instance,
                raise_on_error=False,
                run_config={**loggers, **_config_for(run_config, keys or set())},
                tags={**tags, "gpucost/round": what},
                run_id=run_id,
            )
        except BaseException:
            if stop.signum is None:
                raise
            result = None
        finally:
            stopped.set()
        if stop.signum is not None:  # Dagster ended the run early on the signal: it is canceled, not failed
            cancel_run(instance, run_id, f"stopped by {signal.Signals(stop.signum).name}")
            raise Stopped(stop.signum)
        failures.update(_failed_steps(result))
        summary.checks.update({e.check_name: e.passed for e in result.get_asset_check_evaluations()})
        summary.materialized += [
            e.asset_key.to_user_string() for e in result.get_asset_materialization_events() if e.asset_key
        ]
        summary.runs.append((result.run_id, what, result.success))
        provenance.forget()

    ingest = {key for key in graph.get_all_asset_keys() if key.path[0] == "raw"}
    references = {key for key in graph.get_all_asset_keys() if graph.get(key).group_name in INGEST_GROUPS}
    changed_refs = references if force else set(changed_reference_keys(graph, provenance))
    if on_source is not None:
        PROGRESS.append(on_source)
    try:
        launch("ingest", "ingest", ingest | changed_refs, summary.failed_ingest)
    finally:
        if on_source is not None:
            PROGRESS.remove(on_source)
    if not any(name.endswith("_fresh") for name in summary.checks):
        # a source failed, so Dagster skipped the step of the source checks: evaluate them on their own
        launch("source_freshness", "source checks", None, summary.failed_downstream)

    downstream = [k for k in graph.toposorted_asset_keys if k not in ingest and k not in references]
    forced = set(downstream) if force else _configured_keys(run_config) & set(downstream)
    for round_number in range(1, MAX_ROUNDS + 1):
        stale = stale_assets(graph, downstream, provenance) | forced
        forced = set()
        if not stale:
            break
        launch("recompute", f"recompute {round_number}", stale, summary.failed_downstream)
        if summary.failed_downstream:
            break
    return summary

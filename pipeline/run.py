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
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field

import dagster as dg

from assets.automation import RESTAMP_LABEL
from pipeline.definitions import ALL_ASSETS, build_definitions, defs

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
) -> RunSummary:
    """Ingest every source (and each changed reference file), then recompute the stale assets round by round.

    Dagster skips a step whose upstream failed within one run; the ingest runs on its own, so
    costs recompute from the data that did arrive (plus the last good data of a failed source).
    `on_round(what, keys)` hears what each run is about to materialize, `on_source(outcome)` each
    source as it finishes, `on_asset(key)` each asset as it lands (polled: for a progress bar).
    """
    from assets.ingest_defs import PROGRESS

    jobs = build_definitions(resources)
    graph = defs.resolve_asset_graph()
    loggers = {"loggers": {"console": {"config": {"log_level": log_level}}}}
    tags = {"gpucost/trigger": "cli", **(tags or {})}
    summary = RunSummary()
    provenance = Provenance(instance)

    def launch(job: str, what: str, keys: set[dg.AssetKey] | None, failures: dict) -> None:
        if on_round is not None:
            on_round(what, keys or set())
        run_id, stop = str(uuid.uuid4()), threading.Event()
        watcher = threading.Thread(target=_watch, args=(instance, run_id, on_asset, stop), daemon=True)
        if on_asset is not None:
            watcher.start()
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
        finally:
            stop.set()
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

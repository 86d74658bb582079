"""`gpucost run`: materialize everything in-process, ingest first so a failing source never blocks the costs."""

from __future__ import annotations

from dataclasses import dataclass

import dagster as dg

from pipeline.definitions import ALL_ASSETS, ALL_CHECKS
from pipeline.schedules import INGEST_SELECTION


@dataclass(frozen=True)
class RunSummary:
    failed_ingest: dict[str, str]  # step key -> error message
    failed_downstream: dict[str, str]
    checks: dict[str, bool]  # check name -> passed

    @property
    def costs_ok(self) -> bool:
        return not self.failed_downstream


def _failed_steps(result: dg.ExecuteInProcessResult) -> dict[str, str]:
    failures = {}
    for event in result.get_step_failure_events():
        error = event.step_failure_data.error
        message = error.message.strip() if error else "failed"
        # dg.Failure carries our own message: drop the class-name prefix Dagster adds
        failures[event.step_key] = message.split(": ", 1)[-1] if error and error.cls_name == "Failure" else message
    return failures


def ops_with_config_field(field: str) -> list[str]:
    """Op names of every asset whose run config has `field` (e.g. every cost mart that assumes an MFU)."""
    names = set()
    for asset in ALL_ASSETS:
        config_type = asset.op.config_schema.config_type if isinstance(asset, dg.AssetsDefinition) else None
        if field in (getattr(config_type, "fields", None) or {}):
            names.add(asset.op.name)
    return sorted(names)


def config_override(field: str, value) -> dict:
    """Run config setting `field` to `value` in every asset that has it: one override for the whole run.

    It holds for this run only; the next automatic recompute (schedule, sensor) uses the defaults again.
    """
    return {"ops": {name: {"config": {field: value}} for name in ops_with_config_field(field)}}


def run_pipeline(
    *,
    resources: dict,
    instance: dg.DagsterInstance,
    run_config: dict | None = None,
    tags: dict | None = None,
    log_level: str = "CRITICAL",
) -> RunSummary:
    """Two runs: sources and reference files (each fails alone), then everything downstream of them.

    Dagster skips a step whose upstream failed within one run; splitting the run lets
    costs recompute from the data that did arrive (plus the last good data of a failed source).
    """
    everything = [*ALL_ASSETS, *ALL_CHECKS]
    # The caller reports failures itself; the full event log still goes to the instance (and the UI).
    loggers = {"loggers": {"console": {"config": {"log_level": log_level}}}}
    tags = {"gpucost/trigger": "cli", **(tags or {})}
    ingest = dg.materialize(
        everything,
        selection=INGEST_SELECTION,
        resources=resources,
        instance=instance,
        raise_on_error=False,
        run_config=loggers,
        tags=tags,
    )
    downstream = dg.materialize(
        everything,
        selection=dg.AssetSelection.all() - INGEST_SELECTION,
        resources=resources,
        instance=instance,
        raise_on_error=False,
        run_config={**loggers, **(run_config or {})},
        tags=tags,
    )
    checks = {e.check_name: e.passed for r in (ingest, downstream) for e in r.get_asset_check_evaluations()}
    return RunSummary(_failed_steps(ingest), _failed_steps(downstream), checks)

"""Eager core tables wait for the ingest run to end: not while a dep is planned, nor while the run still checks it."""

from __future__ import annotations

import dagster as dg
from dagster._core.events import DagsterEvent, DagsterEventType, StepMaterializationData

from pipeline.definitions import defs

TARIFFS = dg.AssetKey(["core", "electricity_tariffs"])


def _requested(tick) -> set:
    return {r.key for r in tick.results if r.true_subset.size and isinstance(r.key, dg.AssetKey)}


def _report(instance, run, event_type: DagsterEventType, data=None) -> None:
    event = DagsterEvent(event_type_value=event_type.value, job_name=run.job_name, event_specific_data=data)
    instance.report_dagster_event(event, run_id=run.run_id)


def test_an_eager_core_table_waits_until_the_ingest_run_that_updates_its_inputs_has_ended():
    instance = dg.DagsterInstance.ephemeral()
    graph = defs.resolve_asset_graph()
    for key in graph.get_all_asset_keys():  # a warehouse where everything has been built once
        instance.report_runless_asset_event(dg.AssetMaterialization(key))
    cursor = dg.evaluate_automation_conditions(defs=defs, instance=instance).cursor
    tick = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=cursor)
    assert TARIFFS not in _requested(tick)

    # the ingest job starts: every raw and reference asset and every source check is planned in one run
    job = defs.resolve_job_def("ingest")
    run = instance.create_run_for_job(job, status=dg.DagsterRunStatus.STARTED)
    tick = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=tick.cursor)
    assert TARIFFS not in _requested(tick)

    # the ingest step has written every input of the tariffs table; the run's source checks have not run yet
    for dep in graph.get(TARIFFS).parent_keys:
        _report(
            instance, run, DagsterEventType.ASSET_MATERIALIZATION, StepMaterializationData(dg.AssetMaterialization(dep))
        )
    tick = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=tick.cursor)
    assert TARIFFS not in _requested(tick), "launched mid-ingest, while the run still checks its inputs"

    _report(instance, run, DagsterEventType.RUN_SUCCESS)
    assert instance.get_run_by_id(run.run_id).is_finished
    tick = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=tick.cursor)
    assert TARIFFS in _requested(tick)
    tick = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=tick.cursor)
    assert TARIFFS not in _requested(tick)  # once, not twice

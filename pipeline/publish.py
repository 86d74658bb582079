"""Publish the read copy after every run that wrote the warehouse, as a queued run of its own in the writer pool.

A run-status sensor notices each finished run (succeeded or failed: a failed run may have written some assets)
that materialized a warehouse asset, and asks for one `publish_read_copy` run, keyed by the run it follows. That
run's step takes the `warehouse` pool slot, so it never overlaps a writer, and copies the warehouse to the read
copy atomically (warehouse/publish.py). `gpucost run` publishes in-process at its end instead.
"""

import dagster as dg

from assets.resources import WAREHOUSE_POOL, WarehouseResource

PUBLISH_JOB = "publish_read_copy"
# what a run may materialize without changing the warehouse (the report writes an HTML file)
NOT_THE_WAREHOUSE = ("reports",)


@dg.op(name="publish", pool=WAREHOUSE_POOL, description="Copy the warehouse to its read copy, atomically.")
def publish_op(context: dg.OpExecutionContext, warehouse: WarehouseResource) -> dg.Output:
    published = warehouse.publish()
    context.log.info(f"published {published.path} ({published.size_bytes / 1e6:.1f} MB, {published.seconds:.2f} s)")
    return dg.Output(
        None,
        metadata={
            "path": dg.MetadataValue.path(str(published.path)),
            "size_bytes": published.size_bytes,
            "seconds": round(published.seconds, 3),
            "schema_version": published.schema_version or "",
        },
    )


@dg.job(
    name=PUBLISH_JOB,
    description="Publish the read copy of the warehouse (what the CLI, the report and BI tools open): requested by "
    "the publish sensors after each run that wrote the warehouse.",
)
def publish_job():
    publish_op()


def wrote_warehouse(instance: dg.DagsterInstance, run_id: str) -> bool:
    """Did the run materialize any asset that lives in the warehouse?"""
    records = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION, limit=1000)
    return any(
        r.event_log_entry.dagster_event.asset_key.path[0] not in NOT_THE_WAREHOUSE
        for r in records.records
        if r.event_log_entry.dagster_event and r.event_log_entry.dagster_event.asset_key
    )


def _request_publish(context: dg.RunStatusSensorContext):
    run = context.dagster_run
    if run.job_name == PUBLISH_JOB:
        return dg.SkipReason("a publish run publishes nothing after itself")
    if not wrote_warehouse(context.instance, run.run_id):
        return dg.SkipReason(f"run {run.run_id} did not write the warehouse")
    return dg.RunRequest(run_key=f"after:{run.run_id}", tags={"gpucost/published_after": run.run_id})


def _publish_sensor(status: dg.DagsterRunStatus, name: str):
    return dg.run_status_sensor(
        run_status=status,
        name=name,
        request_job=publish_job,
        minimum_interval_seconds=10,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description=f"After each {status.value.lower()} run that wrote the warehouse, queue one publish of its read "
        "copy (in the warehouse pool).",
    )(_request_publish)


publish_after_success = _publish_sensor(dg.DagsterRunStatus.SUCCESS, "publish_after_success")
publish_after_failure = _publish_sensor(dg.DagsterRunStatus.FAILURE, "publish_after_failure")
PUBLISH_SENSORS = [publish_after_success, publish_after_failure]

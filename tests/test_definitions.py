"""The code location loads, validates, and starts its schedule and sensor RUNNING."""

import dagster as dg

from pipeline.definitions import defs


def test_definitions_load_and_validate():
    dg.Definitions.validate_loadable(defs)
    keys = {k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys()}
    assert {
        "raw/skypilot_aws",
        "raw/gcp_billing_skus",
        "core/gpu_prices",
        "core/gpu_specs",
        "core/gpu_aliases",
        "core/reference_models",
        "marts/training_costs",
    } <= keys


def test_keys_mirror_schema_and_table_and_groups_are_the_domains():
    graph = defs.resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        assert key.path[0] in {"raw", "core", "marts", "reports"}, key
        assert graph.get(key).group_name in {"prices", "energy", "reference", "costs", "reports"}
        assert (key.path[0] == "reports") == (graph.get(key).group_name == "reports"), key


def test_every_step_that_opens_the_warehouse_is_in_the_single_writer_pool():
    # readers too (the report, the source checks): runs in separate processes cannot read a file another writes
    for asset in defs.assets:
        for spec in asset.specs:
            assert asset.op.pool == "warehouse", spec.key
    for checks in defs.asset_checks:
        assert checks.op.pool == "warehouse", checks.op.name
    assert defs.resolve_job_def("publish_read_copy").graph.node_defs[0].pool == "warehouse"


def test_schedule_and_automation_sensor_start_running():
    schedule = defs.resolve_schedule_def("daily_ingest_schedule")
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    assert schedule.cron_schedule == "0 6 * * *" and schedule.execution_timezone == "UTC"
    sensor = defs.resolve_sensor_def("automation")
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING


def test_in_process_executor():
    assert defs.executor is dg.in_process_executor


def test_every_asset_is_described_and_owned():
    graph = defs.resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        assert node.description and len(node.description) > 40, key
        assert node.owners == ["team:gpucost"], key

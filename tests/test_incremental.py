"""`gpucost run` does only what changed: the same rule automation uses, read from each asset's provenance."""

import dagster as dg

from assets.resources import WarehouseResource
from pipeline.definitions import ALL_ASSETS, ALL_CHECKS
from pipeline.run import config_override, run_pipeline
from tests.conftest import LOOPBACK_PATHS, loopback_ingest
from tests.loopback import FIXTURES
from warehouse import connect_reader, queries

LAMBDA = LOOPBACK_PATHS["skypilot"] + "/lambda/vms.csv"
DAY2_LAMBDA = FIXTURES / "skypilot" / "lambda_vms_2026-04-06.csv"
MARTS = {
    "marts/training_costs",
    "marts/inference_costs",
    "marts/scenario_costs",
    "marts/model_validation",
    "marts/cost_changes",
}


def setup(server, warehouse_path):
    instance = dg.DagsterInstance.ephemeral()
    resources = {"warehouse": WarehouseResource(path=str(warehouse_path)), "ingest": loopback_ingest(server)}
    first = run_pipeline(resources=resources, instance=instance)
    return instance, resources, first


def test_a_first_run_computes_everything_in_one_recompute_round(server, warehouse_path):
    _, _, first = setup(server, warehouse_path)
    # a source skipped (gcp_billing has no key here) skips the ingest run's source checks: a run of their own
    # evaluates them, so every source's freshness is known all the same
    assert [what for _, what, _ in first.runs] == ["ingest", "source checks", "recompute 1"]
    assert {"skypilot_aws_fresh", "aws_ec2_prices_fresh", "lambda_prices_fresh", "gcp_billing_skus_fresh"} <= set(
        first.checks
    )
    assert MARTS | {"marts/energy_by_region", "marts/gpu_prices_daily", "core/gpu_prices"} <= set(first.materialized)


def test_an_unchanged_rerun_materializes_no_mart(server, warehouse_path):
    instance, resources, _ = setup(server, warehouse_path)
    again = run_pipeline(resources=resources, instance=instance)
    # the sources are fetched again and the daily tables re-stamped; nothing whose inputs are unchanged runs
    recomputed = {k for k in again.materialized if not k.startswith(("raw/", "core/"))}
    assert recomputed == {"marts/gpu_prices_daily"}, again.materialized
    assert "core/gpu_specs" not in again.materialized  # an unchanged reference file is not reloaded


def test_force_recomputes_everything(server, warehouse_path):
    instance, resources, _ = setup(server, warehouse_path)
    forced = run_pipeline(resources=resources, instance=instance, force=True)
    assert MARTS | {"marts/energy_by_region", "core/gpu_specs"} <= set(forced.materialized)


def test_a_changed_price_recomputes_the_marts_that_use_it(server, warehouse_path):
    instance, resources, _ = setup(server, warehouse_path)
    server.behave(LAMBDA, body=DAY2_LAMBDA.read_bytes())
    changed = run_pipeline(resources=resources, instance=instance)
    assert {"marts/training_costs", "marts/inference_costs", "marts/scenario_costs"} <= set(changed.materialized)
    assert "marts/model_validation" not in changed.materialized  # it reads no price
    # Lambda's 8x H100 moved, but no cheapest offer did: the training mart kept its data version, so the
    # cascade stops there and the cost-change mart does not run
    assert "marts/cost_changes" not in changed.materialized


def test_a_run_level_override_recomputes_what_it_configures(server, warehouse_path):
    instance, resources, _ = setup(server, warehouse_path)
    summary = run_pipeline(resources=resources, instance=instance, run_config=config_override("mfu", 0.33))
    assert {"marts/training_costs", "marts/model_validation", "marts/inference_costs"} <= set(summary.materialized)
    with connect_reader(warehouse_path) as con:
        assert queries.frame(con, "SELECT DISTINCT mfu FROM marts.training_costs")["mfu"].to_list() == [0.33]


def test_a_run_killed_before_the_costs_is_picked_up_by_the_next(server, warehouse_path):
    """Provenance, not sensor ticks: a price change ingested by a run that died before its costs still recomputes."""
    instance, resources, _ = setup(server, warehouse_path)
    server.behave(LAMBDA, body=DAY2_LAMBDA.read_bytes(), times=2)
    assert dg.materialize(  # the ingest and the core prices land, then the "run" stops
        [*ALL_ASSETS, *ALL_CHECKS],
        selection=dg.AssetSelection.keys("raw/skypilot_lambda", "core/gpu_prices"),
        resources=resources,
        instance=instance,
    ).success
    later = run_pipeline(resources=resources, instance=instance)
    assert "marts/training_costs" in later.materialized
    assert "marts/inference_costs" in later.materialized

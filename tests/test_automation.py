"""Recompute exactly when an input changes: data versions, automation conditions, the reference-file sensor."""

import dagster as dg
import pytest

from assets.reference.files import REFERENCE_MODELS, ReferenceFile
from assets.resources import WarehouseResource
from pipeline.automation import reference_files_sensor
from pipeline.definitions import ALL_ASSETS, ALL_CHECKS, defs
from pipeline.jobs import INGEST_SELECTION
from pipeline.run import run_pipeline
from tests.conftest import FIXTURES, LOOPBACK_PATHS, fixture_dir, loopback_ingest

LAMBDA = LOOPBACK_PATHS["skypilot"] + "/lambda/vms.csv"
DAY2_LAMBDA = FIXTURES / "skypilot" / "lambda_vms_2026-04-06.csv"
CORE_PRICES = dg.AssetKey(["core", "gpu_prices"])
TRAINING = dg.AssetKey(["marts", "training_costs"])


@pytest.fixture(autouse=True)
def gcp_billing_key(monkeypatch):
    """gcp_billing runs only with a key; until the ingest factory records a skip for a source without its key
    (Source.skip_reason), a second run without one would count it as failed. The loopback server answers it."""
    monkeypatch.setenv("GPUCOST_GCP_API_KEY", "test-key-not-a-secret")


@pytest.fixture
def setup(server, warehouse_path):
    instance = dg.DagsterInstance.ephemeral()
    resources = {"warehouse": WarehouseResource(path=str(warehouse_path)), "ingest": loopback_ingest(server)}
    run_pipeline(resources=resources, instance=instance)
    first = dg.evaluate_automation_conditions(defs=defs, instance=instance)
    return instance, resources, first


def ingest(instance, resources):
    result = dg.materialize(
        [*ALL_ASSETS, *ALL_CHECKS], selection=INGEST_SELECTION, resources=resources, instance=instance
    )
    assert result.success


def materialize(instance, resources, key):
    assert dg.materialize([*ALL_ASSETS, *ALL_CHECKS], selection=[key], resources=resources, instance=instance).success


RESTAMPED = {
    *(dg.AssetKey(["core", t]) for t in ("gpu_prices", "electricity_tariffs", "grid_carbon_intensity")),
    dg.AssetKey(["marts", "gpu_prices_daily"]),  # the market's day follows the prices it summarizes
}


def requested(tick) -> set:
    return {r.key for r in tick.results if r.true_subset.size and isinstance(r.key, dg.AssetKey)}


def test_unchanged_reingest_recomputes_no_cost(setup):
    instance, resources, tick = setup
    assert tick.total_requested == 0  # everything was just materialized
    ingest(instance, resources)  # same catalogs again: new materializations, same data versions
    tick = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=tick.cursor)
    # only the daily core tables are re-stamped (their history stays day by day) ...
    assert requested(tick) == RESTAMPED
    assert dg.materialize(
        [*ALL_ASSETS, *ALL_CHECKS], selection=list(RESTAMPED), resources=resources, instance=instance
    ).success
    # ... and, their content unchanged, nothing downstream of them runs: no energy mart, no cost mart
    tick = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=tick.cursor)
    assert tick.total_requested == 0


def test_one_changed_price_recomputes_its_costs(setup, server):
    instance, resources, tick = setup
    server.behave(LAMBDA, body=DAY2_LAMBDA.read_bytes())
    ingest(instance, resources)
    tick = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=tick.cursor)
    assert tick.get_num_requested(CORE_PRICES) == 1
    assert tick.get_num_requested(TRAINING) == 0  # waits for core prices to change first
    materialize(instance, resources, CORE_PRICES)
    tick = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=tick.cursor)
    assert tick.get_num_requested(TRAINING) == 1
    assert tick.get_num_requested(CORE_PRICES) == 0


def test_a_recompute_with_the_same_result_stops_the_cascade(setup):
    instance, resources, tick = setup
    materialize(instance, resources, CORE_PRICES)  # same inputs, same rows, same version
    tick = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=tick.cursor)
    assert tick.get_num_requested(TRAINING) == 0


def test_reference_file_sensor_reloads_an_edited_file(setup, monkeypatch):
    instance, _, _ = setup
    assert isinstance(reference_files_sensor(dg.build_sensor_context(instance=instance)), dg.SkipReason)
    original = ReferenceFile.read_bytes

    def edited(self):
        body = original(self)
        if self is REFERENCE_MODELS:
            body += b'GPT-2 1.5B,1500000000,1500000000,,"Radford et al. 2019",\n'
        return body

    monkeypatch.setattr(ReferenceFile, "read_bytes", edited)
    request = reference_files_sensor(dg.build_sensor_context(instance=instance))
    assert isinstance(request, dg.RunRequest)
    assert request.asset_selection == [dg.AssetKey(["core", "reference_models"])]
    assert REFERENCE_MODELS.content_hash() in request.run_key


def test_freshness_check_warns_about_snapshot_and_stale_data(server, warehouse_path):
    from pipeline.jobs import SOURCE_CHECKS

    instance = dg.DagsterInstance.ephemeral()
    resources = {
        "warehouse": WarehouseResource(path=str(warehouse_path)),
        "ingest": loopback_ingest(server, offline=True),
    }
    summary = run_pipeline(resources=resources, instance=instance)
    assert summary.checks["skypilot_aws_fresh"] is False  # bootstrapped from the bundled snapshot: not live
    # the hourly check-only job evaluates it without touching the source
    server.reset()
    result = dg.materialize([*ALL_ASSETS, *ALL_CHECKS], selection=SOURCE_CHECKS, resources=resources, instance=instance)
    evaluation = {e.check_name: e for e in result.get_asset_check_evaluations()}["skypilot_aws_fresh"]
    assert not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.WARN
    assert (
        evaluation.metadata["data_origin"].value.startswith("snapshot:")
        and evaluation.metadata["data_age_days"].value > 100
    )
    assert result.get_asset_materialization_events() == [] and server.requests == []


def test_a_changed_price_is_named_by_the_cost_change_asset(setup, server, warehouse_path):
    from warehouse import connect_reader, queries

    instance, resources, _ = setup
    with connect_reader(warehouse_path) as con:
        used = queries.frame(
            con,
            """
            SELECT gpu_model, price_provider, price_instance_type, price_per_gpu_hour_usd FROM marts.training_costs
            WHERE pricing = 'on_demand' AND price_source = 'skypilot_gcp' AND price_provider = 'gcp'
              AND price_instance_type LIKE 'tpu-%'
            LIMIT 1""",
        ).row(0, named=True)
    catalog = fixture_dir("skypilot") / "gcp" / "vms.csv"
    lines = catalog.read_text().splitlines(keepends=True)
    line = next(i for i, text in enumerate(lines) if f",{used['price_instance_type']}," in text)
    fields = lines[line].rstrip("\n").split(",")
    price_at = len(fields) - 2  # gcp: ...,Region,AvailabilityZone,Price,SpotPrice
    fields[price_at] = f"{float(fields[price_at]) * 1.5:g}"
    lines[line] = ",".join(fields) + "\n"
    server.behave(LOOPBACK_PATHS["skypilot"] + "/gcp/vms.csv", body="".join(lines).encode())
    run_pipeline(resources=resources, instance=instance)
    with connect_reader(warehouse_path) as con:
        change = queries.frame(
            con,
            "SELECT * FROM marts.cost_changes WHERE figure = ?",
            [f"cheapest on-demand {used['gpu_model']} GPU-hour"],
        ).row(0, named=True)
        other = queries.frame(
            con,
            "SELECT previous_value, changed_inputs FROM marts.cost_changes WHERE figure = ?",
            ["training GPT-3 175B on A100-40GB (cheapest on-demand)"],
        ).row(0, named=True)
    assert change["previous_value"] == pytest.approx(used["price_per_gpu_hour_usd"])
    assert change["value"] == pytest.approx(used["price_per_gpu_hour_usd"] * 1.5)
    assert (
        change["changed_inputs"].startswith("price: skypilot_gcp gcp")
        and used["price_instance_type"] in change["changed_inputs"]
    )
    assert "tariff:" not in change["changed_inputs"] and "assumptions:" not in change["changed_inputs"]
    # a figure that does not use that price never moved
    assert other == {"previous_value": None, "changed_inputs": "new figure"}

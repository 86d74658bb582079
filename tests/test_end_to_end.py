"""The whole pipeline, in-process, into a temp warehouse, from the loopback server."""

import dagster as dg
import polars as pl
import pytest

from assets.prices import gcp_billing
from assets.resources import WarehouseResource
from assets.sources import PRICE_SOURCES
from pipeline.run import run_pipeline
from tests.conftest import LOOPBACK_PATHS, loopback_ingest
from warehouse import connect_reader, queries

LAMBDA = LOOPBACK_PATHS["skypilot"] + "/lambda/vms.csv"


@pytest.fixture(autouse=True)
def gcp_billing_key(monkeypatch):
    """The Billing Catalog runs only with a key: the loopback server answers it like the real API (with a key)."""
    monkeypatch.setenv(gcp_billing.KEY_ENV, "test-key-not-a-secret")


GPT3_FLOPS = 6 * 175e9 * 300e9


def resources(server, warehouse_path, **overrides):
    return {"warehouse": WarehouseResource(path=str(warehouse_path)), "ingest": loopback_ingest(server, **overrides)}


def gpt3(warehouse_path) -> pl.DataFrame:
    """GPT-3 at the cheapest on-demand price of each GPU model (the mart also holds spot, median and per-provider
    rows).
    """
    with connect_reader(warehouse_path) as con:
        return queries.training_costs(con, "GPT-3 175B").filter(pl.col("pricing") == "on_demand")


def test_materialize_everything_and_check_the_mart(server, warehouse_path):
    instance = dg.DagsterInstance.ephemeral()
    summary = run_pipeline(resources=resources(server, warehouse_path), instance=instance)
    assert summary.failed_ingest == {} and summary.costs_ok
    costs = gpt3(warehouse_path)
    h100 = costs.filter(pl.col("gpu_model") == "H100-SXM").row(0, named=True)
    # cheapest H100 SXM on-demand in the fixtures: Hyperbolic's 1x H100 at $1.29 per GPU-hour (SkyPilot's hyperbolic
    # catalog), below the Vast marketplace median ($1.8675) and Lambda gpu_8x_h100_sxm5 ($27.52 / 8 = $3.44)
    assert (h100["price_provider"], h100["price_instance_type"], h100["price_source"]) == (
        "hyperbolic",
        "1x-H100-75-722",
        "skypilot_hyperbolic",
    )
    assert h100["price_per_gpu_hour_usd"] == pytest.approx(1.29)
    assert h100["cloud_cost_usd"] == pytest.approx(GPT3_FLOPS / (989e12 * 0.40 * 3600) * 1.29)
    assert h100["price_origin"] == "live" and h100["mfu"] == 0.40
    # every GPU model with a price and a dense peak is costed, none twice
    assert costs["gpu_model"].n_unique() == costs.height >= 15
    with connect_reader(warehouse_path) as con:
        unknown = queries.frame(
            con, "SELECT DISTINCT gpu_name_raw FROM marts.latest_gpu_prices WHERE gpu_model IS NULL ORDER BY 1"
        )
    # the Azure fixture's M60 / MI25 have no spec row; B300, GB200, MI355X and RTX 5090 have aliases waiting for
    # theirs (assets/reference/data/gpu_aliases_awaiting_specs.csv)
    assert unknown["gpu_name_raw"].to_list() == ["B300", "GB200", "M60", "MI25", "MI355X", "RTX5090"]
    fresh = {f"{source.table}_fresh": True for source in PRICE_SOURCES}
    expected = {
        "gpu_prices_positive": True,
        "gpu_prices_unique": True,
        "gpu_prices_unknown_gpus": False,
        "azure_unmapped_gpu_skus": False,
        **fresh,
        "scenario_costs_reproduce_published": True,
    }
    assert {name: summary.checks[name] for name in expected} == expected  # energy checks: tests/test_energy_pipeline.py
    with connect_reader(warehouse_path) as con:
        counts = {
            t: queries.frame(con, f"SELECT count(*) AS n FROM marts.{t}")["n"][0]
            for t in ("inference_costs", "scenario_costs", "model_validation")
        }
    assert min(counts.values()) > 0, counts


def test_every_asset_shows_its_schema_size_and_a_preview(server, warehouse_path):
    from pipeline.definitions import defs

    instance = dg.DagsterInstance.ephemeral()
    run_pipeline(resources=resources(server, warehouse_path), instance=instance)
    for key in defs.resolve_asset_graph().get_all_asset_keys():
        metadata = instance.get_latest_materialization_event(key).asset_materialization.metadata
        for name in ("dagster/row_count", "dagster/column_schema", "dagster/table_name", "preview"):
            assert name in metadata, (key, name)
        assert metadata["dagster/table_name"].value == ".".join(key.path)  # keys mirror schema.table
        if key.path[-1] != "price_confirmations":  # empty until someone confirms a held price
            assert metadata["dagster/row_count"].value > 0, key


def test_a_failing_source_does_not_block_the_costs(server, warehouse_path):
    instance = dg.DagsterInstance.ephemeral()
    run_pipeline(resources=resources(server, warehouse_path), instance=instance)
    before = gpt3(warehouse_path)
    server.behave(LAMBDA, status=500)
    summary = run_pipeline(
        resources=resources(server, warehouse_path),
        instance=instance,
        run_config={"ops": {"marts__training_costs": {"config": {"mfu": 0.5}}}},
    )
    # one SkyPilot cloud failing fails that cloud alone
    assert list(summary.failed_ingest) == ["raw__skypilot_lambda"] and summary.costs_ok
    assert (
        "skypilot_lambda: GET" in summary.failed_ingest["raw__skypilot_lambda"]
        and "HTTP 500" in summary.failed_ingest["raw__skypilot_lambda"]
    )
    after = gpt3(warehouse_path)
    # recomputed (new MFU) from the last good prices
    assert after["mfu"].unique().to_list() == [0.5]
    assert (
        after.sort("gpu_model")["price_per_gpu_hour_usd"].to_list()
        == before.sort("gpu_model")["price_per_gpu_hour_usd"].to_list()
    )

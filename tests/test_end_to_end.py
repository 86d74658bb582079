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
    # the cheapest H100 SXM that can train GPT-3 in the fixtures: Nebius's 8-GPU InfiniBand node at $2.95 per
    # GPU-hour, not the Vast marketplace median of single GPUs ($1.8675)
    assert (h100["price_provider"], h100["price_instance_type"], h100["price_source"]) == (
        "nebius",
        "gpu-h100-sxm 8gpu-128vcpu-1600gb",
        "gpuhunt_nebius",
    )
    assert (h100["offer_class"], h100["interconnect"]) == ("cluster_node", "nvswitch + infiniband")
    assert h100["price_per_gpu_hour_usd"] == pytest.approx(2.95)
    flops = GPT3_FLOPS + h100["flops_attention"]  # 6ND + attention
    assert h100["cloud_cost_usd"] == pytest.approx(flops / (989e12 * h100["mfu"] * 3600) * 2.95)
    assert h100["price_origin"] == "live" and h100["utilization_basis"].startswith("derived")
    # every GPU model with an offer that can train it is costed, none twice; the others are listed with a reason
    assert costs["gpu_model"].n_unique() == costs.height >= 8
    assert costs["offer_class"].is_in(["cluster_node", "tpu_slice"]).all()
    with connect_reader(warehouse_path) as con:
        unknown = queries.frame(
            con, "SELECT DISTINCT gpu_name_raw FROM marts.latest_gpu_prices WHERE gpu_model IS NULL ORDER BY 1"
        )
    # the Azure fixture's M60 / MI25 (retired NV / NVv2 parts with no tensor cores) have no spec row and are listed
    assert unknown["gpu_name_raw"].to_list() == ["M60", "MI25"]
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
            for t in (
                "inference_costs",
                "scenario_costs",
                "model_validation",
                "inference_validation",
                "inference_curves",
                "cost_exclusions",
            )
        }
    assert min(counts.values()) > 0, counts


def test_every_asset_shows_its_schema_size_and_a_preview(server, warehouse_path):
    from pipeline.definitions import defs

    instance = dg.DagsterInstance.ephemeral()
    run_pipeline(resources=resources(server, warehouse_path), instance=instance)
    for key in defs.resolve_asset_graph().get_all_asset_keys():
        metadata = instance.get_latest_materialization_event(key).asset_materialization.metadata
        if key.path[0] == "reports":  # a file, not a table: a link to it and a preview of its figures
            assert {"path", "url", "preview"} <= set(metadata), key
            continue
        for name in ("dagster/row_count", "dagster/column_schema", "dagster/table_name", "preview"):
            assert name in metadata, (key, name)
        assert metadata["dagster/table_name"].value == ".".join(key.path)  # keys mirror schema.table
        if not key.path[-1].endswith("_confirmations"):  # empty until someone confirms a held value
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
    assert list(summary.failed_ingest) == ["skypilot_lambda"] and summary.costs_ok  # one cloud fails alone
    failure = summary.failed_ingest["skypilot_lambda"]
    assert "skypilot_lambda: GET" in failure and "HTTP 500" in failure
    after = gpt3(warehouse_path)
    # recomputed (new MFU) from the last good prices
    assert after["mfu"].unique().to_list() == [0.5]
    assert (
        after.sort("gpu_model")["price_per_gpu_hour_usd"].to_list()
        == before.sort("gpu_model")["price_per_gpu_hour_usd"].to_list()
    )

"""The plain script (tests/plain_run.py, the benchmark's baseline) does exactly the work of `gpucost run`."""

import polars as pl

import warehouse
from assets.settings import IngestConfig
from pipeline.cli import main
from tests import plain_run
from warehouse import queries

MARTS = (
    "training_costs",
    "inference_costs",
    "scenario_costs",
    "model_validation",
    "gpu_prices_daily",
    "inference_validation",
    "inference_curves",
    "cost_exclusions",
)


def marts(path) -> dict[str, pl.DataFrame]:
    with warehouse.connect_reader(path) as con:
        return {
            t: queries.frame(con, f"SELECT * EXCLUDE (computed_at) FROM marts.{t}").sort(pl.all(), nulls_last=True)
            for t in MARTS
        }


def test_the_plain_script_and_gpucost_run_fill_the_marts_alike(tmp_path, monkeypatch):
    monkeypatch.setenv("GPUCOST_DB", str(tmp_path / "dagster.duckdb"))
    assert main(["run", "--offline"]) == 0
    plain_run.run(warehouse.Warehouse(str(tmp_path / "plain.duckdb")), IngestConfig(offline=True))
    ours, plain = marts(tmp_path / "dagster.duckdb"), marts(tmp_path / "plain.duckdb")
    for table in MARTS:
        assert ours[table].height > 0 and ours[table].equals(plain[table]), table

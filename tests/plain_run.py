"""The work of `gpucost run` without Dagster: the same functions, in the same order, into the same tables.

`make bench` runs it next to `gpucost run --offline` to show what Dagster costs on top of the work
itself; tests/test_plain_run.py checks that both fill the marts row for row alike.

    python -m tests.plain_run [--offline]     (GPUCOST_DB picks the warehouse, as for gpucost)
"""

from __future__ import annotations

import argparse
import sys

from assets.costs import build as costs
from assets.energy import build as energy
from assets.ingest import ingest_sources
from assets.prices.build import build_gpu_prices, build_gpu_prices_daily
from assets.reference.load import ALL_REFERENCE_FILES, load_reference
from assets.settings import IngestConfig
from assets.sources import PRICE_SOURCES, SOURCES, TARIFF_SOURCES
from assets.versions import utc_now
from costmodel import inference
from pipeline.environment import base_url_overrides
from pipeline.home import warehouse_path
from warehouse import Warehouse


def run(store: Warehouse, config: IngestConfig) -> dict:
    """Ingest, load the reference files, then every derived table in dependency order; return what each wrote."""
    now = utc_now()
    outcomes = ingest_sources(SOURCES, store, config, now=now)
    written = {o.source.name: (o.result.frame.height if o.ok else o.error) for o in outcomes}
    with store.writer() as con:
        for ref in ALL_REFERENCE_FILES:
            written[ref.table] = load_reference(con, ref)[0].height
        written["gpu_prices"] = build_gpu_prices(con, PRICE_SOURCES).current.height
        written["gpu_prices_daily"] = build_gpu_prices_daily(
            con, PRICE_SOURCES, today=now.date(), computed_at=now
        ).rows.height
        written["electricity_tariffs"] = energy.build_electricity_tariffs(con, TARIFF_SOURCES).frame.height
        written["grid_carbon_intensity"] = energy.build_grid_carbon(con).frame.height
        written["energy_by_region"] = energy.build_energy_by_region(con).frame.height
        band = {"mfu": None, "mfu_low": None, "mfu_high": None, "computed_at": now}
        written["training_costs"] = costs.build_training_costs(con, **band).frame.height
        written["inference_costs"] = costs.build_inference_costs(
            con,
            mfu=None,
            batch_size=None,
            bytes_per_param=None,
            utilization=inference.DEFAULT_UTILIZATION,
            computed_at=now,
        ).frame.height
        written["scenario_costs"] = costs.build_scenario_costs(con, computed_at=now).frame.height
        written["model_validation"] = costs.build_model_validation(con, **band).frame.height
        written["inference_validation"] = costs.build_inference_validation(con, computed_at=now).frame.height
        written["inference_curves"] = costs.build_inference_curves(con, computed_at=now).frame.height
        written["cost_exclusions"] = costs.build_cost_exclusions(con, computed_at=now).frame.height
        written["cost_changes"] = costs.build_cost_changes(con, computed_at=now).frame.height
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.plain_run")
    parser.add_argument("--offline", action="store_true")
    args = parser.parse_args(argv)
    written = run(Warehouse(str(warehouse_path())), IngestConfig(offline=args.offline, base_urls=base_url_overrides()))
    print(", ".join(f"{name} {n}" for name, n in written.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())

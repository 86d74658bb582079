"""Energy assets: the core rows built from the tariff, exchange-rate and grid-carbon sources, and energy per region.

core/electricity_tariffs   every tariff in USD with the dated rate; bad values held row by row
core/grid_carbon_intensity gCO2e/kWh by country and year; implausible values held
marts/energy_by_region     tariff, grid carbon and PUE per cloud region (a table behind the view users read)
The raw sources are ingested with every other source (assets/ingest_defs.py); the data files
(countries, cloud regions, PUE, tariff choices, confirmations) load with the reference files.
"""

import dagster as dg

from assets.automation import on_any_input_update, on_input_change
from assets.energy import ecb, owid
from assets.energy.build import (
    GRID_HELD,
    LOCATED,
    NO_ZEROS,
    TARIFFS,
    TARIFFS_HELD,
    build_electricity_tariffs,
    build_energy_by_region,
    build_grid_carbon,
)
from assets.energy.reference import ENERGY_REFERENCE_FILES
from assets.metadata import OWNERS, check_result, check_specs, facts_metadata, table_metadata
from assets.resources import WAREHOUSE_POOL, WarehouseResource
from assets.sources import TARIFF_SOURCES

GROUP = "energy"
TARIFFS_KEY = dg.AssetKey(["core", "electricity_tariffs"])
GRID_KEY = dg.AssetKey(["core", "grid_carbon_intensity"])
ENERGY_KEY = dg.AssetKey(["marts", "energy_by_region"])
CONFIRMATIONS = dg.AssetKey(["core", "energy_confirmations"])


def _raw(source) -> dg.AssetKey:
    return dg.AssetKey(["raw", source.table])


def _emit(context, built, key: dg.AssetKey, table: str):
    for note in built.notes:
        context.log.warning(note)
    yield dg.MaterializeResult(
        metadata={**table_metadata(built.frame, table), **facts_metadata(built.facts)},
        data_version=dg.DataVersion(built.version),
    )
    for outcome in built.checks:
        yield check_result(outcome, key)


@dg.asset(
    key=TARIFFS_KEY,
    deps=[*(_raw(s) for s in TARIFF_SOURCES), _raw(ecb.SOURCE), dg.AssetKey(["core", "countries"]), CONFIRMATIONS],
    group_name=GROUP,
    kinds={"duckdb", "polars"},
    pool=WAREHOUSE_POOL,
    owners=OWNERS,
    automation_condition=on_any_input_update(),
    check_specs=check_specs(TARIFFS_KEY, [TARIFFS_HELD]),
    description=(
        "Every electricity price from every tariff source (EIA by US state, Eurostat by EU country) in one shape: "
        "area, sector or consumption band, period, price per kWh as published and tariff_usd_per_kwh. EUR prices are "
        "converted with the newest ECB reference rate, kept beside each value with its date (fx_rate, fx_date). A "
        "value that cannot be a tariff (no USD value, negative or zero, above 1.5 $/kWh) is held (held_reason): "
        "left out of marts.energy_by_region, never blocking the costs of other regions."
    ),
)
def electricity_tariffs(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    with warehouse.writer() as con:
        built = build_electricity_tariffs(con, TARIFF_SOURCES)
    yield from _emit(context, built, TARIFFS_KEY, "core.electricity_tariffs")


@dg.asset(
    key=GRID_KEY,
    deps=[_raw(owid.SOURCE), dg.AssetKey(["core", "countries"]), CONFIRMATIONS],
    group_name=GROUP,
    kinds={"duckdb", "polars"},
    pool=WAREHOUSE_POOL,
    owners=OWNERS,
    automation_condition=on_any_input_update(),
    check_specs=check_specs(GRID_KEY, [GRID_HELD]),
    description=(
        "Carbon intensity of electricity generation (gCO2e/kWh) by country and year, plus the World average, from "
        "Our World in Data; country_code (ISO alpha-2) joins it to cloud regions. Values outside 0..1,500 are held."
    ),
)
def grid_carbon_intensity(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    with warehouse.writer() as con:
        built = build_grid_carbon(con)
    yield from _emit(context, built, GRID_KEY, "core.grid_carbon_intensity")


@dg.asset(
    key=ENERGY_KEY,
    deps=[
        electricity_tariffs,
        grid_carbon_intensity,
        dg.AssetKey(["core", "gpu_prices"]),
        *(dg.AssetKey(["core", ref.table]) for ref in ENERGY_REFERENCE_FILES),
    ],
    group_name=GROUP,
    kinds={"duckdb", "polars"},
    pool=WAREHOUSE_POOL,
    owners=OWNERS,
    automation_condition=on_input_change(),
    check_specs=check_specs(ENERGY_KEY, [NO_ZEROS, LOCATED, TARIFFS]),
    description=(
        "Energy per cloud region: country and US state, tariff_usd_per_kwh with its source, sector and period (and "
        "the exchange rate where converted), grid_gco2_per_kwh with its year, PUE with its source, and the age of "
        "each. Regions without their own (or with a held) tariff use a documented fallback, flagged in tariff_basis "
        "and tariff_is_fallback. Built into core.energy_by_region_current; the view adds the ages."
    ),
)
def energy_by_region(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    with warehouse.writer() as con:
        built = build_energy_by_region(con)
    yield from _emit(context, built, ENERGY_KEY, "marts.energy_by_region")


energy_assets = [electricity_tariffs, grid_carbon_intensity, energy_by_region]

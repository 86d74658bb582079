"""Energy assets: tariff, exchange-rate and grid-carbon sources, the core rows built from them, energy per region.

raw/*            EIA Table 5.6.A, Eurostat nrg_pc_205, ECB reference rates, OWID grid carbon (one ingest asset each)
core/*           electricity_tariffs (located, in USD with the dated rate), grid_carbon_intensity;
                 plus the data files countries, cloud_regions, datacenter_pue, tariff_preferences (group reference)
marts/energy_by_region   the view users and the cost model read, observed here so it has lineage and checks
"""

import dagster as dg
import polars as pl

from assets.automation import on_any_input_update, on_input_change
from assets.energy import ecb, eia, owid
from assets.energy.geo import US_STATE_CODES
from assets.energy.reference import ENERGY_REFERENCE_FILES
from assets.energy.tariffs import FX_SCHEMA, in_usd, locate
from assets.ingest_defs import build_freshness_check, build_ingest_asset
from assets.metadata import OWNERS, markdown_preview, table_metadata
from assets.reference.defs import build_reference_asset
from assets.resources import WAREHOUSE_POOL, WarehouseResource
from assets.sources import ENERGY_SOURCES, TARIFF_SOURCES
from assets.versions import content_version
from warehouse import energy as energy_queries
from warehouse import queries, replace_snapshot

GROUP = "energy"
MIN_STATES = 45  # Table 5.6.A lists 50 states and DC; fewer than this means the page lost rows
MAX_TARIFF_USD_PER_KWH = 1.5  # above any published average (Hawaii is ~0.4): a unit or decimal error
AGE_COLUMNS = ("tariff_age_days", "fx_age_days", "grid_age_years", "pue_age_years")


def _raw(source) -> dg.AssetKey:
    return dg.AssetKey(["raw", source.table])


def _newest(con, source) -> pl.DataFrame | None:
    day = queries.latest_snapshot_date(con, source.raw_table, source.name)
    return None if day is None else queries.snapshot_slice(con, source.raw_table, source.name, day)


energy_ingest_assets = [build_ingest_asset(source, group=GROUP) for source in ENERGY_SOURCES]
energy_reference_assets = [build_reference_asset(ref) for ref in ENERGY_REFERENCE_FILES]


@dg.asset(
    key=["core", "electricity_tariffs"],
    deps=[*(_raw(s) for s in TARIFF_SOURCES), _raw(ecb.SOURCE), dg.AssetKey(["core", "countries"])],
    group_name=GROUP,
    kinds={"duckdb", "polars"},
    pool=WAREHOUSE_POOL,
    owners=OWNERS,
    automation_condition=on_any_input_update(),
    description=(
        "Every electricity price from every tariff source (EIA by US state, Eurostat by EU country) in one shape: "
        "area, sector or consumption band, period, price per kWh as published and tariff_usd_per_kwh. EUR prices are "
        "converted with the newest ECB reference rate, kept beside each value with its date (fx_rate, fx_date)."
    ),
)
def electricity_tariffs(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    with warehouse.writer() as con:
        countries = queries.read_table(con, "core.countries")
        rates = _newest(con, ecb.SOURCE)
        fx = ecb.normalize(rates) if rates is not None else pl.DataFrame(schema=FX_SCHEMA)
        fx = fx.filter(pl.col("fx_date") == pl.col("fx_date").max())
        if fx.is_empty():
            context.log.warning("no ECB rates in the warehouse: EUR tariffs stay without a USD value")
        for source in TARIFF_SOURCES:
            raw = _newest(con, source)
            if raw is None:
                context.log.warning(f"{source.name}: no data in {source.raw_table} yet")
                continue
            rows = in_usd(locate(source.normalize(raw), countries), fx)
            replace_snapshot(
                con, "core.electricity_tariffs", rows, source=source.name, snapshot_date=raw["snapshot_date"][0]
            )
        latest = energy_queries.latest_electricity_tariffs(con)
    unconverted = latest.filter(pl.col("price_per_kwh").is_not_null() & pl.col("tariff_usd_per_kwh").is_null())
    return dg.MaterializeResult(
        metadata={
            **table_metadata(latest, "core.electricity_tariffs"),
            "sources": dg.MetadataValue.md(
                markdown_preview(latest.group_by("source", "origin", "snapshot_date").len().sort("source"))
            ),
            "fx": dg.MetadataValue.md(markdown_preview(fx)),
            "prices_without_usd": unconverted.height,
        },
        data_version=dg.DataVersion(content_version(latest, ("fetched_at",))),
    )


@dg.asset(
    key=["core", "grid_carbon_intensity"],
    deps=[_raw(owid.SOURCE), dg.AssetKey(["core", "countries"])],
    group_name=GROUP,
    kinds={"duckdb", "polars"},
    pool=WAREHOUSE_POOL,
    owners=OWNERS,
    automation_condition=on_any_input_update(),
    description=(
        "Carbon intensity of electricity generation (gCO2e/kWh) by country and year, plus the World average, from "
        "Our World in Data; country_code (ISO alpha-2) joins it to cloud regions."
    ),
)
def grid_carbon_intensity(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    source = owid.SOURCE
    with warehouse.writer() as con:
        raw = _newest(con, source)
        if raw is not None:
            codes = queries.read_table(con, "core.countries").select("iso3", "country_code")
            rows = source.normalize(raw).join(codes, on="iso3", how="left")
            replace_snapshot(
                con, "core.grid_carbon_intensity", rows, source=source.name, snapshot_date=raw["snapshot_date"][0]
            )
        else:
            context.log.warning(f"{source.name}: no data in {source.raw_table} yet")
        latest = energy_queries.latest_grid_carbon(con)
    return dg.MaterializeResult(
        metadata={
            **table_metadata(latest, "core.grid_carbon_intensity"),
            "countries": latest["country_code"].n_unique(),
        },
        data_version=dg.DataVersion(content_version(latest, ("fetched_at",))),
    )


@dg.asset(
    key=["marts", "energy_by_region"],
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
    description=(
        "Energy per cloud region (a view): country and US state, tariff_usd_per_kwh with its source, sector and period "
        "(and the exchange rate where converted), grid_gco2_per_kwh with its year, PUE with its source, and the age of "
        "each. Regions without their own tariff use a documented fallback, flagged in tariff_basis and "
        "tariff_is_fallback."
    ),
)
def energy_by_region(warehouse: WarehouseResource) -> dg.MaterializeResult:
    with warehouse.reader() as con:
        frame = energy_queries.energy_by_region(con)
    bases = frame.group_by("tariff_basis").len().sort("len", descending=True)
    return dg.MaterializeResult(
        metadata={
            **table_metadata(frame, "marts.energy_by_region"),
            "tariff_basis": dg.MetadataValue.md(markdown_preview(bases)),
            "regions_on_fallback_tariffs": frame.filter(pl.col("tariff_is_fallback")).height,
        },
        data_version=dg.DataVersion(content_version(frame.drop(AGE_COLUMNS), ())),
    )


def _sample(frame: pl.DataFrame, rows: int = 20) -> dg.MetadataValue:
    return dg.MetadataValue.md(markdown_preview(frame, rows=rows))


@dg.asset_check(
    asset=_raw(eia.SOURCE),
    description=f"Table 5.6.A lists 50 states and DC: the newest slice must hold at least {MIN_STATES} (the bundled "
    "snapshot holds fewer, and warns).",
)
def eia_state_coverage(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.reader() as con:
        raw = _newest(con, eia.SOURCE)
    if raw is None:
        return dg.AssetCheckResult(passed=False, severity=dg.AssetCheckSeverity.WARN, description="no EIA data yet")
    states = set(raw.filter(pl.col("area_kind") == "state")["state_code"])
    origin = raw["origin"][0]
    return dg.AssetCheckResult(
        passed=len(states) >= MIN_STATES,
        severity=dg.AssetCheckSeverity.WARN if origin.startswith("snapshot") else dg.AssetCheckSeverity.ERROR,
        description=f"{len(states)} of 51 states ({origin})",
        metadata={"states": len(states), "origin": origin, "missing": ", ".join(sorted(US_STATE_CODES - states))},
    )


@dg.asset_check(
    asset=electricity_tariffs,
    blocking=True,
    description=f"Every published price has a USD value in (0, {MAX_TARIFF_USD_PER_KWH}] per kWh: no zero, no unit "
    "slip, no missing exchange rate.",
)
def electricity_tariffs_plausible(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.reader() as con:
        latest = energy_queries.latest_electricity_tariffs(con)
    bad = latest.filter(
        pl.col("price_per_kwh").is_not_null()
        & ~pl.col("tariff_usd_per_kwh").is_between(0, MAX_TARIFF_USD_PER_KWH, closed="right").fill_null(False)
    )
    return dg.AssetCheckResult(
        passed=bad.is_empty(),
        metadata={
            "bad_rows": bad.height,
            "sample": _sample(
                bad.select(
                    "source", "area_code", "sector", "period_label", "price_per_kwh", "currency", "tariff_usd_per_kwh"
                )
            ),
        },
    )


@dg.asset_check(
    asset=grid_carbon_intensity,
    blocking=True,
    description="Every grid carbon intensity is within 0 to 1,500 gCO2e/kWh (coal-only grids are about 1,000).",
)
def grid_carbon_plausible(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.reader() as con:
        latest = energy_queries.latest_grid_carbon(con)
    bad = latest.filter(~pl.col("grid_gco2_per_kwh").is_between(0, 1500))
    return dg.AssetCheckResult(passed=bad.is_empty(), metadata={"bad_rows": bad.height, "sample": _sample(bad)})


@dg.asset_check(
    asset=energy_by_region,
    blocking=True,
    description="No region gets a zero or negative tariff, grid intensity or PUE below 1: a missing input is NULL and "
    "says why, never 0.",
)
def energy_by_region_no_zeros(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.reader() as con:
        frame = energy_queries.energy_by_region(con)
    bad = frame.filter(
        (pl.col("tariff_usd_per_kwh") <= 0)
        | (pl.col("grid_gco2_per_kwh") < 0)
        | (pl.col("pue") < 1)
        | pl.col("pue").is_null()
    )
    return dg.AssetCheckResult(
        passed=bad.is_empty(),
        metadata={
            "bad_rows": bad.height,
            "sample": _sample(bad.select("provider", "region", "tariff_usd_per_kwh", "grid_gco2_per_kwh", "pue")),
        },
    )


@dg.asset_check(
    asset=energy_by_region,
    description="Every priced region is in assets/energy/data/cloud_regions.csv, so its country and state are known "
    "(the rest are listed here).",
)
def energy_by_region_located(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.reader() as con:
        frame = energy_queries.energy_by_region(con)
    unknown = frame.filter(~pl.col("location_known")).select("provider", "region")
    return dg.AssetCheckResult(
        passed=unknown.is_empty(),
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"unknown_regions": unknown.height, "regions": _sample(unknown, 50)},
    )


@dg.asset_check(
    asset=energy_by_region,
    description="Every located region has a tariff, its own or a documented fallback; lists the regions that have "
    "none.",
)
def energy_by_region_tariffs(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.reader() as con:
        frame = energy_queries.energy_by_region(con)
    missing = frame.filter(pl.col("location_known") & pl.col("tariff_usd_per_kwh").is_null()).select(
        "provider", "region", "country_code", "state_code", "tariff_note"
    )
    return dg.AssetCheckResult(
        passed=missing.is_empty(),
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "regions_without_tariff": missing.height,
            "fallbacks": _sample(frame.group_by("tariff_basis").len()),
            "regions": _sample(missing, 50),
        },
    )


energy_assets = [
    *energy_ingest_assets,
    *energy_reference_assets,
    electricity_tariffs,
    grid_carbon_intensity,
    energy_by_region,
]
energy_checks = [
    eia_state_coverage,
    electricity_tariffs_plausible,
    grid_carbon_plausible,
    energy_by_region_no_zeros,
    energy_by_region_located,
    energy_by_region_tariffs,
    *(build_freshness_check(source) for source in ENERGY_SOURCES),
]

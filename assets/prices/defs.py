"""GPU price assets: core/gpu_prices (every source in one shape, today's state beside it) and the daily market."""

import dagster as dg
import polars as pl

from assets.automation import on_any_input_update
from assets.energy import ecb
from assets.metadata import OWNERS, check_result, check_specs, markdown_preview, table_metadata
from assets.prices.build import build_gpu_prices, build_gpu_prices_daily
from assets.prices.checks import SPECS as PRICE_CHECKS
from assets.resources import WAREHOUSE_POOL, WarehouseResource
from assets.sources import PRICE_SOURCES
from assets.versions import utc_now

GPU_PRICES = dg.AssetKey(["core", "gpu_prices"])
RAW_PRICE_KEYS = [dg.AssetKey(["raw", source.table]) for source in PRICE_SOURCES]
# prices published in another currency (Scaleway, EUR) are converted at the newest ECB rate
FX_KEY = dg.AssetKey(["raw", ecb.SOURCE.table])


@dg.asset(
    key=GPU_PRICES,
    deps=[
        *RAW_PRICE_KEYS,
        FX_KEY,
        *(dg.AssetKey(["core", t]) for t in ("gpu_aliases", "gpu_specs", "price_confirmations")),
    ],
    group_name="prices",
    kinds={"duckdb", "polars"},
    pool=WAREHOUSE_POOL,
    owners=OWNERS,
    automation_condition=on_any_input_update(),
    check_specs=check_specs(GPU_PRICES, PRICE_CHECKS),
    description=(
        "Every GPU offer from every price source in one shape: canonical gpu_model (from core.gpu_aliases), "
        "gpu_count, pricing (on_demand / spot / committed), price_per_hour_usd and price_per_gpu_hour_usd, and "
        "price_per_pflop_hour_usd (per PFLOP/s of dense BF16 peak, so generations compare on the work they do). "
        "Each source's newest snapshot is (re)normalized; older days stay as they were. Prices implausible for their "
        "GPU model, or more than 5x off the source's last accepted price, are kept but held out of the marts "
        "(held_reason) until confirmed in assets/reference/data/price_confirmations.csv. Today's state, each offer "
        "once with the first-party choice made, is written beside it (core.gpu_prices_current)."
    ),
)
def gpu_prices(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    with warehouse.writer() as con:
        built = build_gpu_prices(con, PRICE_SOURCES)
    for name in built.missing:
        context.log.warning(f"{name}: no raw data yet")
    current = built.current
    cheapest = (
        current.filter(
            pl.col("preferred")
            & pl.col("gpu_model").is_not_null()
            & (pl.col("pricing") == "on_demand")
            & (pl.col("price_basis") == "instance")
        )
        .sort("price_per_gpu_hour_usd")
        .unique("gpu_model", keep="first", maintain_order=True)
        .select("gpu_model", "price_per_gpu_hour_usd", "provider", "region", "instance_type", "source", "origin")
    )
    yield dg.MaterializeResult(
        metadata={
            **table_metadata(current, "core.gpu_prices"),
            "current_rows": current.height,
            "offers_in_marts": current.filter(pl.col("preferred")).height,
            "sources_written": dg.MetadataValue.json({k: v.isoformat() for k, v in built.written.items()}),
            "unknown_gpu_rows": current.filter(pl.col("gpu_model").is_null()).height,
            "held_rows": current.filter(pl.col("held_reason").is_not_null()).height,
            "cheapest_on_demand_per_gpu_hour": dg.MetadataValue.md(markdown_preview(cheapest, rows=40)),
        },
        data_version=dg.DataVersion(built.version),
    )
    for outcome in built.checks:
        yield check_result(outcome, GPU_PRICES)


@dg.asset(
    key=["marts", "gpu_prices_daily"],
    deps=[GPU_PRICES],
    group_name="prices",
    kinds={"duckdb", "polars"},
    pool=WAREHOUSE_POOL,
    owners=OWNERS,
    automation_condition=on_any_input_update(),
    description=(
        "The GPU market per day, GPU model and pricing: cheapest, p10 and median $/GPU-hour over every offer on the "
        "market that day (each offer once, with its price as last seen on or before the day while its source keeps "
        "publishing), offers, providers, and where the cheapest was. Appended as prices land; only the days a new "
        "snapshot can change are recomputed."
    ),
)
def gpu_prices_daily(warehouse: WarehouseResource) -> dg.MaterializeResult:
    now = utc_now()
    with warehouse.writer() as con:
        built = build_gpu_prices_daily(con, PRICE_SOURCES, today=now.date(), computed_at=now)
    shown = built.rows.sort("snapshot_date", descending=True) if built.rows.height else built.rows
    return dg.MaterializeResult(
        metadata={
            **table_metadata(shown, "marts.gpu_prices_daily"),
            "days_computed": dg.MetadataValue.json([d.isoformat() for d in built.days]),
        },
        data_version=dg.DataVersion(built.version),
    )


price_assets = [gpu_prices, gpu_prices_daily]

"""GPU price assets: one raw asset per source, the canonical core.gpu_prices, and their checks."""

import dagster as dg
import polars as pl

from assets.automation import on_input_change
from assets.ingest import build_freshness_check, build_ingest_asset
from assets.metadata import OWNERS, content_version, markdown_preview, table_metadata
from assets.prices import aws, azure, gcp, gpuhunt, lambda_page, runpod, skypilot, vast
from assets.prices.gpu_names import price_rows
from assets.resources import WAREHOUSE_POOL, WarehouseResource
from warehouse import prices, queries, replace_snapshot

PRICE_SOURCES = (
    skypilot.SOURCE,
    gcp.SOURCE,
    lambda_page.SOURCE,
    runpod.SOURCE,
    vast.SOURCE,
    aws.SOURCE,
    azure.SOURCE,
    gpuhunt.SOURCE,
)
price_ingest_assets = [build_ingest_asset(source, group="prices") for source in PRICE_SOURCES]
RAW_PRICE_KEYS = [dg.AssetKey(["raw", source.table]) for source in PRICE_SOURCES]


@dg.asset(
    key=["core", "gpu_prices"],
    deps=[*RAW_PRICE_KEYS, dg.AssetKey(["core", "gpu_aliases"]), dg.AssetKey(["core", "gpu_specs"])],
    group_name="prices",
    kinds={"duckdb", "polars"},
    pool=WAREHOUSE_POOL,
    owners=OWNERS,
    automation_condition=on_input_change(),
    description=(
        "Every GPU offer from every price source in one shape: canonical gpu_model (from core.gpu_aliases), "
        "gpu_count, pricing (on_demand / spot), price_per_hour_usd and price_per_gpu_hour_usd, and "
        "price_per_pflop_hour_usd (per PFLOP/s of dense BF16 peak, so generations compare on the work they do). "
        "Each source's newest snapshot is (re)normalized; older days stay as they were."
    ),
)
def gpu_prices(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    written = []
    with warehouse.writer() as con:
        aliases = queries.read_table(con, "core.gpu_aliases")
        specs = queries.read_table(con, "core.gpu_specs")
        for source in PRICE_SOURCES:
            day = queries.latest_snapshot_date(con, source.raw_table, source.name)
            if day is None:
                context.log.warning(f"{source.name}: no data in {source.raw_table} yet")
                continue
            rows = price_rows(source.normalize(queries.snapshot_slice(con, source.raw_table, source.name, day)), aliases, specs)
            replace_snapshot(con, "core.gpu_prices", rows, source=source.name, snapshot_date=day)
            written.append(rows)
        latest = prices.newest_gpu_prices(con)
    frame = pl.concat(written) if written else latest
    unknown = latest.filter(pl.col("gpu_model").is_null())
    return dg.MaterializeResult(
        metadata={
            **table_metadata(latest.drop("age_days"), "core.gpu_prices"),
            "latest_rows": latest.height,
            "rows_written": frame.height,
            "unknown_gpu_rows": unknown.height,
            "cheapest_on_demand_per_gpu_hour": dg.MetadataValue.md(
                markdown_preview(
                    latest.filter(pl.col("gpu_model").is_not_null() & (pl.col("pricing") == "on_demand") & (pl.col("price_basis") == "instance"))
                    .sort("price_per_gpu_hour_usd").unique("gpu_model", keep="first", maintain_order=True)
                    .select("gpu_model", "price_per_gpu_hour_usd", "provider", "region", "instance_type", "origin"),
                    rows=40,
                )
            ),
        },
        # the same rows (whenever fetched) give the same version, so unchanged prices recompute nothing downstream
        data_version=dg.DataVersion(content_version(latest.drop("age_days"), ("fetched_at",))),
    )


@dg.asset_check(asset=gpu_prices, blocking=True, description="Every price is positive and per-GPU prices follow from per-instance prices.")
def gpu_prices_positive(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.reader() as con:
        latest = prices.newest_gpu_prices(con)
    bad = latest.filter(~(pl.col("price_per_hour_usd") > 0) | ~(pl.col("price_per_gpu_hour_usd") > 0) | ~(pl.col("gpu_count") > 0))
    return dg.AssetCheckResult(passed=bad.is_empty(), metadata={"bad_rows": bad.height, "sample": dg.MetadataValue.md(markdown_preview(bad))})


@dg.asset_check(asset=gpu_prices, blocking=True, description="One row per (source, provider, region, instance_type, pricing, commitment_term) in each snapshot.")
def gpu_prices_unique(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.reader() as con:
        latest = prices.newest_gpu_prices(con)
    key = ["source", "provider", "region", "instance_type", "pricing", "commitment_term", "snapshot_date"]
    dupes = latest.filter(pl.struct(key).is_duplicated())
    return dg.AssetCheckResult(passed=dupes.is_empty(), metadata={"duplicate_rows": dupes.height, "sample": dg.MetadataValue.md(markdown_preview(dupes.select(key)))})


@dg.asset_check(asset=gpu_prices, description="GPU names no alias maps to a canonical model: kept with gpu_model NULL, listed here so the alias table can grow.")
def gpu_prices_unknown_gpus(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.reader() as con:
        latest = prices.newest_gpu_prices(con)
    unknown = (
        latest.filter(pl.col("gpu_model").is_null())
        .group_by("source", "provider", "gpu_name_raw").agg(pl.len().alias("rows"), pl.col("instance_type").first().alias("example_instance"))
        .sort("rows", descending=True)
    )
    return dg.AssetCheckResult(
        passed=unknown.is_empty(),
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"unknown_names": unknown.height, "unknown_rows": int(unknown["rows"].sum()), "names": dg.MetadataValue.md(markdown_preview(unknown, rows=50))},
    )


@dg.asset_check(
    asset=dg.AssetKey(["raw", azure.SOURCE.table]),
    description="Azure GPU SKUs with a Linux hourly price that assets/prices/data/azure_gpu_skus.csv does not map: "
    "without a GPU count they stay out of core.gpu_prices, so they are listed here for the map to grow.",
)
def azure_unmapped_gpu_skus(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.reader() as con:
        day = queries.latest_snapshot_date(con, azure.SOURCE.raw_table, azure.NAME)
        raw = queries.snapshot_slice(con, azure.SOURCE.raw_table, azure.NAME, day) if day else None
    unmapped = azure.unmapped_skus(raw) if raw is not None else pl.DataFrame()
    return dg.AssetCheckResult(
        passed=unmapped.is_empty(),
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"unmapped_skus": unmapped.height, "skus": dg.MetadataValue.md(markdown_preview(unmapped, rows=50))},
    )


price_assets = [*price_ingest_assets, gpu_prices]
price_checks = [
    gpu_prices_positive, gpu_prices_unique, gpu_prices_unknown_gpus, azure_unmapped_gpu_skus,
    *(build_freshness_check(s) for s in PRICE_SOURCES),
]

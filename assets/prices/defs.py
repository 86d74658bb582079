"""GPU price assets: one raw asset per source, the canonical core.gpu_prices, and their checks."""

import dagster as dg
import polars as pl

from assets.automation import on_any_input_update
from assets.ingest_defs import build_freshness_check, build_ingest_asset
from assets.metadata import OWNERS, markdown_preview, table_metadata
from assets.prices import azure
from assets.prices.gpu_names import price_rows
from assets.prices.quality import BAND_FACTOR, confirmed, hold_reasons, plausible_bands
from assets.resources import WAREHOUSE_POOL, WarehouseResource
from assets.sources import PRICE_SOURCES
from assets.versions import content_version
from warehouse import prices, queries, replace_snapshot

price_ingest_assets = [build_ingest_asset(source, group="prices") for source in PRICE_SOURCES]
RAW_PRICE_KEYS = [dg.AssetKey(["raw", source.table]) for source in PRICE_SOURCES]


@dg.asset(
    key=["core", "gpu_prices"],
    deps=[*RAW_PRICE_KEYS, *(dg.AssetKey(["core", t]) for t in ("gpu_aliases", "gpu_specs", "price_confirmations"))],
    group_name="prices",
    kinds={"duckdb", "polars"},
    pool=WAREHOUSE_POOL,
    owners=OWNERS,
    automation_condition=on_any_input_update(),
    description=(
        "Every GPU offer from every price source in one shape: canonical gpu_model (from core.gpu_aliases), "
        "gpu_count, pricing (on_demand / spot), price_per_hour_usd and price_per_gpu_hour_usd, and "
        "price_per_pflop_hour_usd (per PFLOP/s of dense BF16 peak, so generations compare on the work they do). "
        "Each source's newest snapshot is (re)normalized; older days stay as they were. Prices implausible for their "
        "GPU model, or more than 5x off the source's previous day, are kept but held out of the marts (held_reason) "
        "until confirmed in assets/reference/data/price_confirmations.csv."
    ),
)
def gpu_prices(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    with warehouse.writer() as con:
        aliases = queries.read_table(con, "core.gpu_aliases")
        specs = queries.read_table(con, "core.gpu_specs")
        confirmations = queries.read_table(con, "core.price_confirmations")
        slices = []
        for source in PRICE_SOURCES:
            day = queries.latest_snapshot_date(con, source.raw_table, source.name)
            if day is None:
                context.log.warning(f"{source.name}: no data in {source.raw_table} yet")
                continue
            slices.append(
                (
                    source,
                    day,
                    price_rows(
                        source.normalize(queries.snapshot_slice(con, source.raw_table, source.name, day)),
                        aliases,
                        specs,
                    ),
                )
            )
        # plausible bands come from every source's current rows together, so one source's glitch stands out
        bands = plausible_bands(pl.concat([rows for _, _, rows in slices])) if slices else None
        written = []
        for source, day, rows in slices:
            rows = hold_reasons(rows, prices.last_accepted_prices(con, source.name, day), bands, confirmations)
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
            "held_rows": latest.filter(pl.col("held_reason").is_not_null()).height,
            "cheapest_on_demand_per_gpu_hour": dg.MetadataValue.md(
                markdown_preview(
                    latest.filter(
                        pl.col("gpu_model").is_not_null()
                        & (pl.col("pricing") == "on_demand")
                        & (pl.col("price_basis") == "instance")
                    )
                    .sort("price_per_gpu_hour_usd")
                    .unique("gpu_model", keep="first", maintain_order=True)
                    .select("gpu_model", "price_per_gpu_hour_usd", "provider", "region", "instance_type", "origin"),
                    rows=40,
                )
            ),
        },
        # the same prices (whenever fetched, whatever a held row's reason text says) give the same version,
        # so a daily re-stamp of unchanged prices recomputes no cost
        data_version=dg.DataVersion(content_version(latest.with_columns(pl.col("held_reason").is_not_null()))),
    )


@dg.asset_check(
    asset=gpu_prices,
    blocking=True,
    description="Every price is positive and per-GPU prices follow from per-instance prices.",
)
def gpu_prices_positive(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.reader() as con:
        latest = prices.newest_gpu_prices(con)
    bad = latest.filter(
        ~(pl.col("price_per_hour_usd") > 0) | ~(pl.col("price_per_gpu_hour_usd") > 0) | ~(pl.col("gpu_count") > 0)
    )
    return dg.AssetCheckResult(
        passed=bad.is_empty(), metadata={"bad_rows": bad.height, "sample": dg.MetadataValue.md(markdown_preview(bad))}
    )


@dg.asset_check(
    asset=gpu_prices,
    blocking=True,
    description="One row per (source, provider, region, instance_type, pricing, commitment_term) in each snapshot.",
)
def gpu_prices_unique(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.reader() as con:
        latest = prices.newest_gpu_prices(con)
    key = ["source", "provider", "region", "instance_type", "pricing", "commitment_term", "snapshot_date"]
    dupes = latest.filter(pl.struct(key).is_duplicated())
    return dg.AssetCheckResult(
        passed=dupes.is_empty(),
        metadata={"duplicate_rows": dupes.height, "sample": dg.MetadataValue.md(markdown_preview(dupes.select(key)))},
    )


@dg.asset_check(
    asset=gpu_prices,
    description="GPU names no alias maps to a canonical model: kept with gpu_model NULL, listed here so the alias "
    "table can grow.",
)
def gpu_prices_unknown_gpus(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.reader() as con:
        latest = prices.newest_gpu_prices(con)
    unknown = (
        latest.filter(pl.col("gpu_model").is_null())
        .group_by("source", "provider", "gpu_name_raw")
        .agg(pl.len().alias("rows"), pl.col("instance_type").first().alias("example_instance"))
        .sort("rows", descending=True)
    )
    return dg.AssetCheckResult(
        passed=unknown.is_empty(),
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "unknown_names": unknown.height,
            "unknown_rows": int(unknown["rows"].sum()),
            "names": dg.MetadataValue.md(markdown_preview(unknown, rows=50)),
        },
    )


@dg.asset_check(
    asset=gpu_prices,
    blocking=True,
    description=f"No price in the marts is implausible: each is within {BAND_FACTOR:g}x of its GPU model's median "
    "over current offers (implausible rows are held out; this guards that none slips through).",
)
def gpu_prices_plausible(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.reader() as con:
        bands = plausible_bands(prices.newest_gpu_prices(con))  # the bands the core asset held rows against
        marts = queries.latest_gpu_prices(con)
        confirmations = queries.read_table(con, "core.price_confirmations")
    out_of_band = marts.join(bands, on="gpu_model", how="inner").filter(
        ~pl.col("price_per_gpu_hour_usd").is_between(
            pl.col("band_low_usd_per_gpu_hour"), pl.col("band_high_usd_per_gpu_hour")
        )
    )
    leaked = out_of_band.filter(~confirmed(out_of_band, confirmations))
    return dg.AssetCheckResult(
        passed=leaked.is_empty(),
        metadata={
            "implausible_rows_in_marts": leaked.height,
            "leaked": dg.MetadataValue.md(
                markdown_preview(
                    leaked.select(
                        "source", "provider", "region", "instance_type", "gpu_model", "price_per_gpu_hour_usd"
                    )
                )
            ),
            "bands": dg.MetadataValue.md(markdown_preview(bands.sort("gpu_model"), rows=60)),
        },
    )


@dg.asset_check(
    asset=gpu_prices,
    blocking=True,
    description="Units and kinds are consistent: USD only, known pricing and basis, $/GPU-hour = $/hour / GPU count, a "
    "term only on committed prices.",
)
def gpu_prices_units(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.reader() as con:
        latest = prices.newest_gpu_prices(con)
    problems = {
        "currency is not USD": pl.col("currency") != "USD",
        "unknown pricing kind": ~pl.col("pricing").is_in(["on_demand", "spot", "committed"]),
        "unknown price basis": ~pl.col("price_basis").is_in(["instance", "gpu_only"]),
        "per-GPU price does not follow from the instance price": (
            (pl.col("price_per_gpu_hour_usd") * pl.col("gpu_count") - pl.col("price_per_hour_usd")).abs()
            > 1e-6 * pl.col("price_per_hour_usd")
        ),
        "commitment term without committed pricing, or the reverse": (pl.col("pricing") == "committed")
        != pl.col("commitment_term").is_not_null(),
    }
    counts = {name: latest.filter(expr.fill_null(True)).height for name, expr in problems.items()}
    return dg.AssetCheckResult(passed=not any(counts.values()), metadata={name: n for name, n in counts.items()})


@dg.asset_check(
    asset=gpu_prices,
    description="Prices held out of the marts (implausible, or a >5x day-over-day jump), with the confirmation line "
    "that would release each.",
)
def gpu_prices_held(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.reader() as con:
        held = prices.held_gpu_prices(con)
    return dg.AssetCheckResult(
        passed=held.is_empty(),
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"held_rows": held.height, "held": dg.MetadataValue.md(markdown_preview(held, rows=50))},
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
    gpu_prices_positive,
    gpu_prices_unique,
    gpu_prices_plausible,
    gpu_prices_units,
    gpu_prices_held,
    gpu_prices_unknown_gpus,
    azure_unmapped_gpu_skus,
    *(build_freshness_check(s) for s in PRICE_SOURCES),
]

"""The Dagster side of ingestion: one step that fetches every selected source at once, and the source checks.

Every source is its own asset (raw/<table>), so the UI shows each one's data, failure and freshness;
they are materialized by one multi-asset step (`ingest_sources`) that runs the sources concurrently
(assets/ingest.py), each within its deadline, and writes them one at a time. A source that fails does
not stop the others: its asset is left unmaterialized in that run (shown as failed), its last good
data stays, and the step ends failed after every other source was written.
"""

import dagster as dg
import polars as pl

from assets.checks import CheckSpec
from assets.energy import eia
from assets.energy.build import EIA_COVERAGE, eia_state_coverage, newest_raw
from assets.ingest import IngestOutcome, ingest_sources
from assets.metadata import OWNERS, check_result, table_metadata
from assets.prices import azure
from assets.resources import WAREHOUSE_POOL, IngestSettings, WarehouseResource
from assets.source import Source
from assets.sources import SOURCES, domain
from warehouse import queries

# Listeners told about each source as it finishes (the CLI prints a line per source); in-process runs only.
PROGRESS: list = []


def raw_key(source: Source) -> dg.AssetKey:
    return dg.AssetKey(["raw", source.table])


def _spec(source: Source) -> dg.AssetSpec:
    return dg.AssetSpec(
        key=raw_key(source),
        group_name=domain(source),
        kinds=set(source.kinds),
        owners=OWNERS,
        description=source.description,
        tags={"source": source.name},
        skippable=True,
    )


def _materialization(outcome: IngestOutcome, urls: dict) -> dg.MaterializeResult:
    result, source = outcome.result, outcome.source
    placeholders = {"placeholder_prices_dropped": source.placeholders(result.frame)} if source.placeholders else {}
    return dg.MaterializeResult(
        asset_key=raw_key(source),
        metadata={
            **table_metadata(result.frame, source.raw_table),
            **placeholders,
            "origin": result.origin,
            "snapshot_date": result.snapshot_date.isoformat(),
            "status": result.status,
            "message": result.message,
            "seconds": round(outcome.seconds, 2),
            "base_urls": dg.MetadataValue.json(urls),
        },
        data_version=dg.DataVersion(result.data_version),
    )


@dg.multi_asset(
    name="ingest_sources",
    specs=[_spec(s) for s in SOURCES],
    can_subset=True,
    pool=WAREHOUSE_POOL,
    description="Fetch every selected price and energy source at once, each within its deadline; write each source's "
    "day into its raw table as it arrives. A failing source keeps its last good data and fails alone.",
)
def ingest_sources_asset(context: dg.AssetExecutionContext, warehouse: WarehouseResource, ingest: IngestSettings):
    chosen = [s for s in SOURCES if raw_key(s) in context.selected_asset_keys]
    config = ingest.config()

    def tell(outcome: IngestOutcome) -> None:
        if outcome.ok:
            context.log.info(f"{outcome.source.name}: {outcome.result.message} ({outcome.seconds:.1f} s)")
        elif outcome.failed:
            context.log.error(outcome.error)
        for listener in PROGRESS:
            listener(outcome)

    outcomes = ingest_sources(chosen, warehouse, config, on_done=tell)
    for outcome in outcomes:
        if outcome.ok:
            if outcome.result.status == "snapshot":
                context.log.warning(outcome.result.message)
            yield _materialization(outcome, config.urls(outcome.source.base_urls))
        elif outcome.skipped:
            context.log.info(outcome.skipped)
    failed = [o for o in outcomes if o.failed]
    if failed:
        raise dg.Failure(
            description=f"{len(failed)} of {len(outcomes)} source(s) failed; their last good data was kept:\n"
            + "\n".join(o.error for o in failed),
            metadata={o.source.name: o.error for o in failed},
            allow_retries=False,
        )


def _fresh_spec(source: Source) -> CheckSpec:
    days = source.expected_interval.days + 1
    return CheckSpec(
        f"{source.table}_fresh",
        f"{source.name} holds live data at most {days} day(s) old (it publishes every "
        f"{source.expected_interval.days} day(s)).",
        warn=True,
    )


AZURE_UNMAPPED = CheckSpec(
    "azure_unmapped_gpu_skus",
    "Azure GPU SKUs with a Linux hourly price that assets/prices/data/azure_gpu_skus.csv does not map: without a GPU "
    "count they stay out of core.gpu_prices, so they are listed here for the map to grow.",
    warn=True,
)


def _freshness(source: Source, status: pl.DataFrame):
    spec = _fresh_spec(source)
    row = status.filter(pl.col("source") == source.name)
    if row.is_empty():
        return spec.outcome(False, f"{source.name} has never been ingested")
    row = row.row(0, named=True)
    allowed = source.expected_interval.days + 1
    age = row["data_age_days"]
    passed = row["data_origin"] == "live" and age is not None and age <= allowed and row["last_status"] != "failed"
    origin = row["data_origin"] or "no data"
    return spec.outcome(
        passed,
        f"{source.name}: data is {age} day(s) old ({origin}, allowed {allowed}); last attempt {row['last_status']}",
        data_age_days=age if age is not None else -1,
        data_origin=origin,
        data_snapshot_date=str(row["data_snapshot_date"]),
        last_status=row["last_status"],
        last_message=row["last_message"] or "",
    )


SOURCE_CHECKS = {
    **{_fresh_spec(s).name: (s, _fresh_spec(s)) for s in SOURCES},
    AZURE_UNMAPPED.name: (azure.SOURCE, AZURE_UNMAPPED),
    EIA_COVERAGE.name: (eia.SOURCE, EIA_COVERAGE),
}


@dg.multi_asset_check(
    specs=[
        dg.AssetCheckSpec(spec.name, asset=raw_key(source), description=spec.description)
        for source, spec in SOURCE_CHECKS.values()
    ],
    can_subset=True,
    name="source_checks",
    # it reads the warehouse file: while another run's process writes it, a read-only open fails, so it waits in the
    # writers' pool like they do
    pool=WAREHOUSE_POOL,
)
def source_checks(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource):
    """Every source's freshness (and two sources' coverage), from one read of the source log."""
    wanted = {key.name for key in context.selected_asset_check_keys}
    with warehouse.reader() as con:
        status = queries.source_status(con)
        azure_raw = newest_raw(con, azure.SOURCE) if AZURE_UNMAPPED.name in wanted else None
        eia_raw = newest_raw(con, eia.SOURCE) if EIA_COVERAGE.name in wanted else None
    for name in sorted(wanted):
        source, spec = SOURCE_CHECKS[name]
        if spec is AZURE_UNMAPPED:
            unmapped = azure.unmapped_skus(azure_raw) if azure_raw is not None else pl.DataFrame()
            outcome = spec.outcome(
                unmapped.is_empty(),
                f"{unmapped.height} Azure GPU SKU(s) unmapped",
                unmapped,
                unmapped_skus=unmapped.height,
            )
        elif spec is EIA_COVERAGE:
            outcome = eia_state_coverage(eia_raw)
        else:
            outcome = _freshness(source, status)
        yield check_result(outcome, raw_key(source))

"""The Dagster side of ingestion: one asset per source, and each source's freshness check."""

import dagster as dg
import polars as pl

from assets.ingest import SourceFailed, ingest_source
from assets.metadata import OWNERS, table_metadata
from assets.resources import WAREHOUSE_POOL, IngestSettings, WarehouseResource
from assets.source import Source
from warehouse import queries


def build_ingest_asset(source: Source, group: str) -> dg.AssetsDefinition:
    """The raw/<table> asset for a source."""

    @dg.asset(
        key=["raw", source.table],
        group_name=group,
        kinds=set(source.kinds),
        pool=WAREHOUSE_POOL,
        owners=OWNERS,
        description=source.description,
        tags={"source": source.name},
    )
    def _ingest(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource, ingest: IngestSettings
    ) -> dg.MaterializeResult:
        try:
            result = ingest_source(source, warehouse, ingest)
        except SourceFailed as failed:
            raise dg.Failure(description=str(failed), allow_retries=False) from failed
        if result.status == "snapshot":
            context.log.warning(result.message)
        return dg.MaterializeResult(
            metadata={
                **table_metadata(result.frame, source.raw_table),
                "origin": result.origin,
                "snapshot_date": result.snapshot_date.isoformat(),
                "status": result.status,
                "message": result.message,
                "base_urls": dg.MetadataValue.json(ingest.urls(source.base_urls)),
            },
            data_version=dg.DataVersion(result.data_version),
        )

    return _ingest


def build_freshness_check(source: Source) -> dg.AssetChecksDefinition:
    """Is this source's data live and recent? Warns (never blocks: stale data is kept and used, and says so)."""
    allowed_days = source.expected_interval.days + 1

    @dg.asset_check(
        asset=dg.AssetKey(["raw", source.table]),
        name=f"{source.table}_fresh",
        blocking=False,
        description=f"{source.name} holds live data at most {allowed_days} day(s) old (it publishes every "
        f"{source.expected_interval.days} day(s)).",
    )
    def _fresh(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        with warehouse.reader() as con:
            status = queries.source_status(con).filter(pl.col("source") == source.name)
        if status.is_empty():
            return dg.AssetCheckResult(
                passed=False, severity=dg.AssetCheckSeverity.WARN, description=f"{source.name} has never been ingested"
            )
        row = status.row(0, named=True)
        age = row["data_age_days"]
        passed = (
            row["data_origin"] == "live" and age is not None and age <= allowed_days and row["last_status"] != "failed"
        )
        return dg.AssetCheckResult(
            passed=passed,
            severity=dg.AssetCheckSeverity.WARN,
            description=None
            if passed
            else f"{source.name}: data is {age} day(s) old ({row['data_origin']}); last attempt {row['last_status']}",
            metadata={
                "data_age_days": age if age is not None else -1,
                "data_origin": row["data_origin"] or "",
                "data_snapshot_date": str(row["data_snapshot_date"]),
                "last_status": row["last_status"],
                "last_message": row["last_message"] or "",
            },
        )

    return _fresh

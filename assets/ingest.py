"""Ingest any source into its raw table: live first, offline honest.

One asset factory for every source. Live data when the source answers; when it
does not, the asset fails with the source's own error and the warehouse keeps its
last good data (the source shows as stale). Only when the warehouse has nothing
at all for a source does the run bootstrap from the snapshot bundled in the repo,
and every such row says so in `origin`.
"""

import datetime as dt
from dataclasses import dataclass

import dagster as dg
import polars as pl

import warehouse
from assets.errors import SourceError
from assets.metadata import OWNERS, content_version, table_metadata
from assets.resources import WAREHOUSE_POOL, IngestSettings, WarehouseResource
from assets.source import Source
from warehouse import queries


@dataclass(frozen=True)
class IngestResult:
    frame: pl.DataFrame
    status: str  # live | snapshot
    origin: str
    snapshot_date: dt.date
    message: str
    data_version: str


class SourceFailed(RuntimeError):
    """The source could not be ingested; its last good data stays in the warehouse."""


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def parse_payloads(source: Source, payloads: dict[str, bytes]) -> pl.DataFrame:
    """Parse, turning any surprise in the response into an error that names the source."""
    try:
        frame = source.parse(payloads)
    except SourceError:
        raise
    except Exception as exc:  # a parser meeting a changed format must still say which source broke
        raise SourceError(source.name, f"could not parse the response: {exc.__class__.__name__}: {exc}") from exc
    if frame.is_empty():
        raise SourceError(source.name, "the response parsed to no rows")
    return frame


def _with_meta(
    frame: pl.DataFrame, source: Source, snapshot_date: dt.date, fetched_at: dt.datetime, origin: str
) -> pl.DataFrame:
    return frame.with_columns(
        pl.lit(source.name).alias("source"),
        pl.lit(snapshot_date).alias("snapshot_date"),
        pl.lit(fetched_at).alias("fetched_at"),
        pl.lit(origin).alias("origin"),
    )


def ingest_source(
    source: Source, store: WarehouseResource, settings: IngestSettings, now: dt.datetime | None = None
) -> IngestResult:
    """Fetch (or bootstrap) one source and replace its slice for the day in its raw table."""
    now = now or utc_now()
    frame = None
    if settings.offline:
        reason = f"{source.name}: offline mode: using the bundled snapshot"
    else:
        try:
            frame = parse_payloads(source, source.fetch(settings.client(source.name), settings.urls(source.base_urls)))
        except SourceError as err:
            with store.writer() as con:
                last = queries.latest_snapshot_date(con, source.raw_table, source.name)
                if last is not None:
                    warehouse.record_source_run(
                        con, source=source.name, status="failed", attempted_at=now, message=str(err)
                    )
            if last is not None:
                raise SourceFailed(f"{err}. The warehouse keeps its last good data from {last} (now stale).") from err
            reason = f"{err}. No data yet for {source.name}: bootstrapped from the bundled snapshot"

    if frame is None:
        captured = source.snapshot.captured
        frame = parse_payloads(source, source.snapshot.payloads())
        status, origin, snapshot_date = "snapshot", f"snapshot:{captured.isoformat()}", captured
        message = f"{reason} captured {captured.isoformat()}."
    else:
        status, origin, snapshot_date = "live", "live", now.date()
        message = f"{source.name}: {frame.height} rows live"

    frame = _with_meta(frame, source, snapshot_date, now, origin)
    with store.writer() as con:
        warehouse.replace_snapshot(con, source.raw_table, frame, source=source.name, snapshot_date=snapshot_date)
        warehouse.record_source_run(
            con,
            source=source.name,
            status=status,
            attempted_at=now,
            origin=origin,
            snapshot_date=snapshot_date,
            row_count=frame.height,
            message=message,
        )
    return IngestResult(frame, status, origin, snapshot_date, message, content_version(frame, source.version_ignores))


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

"""Ingest any source into its raw table: live first, offline honest. No Dagster here.

Live data when the source answers; when it does not, the source fails with its own
error and the warehouse keeps its last good data (the source shows as stale). Only
when the warehouse has nothing at all for a source does the run bootstrap from the
snapshot bundled in the repo, and every such row says so in `origin`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

import warehouse
from assets.errors import SourceError
from assets.source import Source
from assets.versions import content_version, utc_now
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


def ingest_source(source: Source, store, settings, now: dt.datetime | None = None) -> IngestResult:
    """Fetch (or bootstrap) one source and replace its slice for the day in its raw table.

    `store` has writer() (a warehouse.Warehouse, or the Dagster resource); `settings` has offline,
    client(name) and urls(defaults) (assets.settings.IngestConfig, or the Dagster resource).
    """
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

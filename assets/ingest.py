"""Ingest sources into their raw tables: live first, offline honest, concurrently, each within its deadline.

No Dagster here. Live data when a source answers; when it does not, the source fails with its own
error and the warehouse keeps its last good data (the source shows as stale). Only when the
warehouse has nothing at all for a source does it bootstrap from the snapshot bundled in the repo,
and every such row says so in `origin`.

Independent sources are fetched and parsed at the same time, each in its own thread with a total
deadline (connect + every request + body + parse), so one slow or stuck source fails alone and
delays no other. Warehouse writes stay one at a time, in the calling thread.
"""

from __future__ import annotations

import datetime as dt
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

import warehouse
from assets.errors import SourceError
from assets.source import Source
from assets.versions import content_version, utc_now
from warehouse import snapshots


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


@dataclass(frozen=True)
class IngestOutcome:
    """What happened to one source in a run: its result, or why it failed (or was skipped), and how long it took."""

    source: Source
    result: IngestResult | None
    error: str | None
    seconds: float
    skipped: str | None = None  # why it did not run (its API key is not set): neither data nor a failure

    @property
    def ok(self) -> bool:
        return self.result is not None

    @property
    def failed(self) -> bool:
        return self.result is None and self.skipped is None


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


def fetch_live(source: Source, settings) -> pl.DataFrame:
    """Fetch and parse one source live (raises SourceError). The HTTP client carries the source's deadline."""
    client = settings.client(source.name, deadline_s=settings.deadline_for(source))
    try:
        return parse_payloads(source, source.fetch(client, settings.urls(source.base_urls)))
    finally:
        client.close()


def store_result(
    source: Source, store, frame: pl.DataFrame | None, error: SourceError | None, reason: str | None, now: dt.datetime
) -> IngestResult:
    """Write what a fetch gave: live rows; or, on failure, keep the last good data (raises SourceFailed) or, with no
    data at all yet, bootstrap from the bundled snapshot. `reason` says why a snapshot is used (offline mode)."""
    if frame is None and error is not None:
        with store.writer() as con:
            last = snapshots.newest_date(con, source.raw_table, source.name)
            if last is not None:
                warehouse.record_source_run(
                    con, source=source.name, status="failed", attempted_at=now, message=str(error)
                )
        if last is not None:
            raise SourceFailed(f"{error}. The warehouse keeps its last good data from {last} (now stale).") from error
        reason = f"{error}. No data yet for {source.name}: bootstrapped from the bundled snapshot"
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


def ingest_source(source: Source, store, settings, now: dt.datetime | None = None) -> IngestResult:
    """Fetch (or bootstrap) one source and replace its slice for the day in its raw table.

    `store` has writer() (a warehouse.Warehouse, or the Dagster resource); `settings` has offline,
    client(name, deadline_s), urls(defaults) and deadline_for(source) (assets.settings.IngestConfig,
    or the Dagster resource).
    """
    now = now or utc_now()
    if settings.offline:
        return store_result(source, store, None, None, f"{source.name}: offline mode: using the bundled snapshot", now)
    try:
        frame = fetch_live(source, settings)
    except SourceError as err:
        return store_result(source, store, None, err, None, now)
    return store_result(source, store, frame, None, None, now)


# How long past its deadline a source's thread may take to notice it before the run stops waiting for it.
DEADLINE_GRACE_S = 1.0


def ingest_sources(
    sources: tuple[Source, ...] | list[Source],
    store,
    settings,
    *,
    now: dt.datetime | None = None,
    on_done: Callable[[IngestOutcome], None] | None = None,
) -> list[IngestOutcome]:
    """Ingest independent sources concurrently; each fails alone, within its deadline; writes one at a time.

    Fetching and parsing run in daemon threads (a parser stuck past its deadline is abandoned, never
    waited for); each result is written here, in the caller's thread, as soon as it arrives.
    `on_done` hears about every source as it finishes (for progress lines).
    """
    now = now or utc_now()
    outcomes = []
    # a source that cannot run as configured (no API key) is skipped, never fetched; offline, its snapshot serves
    skipped = {s.name: reason for s in sources if not settings.offline and (reason := s.skip_reason()) is not None}
    for source in sources:
        if source.name in skipped:
            outcomes.append(_skip(source, store, skipped[source.name], now, on_done))
    results: queue.Queue = queue.Queue()
    started = {source.name: time.monotonic() for source in sources}
    pending = {s.name: s for s in sources if s.name not in skipped}
    for source in pending.values():
        if settings.offline:
            results.put((source, None, None))
            continue

        def work(source=source):
            try:
                results.put((source, fetch_live(source, settings), None))
            except SourceError as err:
                results.put((source, None, err))
            except Exception as exc:  # a bug in a source must not take the others down
                results.put((source, None, SourceError(source.name, f"{exc.__class__.__name__}: {exc}")))

        threading.Thread(target=work, name=f"ingest-{source.name}", daemon=True).start()

    while pending:
        overdue = {
            name: started[name] + settings.deadline_for(s) + DEADLINE_GRACE_S - time.monotonic()
            for name, s in pending.items()
        }
        wait = max(0.05, min(overdue.values()))
        try:
            source, frame, error = results.get(timeout=wait)
        except queue.Empty:
            for name, left in overdue.items():
                if left <= 0:
                    source = pending[name]
                    error = SourceError(
                        name,
                        f"still not done (fetching or parsing) when its {settings.deadline_for(source):g} s deadline "
                        "passed: abandoned",
                    )
                    outcomes.append(_settle(source, store, None, error, now, started, on_done))
                    del pending[name]
            continue
        if source.name not in pending:  # answered after it was given up on: too late
            continue
        del pending[source.name]
        outcomes.append(_settle(source, store, frame, error, now, started, on_done))
    return outcomes


def _skip(source: Source, store, reason: str, now: dt.datetime, on_done) -> IngestOutcome:
    """A source that cannot run as configured: logged as skipped, its data (if any) kept as it is."""
    with store.writer() as con:
        warehouse.record_source_run(con, source=source.name, status="skipped", attempted_at=now, message=reason)
    outcome = IngestOutcome(source, None, None, 0.0, skipped=reason)
    if on_done is not None:
        on_done(outcome)
    return outcome


def _settle(source, store, frame, error, now, started, on_done) -> IngestOutcome:
    reason = f"{source.name}: offline mode: using the bundled snapshot" if frame is None and error is None else None
    try:
        result, problem = store_result(source, store, frame, error, reason, now), None
    except SourceFailed as failed:
        result, problem = None, str(failed)
    except SourceError as err:  # the bundled snapshot itself would not parse
        result, problem = None, str(err)
    outcome = IngestOutcome(source, result, problem, time.monotonic() - started[source.name])
    if on_done is not None:
        on_done(outcome)
    return outcome

"""The price steps as plain functions over a warehouse connection: core/gpu_prices and marts/gpu_prices_daily.

Dagster (assets/prices/defs.py) and the plain script (tests/plain_run.py) call the same functions.
Each reads only today's slices (through meta.snapshots) and small state tables, never the history.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from assets.checks import CheckOutcome
from assets.energy import ecb
from assets.energy.tariffs import FX_SCHEMA
from assets.prices.checks import price_checks
from assets.prices.gpu_names import price_rows
from assets.prices.market import MARKET_GRACE, daily_stats, market_state, prefer, visible_on
from assets.prices.quality import hold_reasons, jump_baseline, plausible_bands, update_accepted
from assets.source import Source
from assets.versions import content_version
from warehouse import prices, queries, replace_snapshot, snapshots
from warehouse.write import transaction


@dataclass(frozen=True)
class PricesBuild:
    current: pl.DataFrame  # core.gpu_prices_current as written
    written: dict[str, dt.date]  # source -> the snapshot day (re)normalized
    missing: list[str]  # price sources with no raw data yet
    bands: pl.DataFrame
    checks: list[CheckOutcome]
    version: str


def first_party_map(sources: tuple[Source, ...]) -> dict[str, str]:
    """Source name -> the provider whose own prices it carries (from the registry)."""
    return {s.name: s.first_party_for for s in sources if s.first_party_for}


def newest_fx(con) -> pl.DataFrame:
    """The newest ECB reference rates (USD per unit of each currency), for prices published in another currency."""
    raw = snapshots.newest_slices(con, ecb.SOURCE.raw_table)
    fx = ecb.normalize(raw) if raw.height else pl.DataFrame(schema=FX_SCHEMA)
    return fx.filter(pl.col("fx_date") == pl.col("fx_date").max())


def build_gpu_prices(con, sources: tuple[Source, ...]) -> PricesBuild:
    """(Re)normalize each source's newest raw snapshot into core.gpu_prices, hold implausible rows, and rewrite
    today's state (core.gpu_prices_current, core.gpu_prices_accepted): one transaction, all or nothing."""
    aliases = queries.read_table(con, "core.gpu_aliases")
    specs = queries.read_table(con, "core.gpu_specs")
    confirmations = queries.read_table(con, "core.price_confirmations")
    fx = newest_fx(con)
    normalized, missing = [], []
    for source in sources:
        day = snapshots.newest_date(con, source.raw_table, source.name)
        if day is None:
            missing.append(source.name)
            continue
        raw = snapshots.slices(con, source.raw_table, {source.name: day})
        normalized.append((source, day, price_rows(source.normalize(raw), aliases, specs, fx)))
    # plausible bands come from every source's current rows together, so one source's glitch stands out
    bands = (
        plausible_bands(pl.concat([rows for _, _, rows in normalized]))
        if normalized
        else plausible_bands(pl.DataFrame(schema={"gpu_model": pl.String, "price_per_gpu_hour_usd": pl.Float64}))
    )
    held_rows = []
    with transaction(con):
        for source, day, rows in normalized:
            accepted = prices.accepted_prices(con, source.name)
            rows = hold_reasons(rows, jump_baseline(accepted, day), bands, confirmations)
            replace_snapshot(con, "core.gpu_prices", rows, source=source.name, snapshot_date=day)
            prices.replace_accepted(con, source.name, update_accepted(accepted, rows, day))
            held_rows.append(rows)
        current = (
            prefer(pl.concat(held_rows, how="diagonal_relaxed"), first_party_map(sources))
            if held_rows
            else prices.current_gpu_prices(con)
        )
        prices.replace_current(con, current)
    # the same prices (whenever fetched, whatever a held row's reason text says) give the same version,
    # so a daily re-stamp of unchanged prices recomputes no cost
    version = content_version(current.with_columns(pl.col("held_reason").is_not_null()))
    return PricesBuild(
        current=current,
        written={source.name: day for source, day, _ in normalized},
        missing=missing,
        bands=bands,
        checks=price_checks(current, bands, confirmations),
        version=version,
    )


@dataclass(frozen=True)
class DailyBuild:
    days: list[dt.date]  # the market days (re)computed
    rows: pl.DataFrame  # their rows
    version: str


# A first run, or one after a long pause, fills at most this many missing days before today.
MAX_GAP_DAYS = 31


def affected_days(
    changed: list[dt.date], last_day: dt.date | None, today: dt.date, window: dt.timedelta
) -> list[dt.date]:
    """The market days a new or re-ingested snapshot can change: each changed snapshot's day and the days after it
    it stays visible on (up to today), every missing day since the last computed one (bounded), and today."""
    days = {today}
    for day in changed:
        span = min((today - day).days, window.days)
        days |= {day + dt.timedelta(days=i) for i in range(span + 1)}
    start = max(last_day + dt.timedelta(days=1), today - dt.timedelta(days=MAX_GAP_DAYS)) if last_day else today
    days |= {start + dt.timedelta(days=i) for i in range((today - start).days + 1)}
    return sorted(d for d in days if d <= today)


def build_gpu_prices_daily(con, sources: tuple[Source, ...], *, today: dt.date, computed_at: dt.datetime) -> DailyBuild:
    """Append (or redo) the market days the newest snapshots affect in marts.gpu_prices_daily."""
    intervals = {s.name: s.expected_interval for s in sources}
    window = max(intervals.values(), default=dt.timedelta(days=1))
    changed = snapshots.written_since(con, "core.gpu_prices", prices.daily_computed_at(con))
    days = affected_days(changed, prices.last_daily_day(con), today, window + MARKET_GRACE)
    frames = []
    for day in days:
        visible = visible_on(snapshots.newest_dates(con, "core.gpu_prices", as_of=day), day, intervals)
        state = market_state(snapshots.slices(con, "core.gpu_prices", visible), first_party_map(sources))
        if state.height:
            frames.append(daily_stats(state, day, computed_at))
    rows = pl.concat(frames) if frames else pl.DataFrame()
    prices.replace_daily(con, days, rows)
    return DailyBuild(days=days, rows=rows, version=content_version(rows) if rows.height else "empty")

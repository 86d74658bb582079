"""Reads and writes of the GPU price tables and marts (core.gpu_prices_current, marts.latest_gpu_prices, ...).

A GPU filter is a model or a family: `gpu` 'H100' matches H100-SXM, H100-PCIe and H100-NVL
(marts.gpu_family_match), so the CLI and SQL users get the same answer.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import duckdb

from warehouse.queries import frame
from warehouse.write import append_rows, replace_table, transaction

if TYPE_CHECKING:  # polars loads only when a frame is asked for: `gpucost sql` never needs it
    import polars as pl


def _filters(
    gpu: str | None = None, provider: str | None = None, region: str | None = None, pricing: str | None = None
) -> tuple[list[str], list]:
    """The WHERE clauses (and their parameters) for the filters that are set."""
    clauses, params = [], []
    for sql, value in (
        ("marts.gpu_family_match(gpu_model, ?)", gpu),
        ("provider = ?", provider),
        ("region = ?", region),
        ("pricing = ?", pricing),
    ):
        if value is not None:
            clauses.append(sql)
            params.append(value)
    return clauses, params


def _where(gpu: str | None, provider: str | None, region: str | None, pricing: str | None) -> tuple[str, list]:
    clauses, params = _filters(gpu, provider, region, pricing)
    return " AND ".join(["gpu_model IS NOT NULL", *clauses]), params


def resolve_gpu(con: duckdb.DuckDBPyConnection, wanted: str) -> list[str]:
    """The canonical models a user's GPU name means: a model or family ('H100'), else what an alias names ('A6000')."""
    family = frame(
        con, "SELECT gpu_model FROM core.gpu_specs WHERE marts.gpu_family_match(gpu_model, ?) ORDER BY 1", [wanted]
    )
    if family.height:
        return family["gpu_model"].to_list()
    aliased = frame(
        con, "SELECT DISTINCT gpu_model FROM core.gpu_aliases WHERE lower(alias) = lower(?) ORDER BY 1", [wanted]
    )
    return aliased["gpu_model"].to_list()


def current_gpu_prices(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """core.gpu_prices_current: every source's newest snapshot, all rows, with first_party, preferred, reported_by."""
    return frame(con, "SELECT * FROM core.gpu_prices_current")


def replace_current(con: duckdb.DuckDBPyConnection, rows: pl.DataFrame) -> None:
    """Today's state of the prices (written in the same transaction as the history it comes from)."""
    replace_table(con, "core.gpu_prices_current", rows)


def accepted_prices(con: duckdb.DuckDBPyConnection, source: str) -> pl.DataFrame:
    """core.gpu_prices_accepted rows of one source: each offer's newest accepted price and the one before it."""
    return frame(con, "SELECT * FROM core.gpu_prices_accepted WHERE source = ?", [source])


def replace_accepted(con: duckdb.DuckDBPyConnection, source: str, rows: pl.DataFrame) -> None:
    with transaction(con):
        con.execute("DELETE FROM core.gpu_prices_accepted WHERE source = ?", [source])
        append_rows(con, "core.gpu_prices_accepted", rows)


def daily_computed_at(con: duckdb.DuckDBPyConnection) -> dt.datetime | None:
    """When marts.gpu_prices_daily was last computed (None when it is empty)."""
    return con.execute("SELECT max(computed_at) FROM marts.gpu_prices_daily").fetchone()[0]


def last_daily_day(con: duckdb.DuckDBPyConnection) -> dt.date | None:
    return con.execute("SELECT max(snapshot_date) FROM marts.gpu_prices_daily").fetchone()[0]


def replace_daily(con: duckdb.DuckDBPyConnection, days: list[dt.date], rows: pl.DataFrame) -> None:
    """Replace the given market days of marts.gpu_prices_daily (a day with no offers keeps no row)."""
    with transaction(con):
        if days:
            con.execute("DELETE FROM marts.gpu_prices_daily WHERE snapshot_date IN (SELECT unnest(?))", [days])
        append_rows(con, "marts.gpu_prices_daily", rows)


def held_gpu_prices(
    con: duckdb.DuckDBPyConnection, *, gpu: str | None = None, provider: str | None = None, region: str | None = None
) -> pl.DataFrame:
    """Current prices held out of the marts, with their reason (marts.held_gpu_prices) and the line that confirms
    one in price_confirmations.csv (a person fills in the date, their name and what they checked)."""
    clauses, params = _filters(gpu, provider, region)
    return frame(
        con,
        "SELECT *, concat_ws(',', source, provider, coalesce(region, ''), instance_type, pricing, "
        "coalesce(commitment_term, ''), price_per_hour_usd, '<YYYY-MM-DD>', '<your name>', '<what you checked>') "
        f"AS confirmation_line FROM marts.held_gpu_prices WHERE {' AND '.join(['TRUE', *clauses])} "
        "ORDER BY source, provider, region, instance_type, pricing",
        params,
    )


def known_gpu_names(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every GPU model and every alias a user may type for one (for "did you mean")."""
    return frame(
        con, "SELECT gpu_model AS name FROM core.gpu_specs UNION SELECT alias FROM core.gpu_aliases ORDER BY 1"
    )["name"].to_list()


def offer_count(
    con,
    *,
    gpu: str | None = None,
    provider: str | None = None,
    region: str | None = None,
    pricing: str | None = None,
) -> int:
    """How many current offers match the filters (to say why a filtered list is empty)."""
    where, params = _where(gpu, provider, region, pricing)
    return con.execute(f"SELECT count(*) FROM marts.latest_gpu_prices WHERE {where}", params).fetchone()[0]


def price_providers(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every provider with a current price (held ones included, so `--held` can name them)."""
    return frame(con, "SELECT DISTINCT provider FROM marts.gpu_prices_by_source ORDER BY 1")["provider"].to_list()


def price_regions(con: duckdb.DuckDBPyConnection, provider: str | None = None) -> list[str]:
    """Every region with a current price (of one provider, if given); prices without a region are not counted."""
    clauses, params = _filters(provider=provider)
    return frame(
        con,
        "SELECT DISTINCT region FROM marts.gpu_prices_by_source WHERE "
        f"{' AND '.join(['region IS NOT NULL', *clauses])} "
        "ORDER BY 1",
        params,
    )["region"].to_list()


def gpu_offers(
    con,
    *,
    gpu: str | None = None,
    provider: str | None = None,
    region: str | None = None,
    pricing: str | None = None,
    limit: int | None = None,
) -> pl.DataFrame:
    """Every current offer (first-party preferred), cheapest per GPU-hour first."""
    where, params = _where(gpu, provider, region, pricing)
    sql = f"""
        SELECT gpu_model, provider, region, instance_type, gpu_count, pricing, price_basis,
               price_per_gpu_hour_usd, price_per_hour_usd, vcpus, memory_gib, availability,
               source, origin, snapshot_date, age_days
        FROM marts.latest_gpu_prices WHERE {where}
        ORDER BY price_per_gpu_hour_usd, provider, region, instance_type
    """
    return frame(con, sql + (f" LIMIT {int(limit)}" if limit else ""), params)


def gpu_catalog(con, *, provider: str | None = None, region: str | None = None) -> pl.DataFrame:
    """Per GPU model today, as `sky show-gpus` shows it: memory, the GPU counts its instances come in, offers and
    providers, the cheapest on-demand and spot $/GPU-hour of whole instances, and where the cheapest on-demand is."""
    where, params = _where(None, provider, region, None)
    return frame(
        con,
        f"""
        WITH offers AS (
            SELECT * FROM marts.latest_gpu_prices
            WHERE {where} AND price_basis = 'instance' AND pricing IN ('on_demand', 'spot')
        ),
        stats AS (
            SELECT gpu_model, list_sort(list_distinct(list(gpu_count))) AS gpu_counts,
                   count(*) AS offers, count(DISTINCT provider) AS providers,
                   min(price_per_gpu_hour_usd) FILTER (pricing = 'on_demand') AS on_demand_usd_per_gpu_hour,
                   min(price_per_gpu_hour_usd) FILTER (pricing = 'spot') AS spot_usd_per_gpu_hour,
                   median(price_per_gpu_hour_usd) FILTER (pricing = 'on_demand') AS median_on_demand_usd_per_gpu_hour
            FROM offers GROUP BY gpu_model
        ),
        cheapest AS (
            SELECT gpu_model, provider, region, instance_type, source, age_days FROM offers
            WHERE pricing = 'on_demand'
            QUALIFY row_number() OVER (
                PARTITION BY gpu_model ORDER BY price_per_gpu_hour_usd, provider, region, instance_type) = 1
        )
        SELECT s.gpu_model, g.memory_gb AS gpu_memory_gb, s.gpu_counts, s.offers, s.providers,
               s.on_demand_usd_per_gpu_hour, s.spot_usd_per_gpu_hour, s.median_on_demand_usd_per_gpu_hour,
               c.provider, c.region, c.instance_type, c.source, c.age_days
        FROM stats s LEFT JOIN core.gpu_specs g USING (gpu_model) LEFT JOIN cheapest c USING (gpu_model)
        ORDER BY s.gpu_model
        """,
        params,
    )


def cheapest_per_model(
    con, n: int, *, pricing: str = "on_demand", provider: str | None = None, region: str | None = None
) -> pl.DataFrame:
    """For every GPU model: the cheapest way to rent n of them today (whole instances), from marts.cheapest_gpus."""
    clauses, params = _filters(provider=provider, region=region)
    return frame(
        con,
        f"""
        SELECT * FROM marts.cheapest_gpus('', ?, kind := ?, any_model := true)
        WHERE {" AND ".join(["TRUE", *clauses])}
        QUALIFY row_number() OVER (
            PARTITION BY gpu_model ORDER BY total_price_per_hour_usd, instances, provider, region, instance_type) = 1
        ORDER BY total_price_per_hour_usd, gpu_model
        """,
        [n, pricing, *params],
    )


def cheapest_gpus(
    con,
    gpu: str,
    n: int,
    *,
    pricing: str = "on_demand",
    provider: str | None = None,
    region: str | None = None,
    limit: int | None = None,
) -> pl.DataFrame:
    """The cheapest ways to rent n GPUs of a model (or family) today, from marts.cheapest_gpus."""
    clauses, params = _filters(provider=provider, region=region)
    params = [gpu, n, pricing, *params]
    sql = f"SELECT * FROM marts.cheapest_gpus(?, ?, kind := ?) WHERE {' AND '.join(['TRUE', *clauses])}"
    sql += " ORDER BY total_price_per_hour_usd, instances, provider, region, instance_type"
    return frame(con, sql + (f" LIMIT {int(limit)}" if limit else ""), params)

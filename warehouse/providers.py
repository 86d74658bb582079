"""Reads for `gpucost prices --providers`: every provider with a price, its sources, offers and last live fetch.

Reads core.gpu_prices (each source's newest snapshot) and meta.source_runs only, so it needs no mart
and answers on a warehouse that has only ever been ingested. An offer counts once however many sources
report it: sources name offers alike (provider, region, instance_type, pricing, commitment_term).
"""

from __future__ import annotations

import duckdb
import polars as pl

from warehouse.queries import frame

PROVIDERS_SQL = """
WITH newest AS (
    SELECT p.*
    FROM core.gpu_prices p
    JOIN (SELECT source, max(snapshot_date) AS snapshot_date FROM core.gpu_prices GROUP BY source) l
      USING (source, snapshot_date)
), runs AS (
    SELECT source,
           max(attempted_at) FILTER (WHERE status = 'live') AS last_live_fetch_at,
           arg_max(status, attempted_at) AS last_status
    FROM meta.source_runs GROUP BY source
), by_source AS (
    SELECT n.provider, n.source, max(n.snapshot_date) AS snapshot_date, any_value(n.origin) AS origin,
           r.last_live_fetch_at, r.last_status
    FROM newest n LEFT JOIN runs r USING (source)
    GROUP BY n.provider, n.source, r.last_live_fetch_at, r.last_status
)
SELECT
    o.provider,
    count(DISTINCT list_value(o.region, o.instance_type, o.pricing, o.commitment_term)) AS offers,
    count(DISTINCT o.gpu_model) AS gpu_models,
    (SELECT string_agg(s.source, ', ' ORDER BY s.source) FROM by_source s WHERE s.provider = o.provider) AS sources,
    (SELECT max(s.last_live_fetch_at) FROM by_source s WHERE s.provider = o.provider) AS last_live_fetch_at,
    max(o.snapshot_date) AS newest_price_date,
    bool_or(o.origin = 'live') AS any_live
FROM newest o
WHERE o.provider = coalesce(?, o.provider)
GROUP BY o.provider
ORDER BY o.provider
"""


def providers(con: duckdb.DuckDBPyConnection, provider: str | None = None) -> pl.DataFrame:
    """One row per provider with a current price: offers (each once across sources), GPU models, its sources, the
    last live fetch of any of them (NULL if none was ever live) and the newest price date."""
    return frame(con, PROVIDERS_SQL, [provider])


def provider_sources(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """One row per (provider, source): that source's offers of the provider, its snapshot date, origin and runs."""
    return frame(
        con,
        """
        WITH newest AS (
            SELECT p.* FROM core.gpu_prices p
            JOIN (SELECT source, max(snapshot_date) AS snapshot_date FROM core.gpu_prices GROUP BY source) l
              USING (source, snapshot_date)
        ), runs AS (
            SELECT source, max(attempted_at) FILTER (WHERE status = 'live') AS last_live_fetch_at,
                   arg_max(status, attempted_at) AS last_status
            FROM meta.source_runs GROUP BY source
        )
        SELECT n.provider, n.source, count(*) AS offers, max(n.snapshot_date) AS snapshot_date,
               any_value(n.origin) AS origin, r.last_live_fetch_at, r.last_status
        FROM newest n LEFT JOIN runs r USING (source)
        GROUP BY n.provider, n.source, r.last_live_fetch_at, r.last_status
        ORDER BY n.provider, n.source
        """,
    )

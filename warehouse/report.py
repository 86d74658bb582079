"""Reads behind the HTML report (`gpucost report`, asset reports/overview): one query per chart, marts only.

Each read returns plain rows with their dates and origin (`live` or `snapshot:<date>`), so every chart can say
what it was drawn from. Nothing here writes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import duckdb

from warehouse.queries import frame

if TYPE_CHECKING:  # polars loads only when a frame is asked for
    import polars as pl

# The price kinds the report draws: rentals by the hour, not commitments (those have their own term per row).
PRICINGS = ("on_demand", "spot")


def price_history(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Per market day, GPU model and pricing (on-demand, spot): cheapest, p10 and median $/GPU-hour, and where the
    cheapest was (marts.gpu_prices_daily)."""
    return frame(
        con,
        """
        SELECT snapshot_date, gpu_model, pricing, cheapest_price_per_gpu_hour_usd, p10_price_per_gpu_hour_usd,
               median_price_per_gpu_hour_usd, offers, providers, cheapest_provider, cheapest_region,
               cheapest_instance_type, cheapest_source, sources
        FROM marts.gpu_prices_daily
        WHERE commitment_term IS NULL AND list_contains(?, pricing) AND gpu_model IS NOT NULL
        ORDER BY gpu_model, pricing, snapshot_date
        """,
        [list(PRICINGS)],
    )


def price_origins(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Where the price history came from: per origin (live, or the bundled snapshot's date), its first and last
    snapshot day and how many sources (core.gpu_prices, every row of which names its origin)."""
    return frame(
        con,
        """
        SELECT origin, min(snapshot_date) AS first_date, max(snapshot_date) AS last_date,
               count(DISTINCT source) AS sources
        FROM (SELECT DISTINCT source, snapshot_date, origin FROM core.gpu_prices)
        GROUP BY origin ORDER BY origin
        """,
    )


def gpu_specs(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """core.gpu_specs: dense peaks per GPU model, for $ per PFLOP-hour."""
    return frame(con, "SELECT * FROM core.gpu_specs ORDER BY gpu_model")


def training_history(con: duckdb.DuckDBPyConnection, model: str) -> pl.DataFrame:
    """Every state `model`'s training cost has had per GPU model (cheapest eligible on-demand offer) and on the
    cheapest GPU of all, from marts.headline_history (a row per change, stamped when computed).

    gpu_model is NULL for the "on the cheapest GPU" figure; its price_input names the GPU.
    """
    prefix = f"training {model} on "
    return frame(
        con,
        """
        SELECT computed_at, value AS cloud_cost_usd, price_input, tariff_input, assumptions_input,
               CASE WHEN figure = ? || 'the cheapest GPU' THEN NULL
                    ELSE regexp_extract(figure[length(?) + 1:], '^(.*) \\(cheapest on-demand\\)$', 1) END AS gpu_model
        FROM marts.headline_history
        WHERE unit = 'usd' AND starts_with(figure, ?)
          AND (figure = ? || 'the cheapest GPU' OR ends_with(figure, ' (cheapest on-demand)'))
        ORDER BY gpu_model NULLS FIRST, computed_at
        """,
        [prefix, prefix, prefix, prefix],
    )


def training_today(con: duckdb.DuckDBPyConnection, model: str) -> pl.DataFrame:
    """Per GPU model: `model`'s training cost today on its cheapest eligible on-demand offer (marts.training_costs),
    with the utilization band and the price's provider, date and origin."""
    return frame(
        con,
        """
        SELECT gpu_model, cloud_cost_usd, cloud_cost_usd_low, cloud_cost_usd_high, gpu_hours, price_per_gpu_hour_usd,
               price_provider, price_region, price_instance_type, price_snapshot_date, price_origin, computed_at
        FROM marts.training_costs
        WHERE model = ? AND pricing = 'on_demand'
        ORDER BY cloud_cost_usd
        """,
        [model],
    )


def serving_costs(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Per reference model and GPU model: the cheapest modeled on-demand way to serve it (any precision) and its $ per
    1M input, output and blended tokens (marts.inference_costs)."""
    return frame(
        con,
        """
        SELECT model, gpu_model, precision, replica_gpus, price_provider, price_instance_type, price_per_gpu_hour_usd,
               cost_per_million_input_tokens_usd, cost_per_million_output_tokens_usd,
               cost_per_million_tokens_blended_usd, input_tokens, output_tokens, price_snapshot_date, price_origin
        FROM marts.inference_costs
        WHERE pricing = 'on_demand' AND throughput_basis = 'modeled' AND cost_per_million_tokens_blended_usd IS NOT NULL
        QUALIFY row_number() OVER (PARTITION BY model, gpu_model ORDER BY cost_per_million_tokens_blended_usd) = 1
        ORDER BY model, gpu_model
        """,
    )


def seed_figures(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Every published figure of the seed analysis: as written, recomputed from its stated assumptions, and today on
    the same hardware and on today's best (marts.scenario_costs)."""
    return frame(
        con,
        """
        SELECT scenario, kind, metric, published_value, published_as_written, published_source, published_role,
               as_published_value, matches_published, today_same_hardware_value, today_best_hardware_value,
               same_hardware_gpu_model, same_hardware_price_provider, same_hardware_price_per_gpu_hour_usd,
               same_hardware_price_snapshot_date, same_hardware_price_origin,
               best_hardware_gpu_model, best_hardware_price_provider, best_hardware_price_per_gpu_hour_usd,
               best_hardware_price_snapshot_date, best_hardware_price_origin
        FROM marts.scenario_costs
        WHERE published_value IS NOT NULL
        ORDER BY scenario, metric
        """,
    )


def energy_regions(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Cloud regions with both an electricity price and a grid carbon intensity (marts.energy_by_region)."""
    return frame(
        con,
        """
        SELECT provider, region, display_name, city, country_code, state_code, priced,
               tariff_usd_per_kwh, tariff_source, tariff_period, tariff_period_start, tariff_period_end, tariff_sector,
               tariff_is_fallback,
               tariff_snapshot_date, tariff_origin, grid_gco2_per_kwh, grid_year, grid_source, grid_is_fallback,
               grid_snapshot_date, grid_origin, pue
        FROM marts.energy_by_region
        WHERE tariff_usd_per_kwh IS NOT NULL AND grid_gco2_per_kwh IS NOT NULL
        ORDER BY provider, region
        """,
    )


def source_freshness(con: duckdb.DuckDBPyConnection, names: list[str]) -> pl.DataFrame:
    """Per registered source: how old its data is and whether it is today's live data, a stale last good copy, or the
    bundled snapshot (marts.source_status)."""
    return frame(
        con,
        """
        SELECT source, last_status, last_attempt_at, data_origin, data_snapshot_date, data_age_days, row_count,
               CASE WHEN data_origin IS NULL THEN 'no data'
                    WHEN starts_with(data_origin, 'snapshot:') THEN 'snapshot'
                    WHEN stale THEN 'stale'
                    ELSE 'live' END AS freshness
        FROM marts.source_status
        WHERE list_contains(?, source)
        ORDER BY data_age_days DESC NULLS FIRST, source
        """,
        [names],
    )

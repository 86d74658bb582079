"""What the warehouse knows about GPUs and models: specs with today's cheapest prices, reference models with their
shapes (for `gpucost gpus` and `gpucost models`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import duckdb

from warehouse.queries import frame

if TYPE_CHECKING:
    import polars as pl


def gpus(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Per GPU model: its specs, the names providers use for it, how many providers rent it, and today's cheapest
    on-demand and spot $/GPU-hour of whole instances."""
    return frame(
        con,
        """
        WITH prices AS (
            SELECT gpu_model, count(DISTINCT provider) AS providers, count(*) AS offers,
                   min(price_per_gpu_hour_usd) FILTER (pricing = 'on_demand') AS on_demand_usd_per_gpu_hour,
                   min(price_per_gpu_hour_usd) FILTER (pricing = 'spot') AS spot_usd_per_gpu_hour
            FROM marts.latest_gpu_prices WHERE price_basis = 'instance' AND gpu_model IS NOT NULL GROUP BY gpu_model
        ), aliases AS (
            SELECT gpu_model, string_agg(DISTINCT alias, ', ' ORDER BY alias) AS aliases
            FROM core.gpu_aliases WHERE alias <> gpu_model GROUP BY gpu_model
        )
        SELECT s.gpu_model, s.vendor, s.memory_gb, s.memory_bandwidth_tbps, s.tflops_bf16_dense, s.tflops_fp8_dense,
               s.tflops_fp4_dense, s.tdp_w, s.form_factor, s.intra_node_link, s.release_date,
               coalesce(p.providers, 0) AS providers, coalesce(p.offers, 0) AS offers,
               p.on_demand_usd_per_gpu_hour, p.spot_usd_per_gpu_hour, a.aliases, s.source
        FROM core.gpu_specs s LEFT JOIN prices p USING (gpu_model) LEFT JOIN aliases a USING (gpu_model)
        ORDER BY s.vendor, s.release_date NULLS LAST, s.gpu_model
        """,
    )


def models(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Every reference model: parameters (total, active), training tokens, its shape where known, and sources."""
    return frame(
        con,
        """
        SELECT m.model, m.params_total, m.params_active, m.training_tokens,
               a.layers, a.hidden_size, a.attention_heads, a.kv_heads, a.context_length, a.moe_experts,
               a.moe_experts_per_token, m.source, a.source AS architecture_source, m.notes
        FROM core.reference_models m LEFT JOIN core.model_architectures a USING (model)
        ORDER BY m.params_total, m.model
        """,
    )

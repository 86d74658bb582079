"""Reads of the cost marts for the headline (`gpucost run`): training per GPU model on eligible offers, serving per
reference model."""

from __future__ import annotations

import duckdb
import polars as pl

from warehouse.queries import frame

SERVING_HEADLINE_MODELS = ("Llama 3.1 8B", "Llama 3.3 70B", "DeepSeek-V3")


def headline_training(con: duckdb.DuckDBPyConnection, model: str) -> pl.DataFrame:
    """Per GPU model: the cheapest on-demand offer that can train `model` (its class and interconnect) and the run on
    it."""
    return frame(
        con,
        """
        SELECT gpu_model, price_per_gpu_hour_usd, price_provider AS provider, price_region AS region,
               price_instance_type AS instance_type, price_source AS source, offer_class, interconnect,
               price_origin AS origin,
               price_snapshot_date AS price_date, gpu_hours, cloud_cost_usd, cloud_cost_usd_low, cloud_cost_usd_high,
               mfu, mfu_low, mfu_high, flops_attention, training_flops
        FROM marts.training_costs
        WHERE model = ? AND pricing = 'on_demand'
        ORDER BY cloud_cost_usd
        """,
        [model],
    )


def headline_serving(con: duckdb.DuckDBPyConnection, models: tuple[str, ...] = SERVING_HEADLINE_MODELS) -> pl.DataFrame:
    """Per reference model: the cheapest modeled on-demand way to serve it (GPU, precision, offer) and what 1M input
    and output tokens cost there."""
    return frame(
        con,
        """
        SELECT model, gpu_model, precision, price_provider AS provider, price_instance_type AS instance_type,
               offer_class, replica_gpus, batch_size, tokens_per_second_per_user,
               cost_per_million_input_tokens_usd, cost_per_million_output_tokens_usd,
               cost_per_million_tokens_blended_usd, input_tokens, output_tokens, target_tokens_per_second_per_user
        FROM marts.inference_costs
        WHERE pricing = 'on_demand' AND throughput_basis = 'modeled' AND list_contains(?, model)
        QUALIFY row_number() OVER (PARTITION BY model ORDER BY cost_per_million_tokens_blended_usd) = 1
        ORDER BY model
        """,
        [list(models)],
    )

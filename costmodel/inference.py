"""Inference cost: tokens per second per GPU -> $ per 1M tokens -> the fleet a workload needs.

Throughput per GPU while busy, from the lower of two ceilings:
- compute: dense peak x MFU / (2 x N_active) (a generated token costs ~2 FLOPs per active parameter,
  Kaplan et al. 2020);
- memory bandwidth: each decode step reads the weights it uses once for the whole batch, so
  batch x bandwidth / (weights read per step x bytes per parameter). A dense model reads all of
  them (N_active = N_total). A mixture-of-experts model routes each token to its own experts, so
  a batch reads more than one token's active share; we take each token to touch a random
  N_active/N_total share of the routed weights, independently:
      weights read = N_active + (N_total - N_active) x (1 - (1 - N_active/N_total) ** batch)
  (DeepSeek-V3, 37B of 671B active, batch 64: 654B, 97% of the routed weights). It counts the
  active parameters as always read and the routed share on top, so it errs high at small
  batches (batch 1: 72B for DeepSeek-V3, not 37B); the reference data has no split of the
  active parameters into shared and routed ones that would remove that;
or a measured figure (given by the user, or from assets/reference/data/inference_throughput.csv).

Utilization is the share of time a GPU is busy: what a fleet really delivers is throughput x
utilization. A workload (queries per second or per day x tokens per query) then needs an
exact, fractional number of GPUs; servers are rounded up for what has to be bought (capex),
while rental cost per day follows the exact GPU count, which is how SemiAnalysis's $694,444/day
for ChatGPT arises.
"""

from __future__ import annotations

import datetime as dt
import math

import polars as pl

from costmodel.hardware import gpu_table
from costmodel.power import Electricity, co2_kg, energy_cost_usd, energy_kwh, with_electricity
from costmodel.prices import price_options

DEFAULT_MFU = 0.40  # TensorRT-LLM Llama 3.3 70B on one H200 (2,909 tok/s, 1000/1000) is ~41% of the dense BF16 peak
DEFAULT_BATCH_SIZE = 64  # concurrent sequences per decode step: a moderately loaded server
DEFAULT_BYTES_PER_PARAM = 2.0  # BF16/FP16 weights
DEFAULT_UTILIZATION = 1.0  # busy all the time: the best case
DEFAULT_GPUS_PER_SERVER = 8
SECONDS_PER_DAY = 86_400.0
HOURS_PER_DAY = 24.0
DAYS_PER_YEAR = 365.0
ASSUMPTION_SOURCE = "default: inference MFU 0.40 of dense BF16 peak, batch 64, 2 bytes/param (BF16), utilization 1.0"


def compute_bound_tokens_per_second(peak_tflops_dense, mfu, params_active):
    """Generated tokens per second a GPU's arithmetic allows."""
    return peak_tflops_dense * 1e12 * mfu / (2 * params_active)


def params_read_per_step(params_active, params_total=None, batch_size=DEFAULT_BATCH_SIZE):
    """Parameters one decode step of `batch_size` sequences reads: all active ones, plus the routed experts it touches.

    Each token touches a random share N_active/N_total of the routed weights (N_total - N_active),
    so the batch misses a share (1 - N_active/N_total) ** batch of them. Dense (N_total = N_active,
    or N_total unknown): N_active, whatever the batch.
    """
    if isinstance(params_active, pl.Expr) or isinstance(params_total, pl.Expr):
        total = pl.coalesce(params_total, params_active) if params_total is not None else params_active
    else:
        total = params_active if params_total is None else params_total
    routed_touched = 1 - (1 - params_active / total) ** batch_size
    return params_active + (total - params_active) * routed_touched


def bandwidth_bound_tokens_per_second(
    memory_bandwidth_tbps,
    params_active,
    batch_size=DEFAULT_BATCH_SIZE,
    bytes_per_param=DEFAULT_BYTES_PER_PARAM,
    params_total=None,
):
    """Generated tokens per second a GPU's memory bandwidth allows when decoding `batch_size` sequences together.

    `params_total` matters for a mixture of experts (see params_read_per_step); without it the model is dense.
    """
    return (
        batch_size
        * memory_bandwidth_tbps
        * 1e12
        / (params_read_per_step(params_active, params_total, batch_size) * bytes_per_param)
    )


def modeled_tokens_per_second(compute_bound, bandwidth_bound):
    """The lower ceiling (either may be missing: a GPU without a published bandwidth is compute-bound)."""
    if isinstance(compute_bound, pl.Expr) or isinstance(bandwidth_bound, pl.Expr):
        return pl.min_horizontal(compute_bound, bandwidth_bound)
    return min(v for v in (compute_bound, bandwidth_bound) if v is not None)


def cost_per_million_tokens_usd(price_per_gpu_hour_usd, tokens_per_second_per_gpu, utilization=DEFAULT_UTILIZATION):
    """Rental cost of one million generated tokens: an idle hour is paid for too."""
    return price_per_gpu_hour_usd / (tokens_per_second_per_gpu * utilization * 3600.0) * 1e6


def workload_tokens_per_second(
    tokens_per_query: float, *, queries_per_second: float | None = None, queries_per_day: float | None = None
) -> float:
    if (queries_per_second is None) == (queries_per_day is None):
        raise ValueError("give exactly one of queries_per_second or queries_per_day")
    per_second = queries_per_second if queries_per_second is not None else queries_per_day / SECONDS_PER_DAY
    return per_second * tokens_per_query


def fleet(
    *,
    gpus_exact: float,
    gpus_per_server: int,
    price_per_gpu_hour_usd: float | None = None,
    queries_per_day: float | None = None,
    server_price_usd: float | None = None,
    power_w_per_gpu: float | None = None,
    server_power_kw: float | None = None,
    electricity: Electricity | None = None,
) -> dict:
    """What running `gpus_exact` GPUs costs: servers (exact and rounded up), capex, rent, electricity.

    Rent follows the exact GPU count; capex and electricity the servers that are bought and
    powered (rounded up), at the server's power when given, else the GPUs' power. Figures
    whose inputs are missing are left out.
    """
    servers = gpus_exact / gpus_per_server
    rounded = math.ceil(servers - 1e-9)  # 3,616.9 servers -> 3,617; an exact 4,000 stays 4,000
    out: dict = {
        "servers": servers,
        "servers_rounded_up": rounded,
        "gpus": rounded * gpus_per_server,
        "gpus_exact": gpus_exact,
    }
    if server_price_usd is not None:
        out["capex_usd"] = rounded * server_price_usd
    if price_per_gpu_hour_usd is not None:
        per_day = gpus_exact * price_per_gpu_hour_usd * HOURS_PER_DAY
        out |= {"cost_per_day_usd": per_day, "cost_per_year_usd": per_day * DAYS_PER_YEAR}
        if queries_per_day:
            out["cost_per_query_usd"] = per_day / queries_per_day
    if electricity is not None and (server_power_kw is not None or power_w_per_gpu is not None):
        kw = rounded * server_power_kw if server_power_kw is not None else out["gpus"] * power_w_per_gpu / 1000.0
        kwh = energy_kwh(HOURS_PER_DAY, kw * 1000.0, electricity.pue)
        out |= {
            "energy_kwh_per_day": kwh,
            "energy_cost_per_day_usd": energy_cost_usd(kwh, electricity.tariff_usd_per_kwh),
        }
        if electricity.grid_gco2_per_kwh is not None:
            out["co2_kg_per_day"] = co2_kg(kwh, electricity.grid_gco2_per_kwh)
    return out


def servers_for_budget(budget_usd: float, server_price_usd: float) -> int:
    """Whole servers a budget buys."""
    return math.floor(budget_usd / server_price_usd + 1e-9)


def throughput_records(throughput: pl.DataFrame) -> pl.DataFrame:
    """Measured throughput rows with a per-GPU figure (a record gives the total of its tensor-parallel group)."""
    return throughput.with_columns((pl.col("tokens_per_second") / pl.col("gpus")).alias("tokens_per_second_per_gpu"))


def inference_costs(
    models: pl.DataFrame,
    specs: pl.DataFrame,
    prices: pl.DataFrame,
    throughput: pl.DataFrame,
    *,
    mfu: float = DEFAULT_MFU,
    batch_size: int = DEFAULT_BATCH_SIZE,
    bytes_per_param: float = DEFAULT_BYTES_PER_PARAM,
    utilization: float = DEFAULT_UTILIZATION,
    energy: pl.DataFrame | None = None,
    datacenter_pue: pl.DataFrame,
    computed_at: dt.datetime,
) -> pl.DataFrame:
    """$ per 1M generated tokens for every model on every priced GPU, modeled and (where one exists) measured.

    Rows: model x GPU x pricing x throughput_basis ('modeled', or 'measured' for each record of
    the throughput file). Energy per 1M tokens counts a GPU at its TDP for every hour, busy or not.
    """
    for name, value in (("mfu", mfu), ("utilization", utilization)):
        if not 0 < value <= 1:
            raise ValueError(f"{name} must be in (0, 1], got {value}")
    if batch_size < 1 or bytes_per_param <= 0:
        raise ValueError("batch_size must be >= 1 and bytes_per_param positive")
    per_gpu = price_options(prices).join(gpu_table(specs), on="gpu_model", how="inner")
    modeled = (
        models.select("model", "params_active", "params_total")
        .join(per_gpu, how="cross")
        .with_columns(
            compute_bound_tokens_per_second(pl.col("peak_tflops_dense"), mfu, pl.col("params_active")).alias(
                "tokens_per_second_compute_bound"
            ),
            bandwidth_bound_tokens_per_second(
                pl.col("memory_bandwidth_tbps"),
                pl.col("params_active"),
                batch_size,
                bytes_per_param,
                pl.col("params_total"),
            ).alias("tokens_per_second_bandwidth_bound"),
            pl.lit("modeled").alias("throughput_basis"),
            pl.lit(ASSUMPTION_SOURCE).alias("throughput_source"),
        )
        .with_columns(
            modeled_tokens_per_second(
                pl.col("tokens_per_second_compute_bound"), pl.col("tokens_per_second_bandwidth_bound")
            ).alias("tokens_per_second_per_gpu")
        )
    )
    measured = (
        models.select("model", "params_active", "params_total")
        .join(
            throughput_records(throughput).select(
                "model",
                "gpu_model",
                "tokens_per_second_per_gpu",
                pl.col("gpus").alias("measured_gpus"),
                pl.col("precision").alias("measured_precision"),
                pl.col("input_tokens").alias("measured_input_tokens"),
                pl.col("output_tokens").alias("measured_output_tokens"),
                pl.col("source").alias("throughput_source"),
            ),
            on="model",
            how="inner",
        )
        .join(per_gpu, on="gpu_model", how="inner")
        .with_columns(pl.lit("measured").alias("throughput_basis"))
    )
    frame = pl.concat([modeled, measured], how="diagonal_relaxed").with_columns(
        pl.lit(mfu).alias("mfu"),
        pl.lit(batch_size).alias("batch_size"),
        pl.lit(bytes_per_param).alias("bytes_per_param"),
        pl.lit(utilization).alias("utilization"),
        (pl.col("params_total") * bytes_per_param / (pl.col("memory_gb") * 1e9))
        .ceil()
        .cast(pl.Int64)
        .alias("min_gpus_for_weights"),
        (pl.col("tokens_per_second_per_gpu") * utilization).alias("effective_tokens_per_second_per_gpu"),
    )
    frame = with_electricity(frame.with_columns(pl.col("tdp_w").alias("power_w_per_gpu")), energy, datacenter_pue)
    hours_per_million = 1e6 / (pl.col("effective_tokens_per_second_per_gpu") * 3600.0)
    frame = frame.with_columns(
        cost_per_million_tokens_usd(
            pl.col("price_per_gpu_hour_usd"), pl.col("tokens_per_second_per_gpu"), utilization
        ).alias("cost_per_million_tokens_usd"),
        energy_kwh(hours_per_million, pl.col("power_w_per_gpu"), pl.col("pue")).alias("energy_kwh_per_million_tokens"),
    ).with_columns(
        energy_cost_usd(pl.col("energy_kwh_per_million_tokens"), pl.col("tariff_usd_per_kwh")).alias(
            "energy_cost_per_million_tokens_usd"
        ),
        co2_kg(pl.col("energy_kwh_per_million_tokens"), pl.col("grid_gco2_per_kwh")).alias("co2_kg_per_million_tokens"),
        pl.lit(computed_at).alias("computed_at"),
    )
    return frame.select(INFERENCE_COST_COLUMNS).sort(
        "model", "pricing", "cost_per_million_tokens_usd", "price_provider", nulls_last=True
    )


INFERENCE_COST_COLUMNS = [
    "model",
    "gpu_model",
    "pricing",
    "throughput_basis",
    "params_active",
    "params_total",
    "peak_tflops_dense",
    "peak_precision",
    "memory_gb",
    "memory_bandwidth_tbps",
    "min_gpus_for_weights",
    "mfu",
    "batch_size",
    "bytes_per_param",
    "tokens_per_second_compute_bound",
    "tokens_per_second_bandwidth_bound",
    "measured_gpus",
    "measured_precision",
    "measured_input_tokens",
    "measured_output_tokens",
    "throughput_source",
    "tokens_per_second_per_gpu",
    "utilization",
    "effective_tokens_per_second_per_gpu",
    "price_per_gpu_hour_usd",
    "cost_per_million_tokens_usd",
    "price_provider",
    "price_region",
    "price_instance_type",
    "price_source",
    "price_snapshot_date",
    "price_origin",
    "price_offers",
    "power_w_per_gpu",
    "pue",
    "pue_source",
    "energy_kwh_per_million_tokens",
    "tariff_usd_per_kwh",
    "tariff_source",
    "tariff_period",
    "tariff_is_fallback",
    "energy_cost_per_million_tokens_usd",
    "grid_gco2_per_kwh",
    "grid_year",
    "grid_source",
    "co2_kg_per_million_tokens",
    "computed_at",
]

"""Inference cost: tokens per second per GPU -> $ per 1M tokens -> the fleet a workload needs.

The marts (`inference_costs`, `inference_curves`, `inference_validation`) use the serving model of
costmodel/serving.py (KV cache, replica and batch, prefill and decode, precision) on the offers that can host each
replica (costmodel/offers.py). The formulas below are the weights-only roofline kept for a model given only by its
parameter counts (`gpucost estimate inference --params`), and the fleet arithmetic every path shares.

Weights-only throughput per GPU while busy, from the lower of two ceilings:
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

from costmodel import serving
from costmodel.hardware import gpu_table
from costmodel.offers import classify_offers, interconnect_text
from costmodel.power import Electricity, co2_kg, energy_cost_usd, energy_kwh, with_electricity, with_server_power
from costmodel.prices import PRICINGS

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


def _replica_limit(offer_class: str, gpus_per_instance: float) -> float:
    """How many GPUs one replica may span on an offer: any number of nodes over a cluster fabric (cluster nodes, TPU
    slices), else the instance's own GPUs (0 for a fraction of one)."""
    if offer_class in ("cluster_node", "tpu_slice"):
        return math.inf
    return float(math.floor(gpus_per_instance + 1e-9))


def _offers(prices: pl.DataFrame, specs: pl.DataFrame, interconnect: pl.DataFrame | None) -> pl.DataFrame:
    classified = classify_offers(prices, specs, interconnect)
    return classified.filter(
        pl.col("gpu_model").is_not_null()
        & (pl.col("price_basis") == "instance")
        & pl.col("pricing").is_in(PRICINGS)
        & pl.col("price_per_gpu_hour_usd").is_not_null()
    ).with_columns(
        pl.struct("offer_class", "gpus_per_instance")
        .map_elements(lambda r: _replica_limit(r["offer_class"], r["gpus_per_instance"]), return_dtype=pl.Float64)
        .alias("replica_limit")
    )


def _workload(precision, input_tokens, output_tokens, tokens_per_second_per_user, ttft_s, kv_precision=None):
    return serving.Workload(input_tokens, output_tokens, precision, kv_precision, tokens_per_second_per_user, ttft_s)


def serving_points(
    models: pl.DataFrame,
    architectures: pl.DataFrame | None,
    specs: pl.DataFrame,
    limits: dict[str, list[float]],
    *,
    precisions=serving.SERVING_PRECISIONS,
    input_tokens: float = serving.DEFAULT_INPUT_TOKENS,
    output_tokens: float = serving.DEFAULT_OUTPUT_TOKENS,
    tokens_per_second_per_user: float | None = serving.DEFAULT_TOKENS_PER_SECOND_PER_USER,
    ttft_s: float | None = serving.DEFAULT_TTFT_S,
    compute_efficiency: float | None = None,
    batch_size: int | None = None,
    bytes_per_param: float | None = None,
) -> tuple[dict, list[dict]]:
    """Serving points per (model, gpu_model, precision, replica limit), and why the others cannot be served."""
    archs = serving.architectures(models, architectures)
    points, excluded = {}, []
    for model in models["model"]:
        arch = archs.get(model)
        for precision in precisions:
            gpus = serving.gpus_for_specs(specs, precision)
            for gpu_model, gpu_limits in limits.items():
                gpu = gpus.get(gpu_model)
                if arch is None or gpu is None:
                    why = (
                        "no architecture in model_architectures.csv"
                        if arch is None
                        else (f"{gpu_model} lacks a peak, memory or bandwidth in gpu_specs.csv")
                    )
                    excluded.append({"model": model, "gpu_model": gpu_model, "precision": precision, "reason": why})
                    continue
                reasons = []
                for limit in sorted(set(gpu_limits)):
                    if limit < 1:
                        continue
                    w = _workload(precision, input_tokens, output_tokens, tokens_per_second_per_user, ttft_s)
                    try:
                        points[(model, gpu_model, precision, limit)] = serving.serving_point(
                            arch,
                            gpu,
                            w,
                            replica_limit=None if math.isinf(limit) else limit,
                            compute_efficiency=compute_efficiency,
                            batch=batch_size,
                            weight_bytes_per_param=bytes_per_param,
                        ) | {
                            "peak_tflops_dense": gpu.peak_tflops_dense,
                            "peak_precision": gpu.peak_precision,
                            "kv_precision": w.kv,
                        }
                    except serving.ServingError as exc:
                        reasons.append(str(exc))
                if not any(k[:3] == (model, gpu_model, precision) for k in points):
                    excluded.append(
                        {
                            "model": model,
                            "gpu_model": gpu_model,
                            "precision": precision,
                            "reason": reasons[-1] if reasons else "no offer can hold one GPU",
                        }
                    )
    return points, excluded


POINT_COLUMNS = (
    "replica_gpus",
    "replica_gpus_min",
    "batch_size",
    "batch_size_memory_max",
    "kv_precision",
    "kv_cache_bytes_per_token",
    "weights_bytes",
    "weight_bytes_per_param",
    "compute_efficiency",
    "bandwidth_efficiency",
    "peak_tflops_dense",
    "peak_precision",
    "tokens_per_second_compute_bound",
    "tokens_per_second_bandwidth_bound",
    "prefill_tokens_per_second_per_gpu",
    "decode_tokens_per_second_per_gpu",
    "tokens_per_second_per_gpu",
    "tokens_per_second_per_user",
    "ttft_s",
    "bound",
)


def inference_costs(
    models: pl.DataFrame,
    specs: pl.DataFrame,
    prices: pl.DataFrame,
    throughput: pl.DataFrame,
    *,
    architectures: pl.DataFrame | None = None,
    interconnect: pl.DataFrame | None = None,
    mfu: float | None = None,
    batch_size: int | None = None,
    bytes_per_param: float | None = None,
    utilization: float = DEFAULT_UTILIZATION,
    precisions=serving.SERVING_PRECISIONS,
    input_tokens: float = serving.DEFAULT_INPUT_TOKENS,
    output_tokens: float = serving.DEFAULT_OUTPUT_TOKENS,
    tokens_per_second_per_user: float | None = serving.DEFAULT_TOKENS_PER_SECOND_PER_USER,
    ttft_s: float | None = serving.DEFAULT_TTFT_S,
    energy: pl.DataFrame | None = None,
    datacenter_pue: pl.DataFrame,
    computed_at: dt.datetime,
) -> pl.DataFrame:
    """$ per 1M input, output and blended tokens of every model on every GPU model and precision, on the offers that
    can host its replica, at each price choice; modeled (the serving model) and, for each measured record of the
    throughput file, measured.

    Rows: model x GPU x precision x pricing x throughput_basis. The offer is chosen by its blended cost per token:
    its $/GPU-hour counts the GPUs a replica cannot use (costmodel.serving.replica_price_per_gpu_hour).
    on_demand_median is the offer at the median blended cost (the lower middle one). Energy per 1M tokens counts a
    GPU at its server-level average power for every hour.
    """
    for name, value in (("utilization", utilization),) + ((("mfu", mfu),) if mfu is not None else ()):
        if not 0 < value <= 1:
            raise ValueError(f"{name} must be in (0, 1], got {value}")
    if (batch_size is not None and batch_size < 1) or (bytes_per_param is not None and bytes_per_param <= 0):
        raise ValueError("batch_size must be >= 1 and bytes_per_param positive")
    offers = _offers(prices, specs, interconnect)
    limits = {g: grp["replica_limit"].to_list() for (g,), grp in offers.partition_by("gpu_model", as_dict=True).items()}
    points, _ = serving_points(
        models,
        architectures,
        specs,
        limits,
        precisions=precisions,
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        tokens_per_second_per_user=tokens_per_second_per_user,
        ttft_s=ttft_s,
        compute_efficiency=mfu,
        batch_size=batch_size,
        bytes_per_param=bytes_per_param,
    )
    workload = serving.Workload(input_tokens, output_tokens)
    rows = []
    for offer in offers.iter_rows(named=True):
        for (model, gpu_model, precision, limit), point in points.items():
            if gpu_model != offer["gpu_model"] or limit != offer["replica_limit"]:
                continue
            rows.append(_cost_row(offer, point, model, precision, workload, utilization, "modeled", None))
    rows += _measured_rows(offers, throughput, points, models, workload, utilization)
    frame = pl.DataFrame(rows, schema=_ROW_SCHEMA, strict=False) if rows else pl.DataFrame(schema=_ROW_SCHEMA)
    chosen = _choose(frame)
    info = models.select("model", "params_active", "params_total")
    spec = gpu_table(specs).select(
        "gpu_model",
        "memory_gb",
        "memory_bandwidth_tbps",
        "vendor",
        "tdp_w",
        "server_power_w_per_gpu",
        "server_power_kind",
        "server_power_source",
    )
    frame = (
        chosen.join(info, on="model", how="left")
        .join(spec, on="gpu_model", how="left")
        .with_columns(
            pl.lit(input_tokens).alias("input_tokens"),
            pl.lit(output_tokens).alias("output_tokens"),
            pl.lit(tokens_per_second_per_user, pl.Float64).alias("target_tokens_per_second_per_user"),
            pl.lit(ttft_s, pl.Float64).alias("target_ttft_s"),
            pl.lit(utilization).alias("utilization"),
            (pl.lit(mfu, pl.Float64) if mfu is not None else pl.col("compute_efficiency")).alias("mfu"),
            pl.col("weight_bytes_per_param").alias("bytes_per_param"),
            (pl.col("weights_bytes") / (pl.col("memory_gb") * 1e9)).ceil().cast(pl.Int64).alias("min_gpus_for_weights"),
            (pl.col("tokens_per_second_per_gpu") * utilization).alias("effective_tokens_per_second_per_gpu"),
            interconnect_text(pl.col("interconnect_intra"), pl.col("interconnect_inter")).alias("interconnect"),
        )
    )
    frame = with_electricity(with_server_power(frame), energy, datacenter_pue)
    hours_per_million = 1e6 / (pl.col("effective_tokens_per_second_per_gpu") * 3600.0)
    frame = frame.with_columns(
        energy_kwh(hours_per_million, pl.col("power_w_per_gpu"), pl.col("pue")).alias("energy_kwh_per_million_tokens"),
    ).with_columns(
        energy_cost_usd(pl.col("energy_kwh_per_million_tokens"), pl.col("tariff_usd_per_kwh")).alias(
            "energy_cost_per_million_tokens_usd"
        ),
        co2_kg(pl.col("energy_kwh_per_million_tokens"), pl.col("grid_gco2_per_kwh")).alias("co2_kg_per_million_tokens"),
        pl.lit(computed_at).alias("computed_at"),
    )
    return frame.select(INFERENCE_COST_COLUMNS).sort(
        "model", "precision", "pricing", "cost_per_million_tokens_blended_usd", "price_provider", nulls_last=True
    )


def _cost_row(offer, point, model, precision, workload, utilization, basis, measured) -> dict:
    g = offer["gpus_per_instance"] or 1.0
    r = point["replica_gpus"]
    per_gpu = serving.replica_price_per_gpu_hour(
        offer["price_per_gpu_hour_usd"], r if offer["offer_class"] == "tpu_slice" else g, r
    )
    costs = serving.token_costs(point, per_gpu, workload, utilization)
    row = {
        "model": model,
        "gpu_model": offer["gpu_model"],
        "precision": precision,
        "pricing_kind": offer["pricing"],
        "throughput_basis": basis,
        **{k: point.get(k) for k in POINT_COLUMNS},
        "price_per_gpu_hour_usd": offer["price_per_gpu_hour_usd"],
        "price_per_replica_gpu_hour_usd": per_gpu,
        **costs,
        "price_provider": offer["provider"],
        "price_region": offer["region"],
        "price_instance_type": offer["instance_type"],
        "price_source": offer["source"],
        "price_snapshot_date": offer["snapshot_date"],
        "price_origin": offer["origin"],
        "offer_class": offer["offer_class"],
        "gpus_per_instance": offer["gpus_per_instance"],
        "interconnect_intra": offer["interconnect_intra"],
        "interconnect_inter": offer["interconnect_inter"],
        "interconnect_basis": offer["interconnect_basis"],
        "marketplace_offers": offer.get("offer_count"),
        "throughput_source": serving_source(point) if measured is None else measured["source"],
    }
    if measured is not None:
        row |= {
            "measured_gpus": measured["gpus"],
            "measured_precision": measured["precision"],
            "measured_input_tokens": measured["input_tokens"],
            "measured_output_tokens": measured["output_tokens"],
        }
    return row


def serving_source(point: dict) -> str:
    return (
        f"modeled (costmodel/serving.py): {point['replica_gpus']}-GPU replica, batch {point['batch_size']}, "
        f"compute efficiency {point['compute_efficiency']:g}, bandwidth efficiency {point['bandwidth_efficiency']:g}"
    )


def _measured_rows(offers, throughput, points, models, workload, utilization) -> list[dict]:
    """Measured records (phase both, lengths known): their throughput per GPU on offers that can host their group."""
    rows = []
    known = set(models["model"])
    for m in throughput_records(throughput).iter_rows(named=True):
        if m["model"] not in known or (m.get("phase") or "both") != "both" or m.get("output_tokens") is None:
            continue
        precision = {"fp16": "bf16", "int8": "fp8"}.get(m.get("precision") or "bf16", m.get("precision") or "bf16")
        candidates = [
            (limit, p)
            for (model, gpu_model, prec, limit), p in points.items()
            if model == m["model"] and gpu_model == m["gpu_model"] and prec == precision
        ]
        for offer in offers.filter(pl.col("gpu_model") == m["gpu_model"]).iter_rows(named=True):
            if offer["replica_limit"] < m["gpus"]:
                continue
            modeled = next((p for limit, p in candidates if limit == offer["replica_limit"]), None)
            scale = modeled["tokens_per_second_per_gpu"] / m["tokens_per_second_per_gpu"] if modeled else None
            point = {
                "replica_gpus": int(m["gpus"]),
                "tokens_per_second_per_gpu": m["tokens_per_second_per_gpu"],
                "prefill_tokens_per_second_per_gpu": modeled["prefill_tokens_per_second_per_gpu"] / scale
                if scale
                else None,
                "decode_tokens_per_second_per_gpu": modeled["decode_tokens_per_second_per_gpu"] / scale
                if scale
                else None,
                "kv_precision": m.get("kv_precision"),
            }
            own = serving.Workload(m.get("input_tokens") or workload.input_tokens, m["output_tokens"])
            row = _cost_row(offer, point, m["model"], precision, own, utilization, "measured", m)
            row["cost_per_million_tokens_usd"] = cost_per_million_tokens_usd(
                row["price_per_replica_gpu_hour_usd"], m["tokens_per_second_per_gpu"], utilization
            )
            rows.append(row)
    return rows


def _token_cost_key() -> pl.Expr:
    return pl.coalesce("cost_per_million_tokens_blended_usd", "cost_per_million_tokens_usd")


def _choose(rows: pl.DataFrame) -> pl.DataFrame:
    """The price choices of costmodel.prices, by cost per token: cheapest on-demand, cheapest spot, the median
    on-demand offer, the cheapest on-demand offer at each provider; per (model, GPU, precision, basis, measured
    record)."""
    keys = ["model", "gpu_model", "precision", "throughput_basis", "throughput_source"]
    if rows.is_empty():
        return rows.with_columns(pl.lit(None, pl.String).alias("pricing"), pl.lit(None, pl.Int64).alias("price_offers"))
    ordered = rows.with_columns(_token_cost_key().alias("_cost")).sort(
        "_cost", "price_provider", "price_region", "price_instance_type", nulls_last=True
    )
    counts = ordered.group_by([*keys, "pricing_kind"]).agg(pl.len().cast(pl.Int64).alias("price_offers"))
    out = []
    for kind in PRICINGS:
        some = ordered.filter(pl.col("pricing_kind") == kind)
        out.append(some.unique(keys, keep="first", maintain_order=True).with_columns(pl.lit(kind).alias("pricing")))
    on_demand = ordered.filter(pl.col("pricing_kind") == "on_demand")
    median = (
        on_demand.with_columns(pl.int_range(pl.len()).over(keys).alias("_i"), pl.len().over(keys).alias("_n"))
        .filter(pl.col("_i") == (pl.col("_n") - 1) // 2)
        .drop("_i", "_n")
        .with_columns(pl.lit("on_demand_median").alias("pricing"))
    )
    provider = on_demand.unique([*keys, "price_provider"], keep="first", maintain_order=True).with_columns(
        pl.lit("on_demand_provider").alias("pricing")
    )
    chosen = pl.concat([*out, median, provider], how="diagonal_relaxed")
    return chosen.join(counts, on=[*keys, "pricing_kind"], how="left").drop("_cost", "pricing_kind")


_ROW_SCHEMA = {
    "model": pl.String,
    "gpu_model": pl.String,
    "precision": pl.String,
    "pricing_kind": pl.String,
    "throughput_basis": pl.String,
    "replica_gpus": pl.Int64,
    "replica_gpus_min": pl.Int64,
    "batch_size": pl.Int64,
    "batch_size_memory_max": pl.Int64,
    "kv_precision": pl.String,
    "kv_cache_bytes_per_token": pl.Float64,
    "weights_bytes": pl.Float64,
    "weight_bytes_per_param": pl.Float64,
    "compute_efficiency": pl.Float64,
    "bandwidth_efficiency": pl.Float64,
    "peak_tflops_dense": pl.Float64,
    "peak_precision": pl.String,
    "tokens_per_second_compute_bound": pl.Float64,
    "tokens_per_second_bandwidth_bound": pl.Float64,
    "prefill_tokens_per_second_per_gpu": pl.Float64,
    "decode_tokens_per_second_per_gpu": pl.Float64,
    "tokens_per_second_per_gpu": pl.Float64,
    "tokens_per_second_per_user": pl.Float64,
    "ttft_s": pl.Float64,
    "bound": pl.String,
    "price_per_gpu_hour_usd": pl.Float64,
    "price_per_replica_gpu_hour_usd": pl.Float64,
    "cost_per_million_input_tokens_usd": pl.Float64,
    "cost_per_million_output_tokens_usd": pl.Float64,
    "cost_per_million_tokens_blended_usd": pl.Float64,
    "cost_per_query_tokens_usd": pl.Float64,
    "cost_per_million_tokens_usd": pl.Float64,
    "price_provider": pl.String,
    "price_region": pl.String,
    "price_instance_type": pl.String,
    "price_source": pl.String,
    "price_snapshot_date": pl.Date,
    "price_origin": pl.String,
    "offer_class": pl.String,
    "gpus_per_instance": pl.Float64,
    "interconnect_intra": pl.String,
    "interconnect_inter": pl.String,
    "interconnect_basis": pl.String,
    "marketplace_offers": pl.Int64,
    "throughput_source": pl.String,
    "measured_gpus": pl.Float64,
    "measured_precision": pl.String,
    "measured_input_tokens": pl.Float64,
    "measured_output_tokens": pl.Float64,
}


def inference_curves(
    models: pl.DataFrame,
    architectures: pl.DataFrame | None,
    specs: pl.DataFrame,
    *,
    precisions=serving.SERVING_PRECISIONS,
    input_tokens: float = serving.DEFAULT_INPUT_TOKENS,
    output_tokens: float = serving.DEFAULT_OUTPUT_TOKENS,
    gpu_models: list[str] | None = None,
    computed_at: dt.datetime,
) -> pl.DataFrame:
    """Throughput per GPU against speed per user for each model x GPU x precision: the replica the model picks
    (whole nodes over a fabric allowed) at batch 1, 2, 4 ... up to the memory limit."""
    archs = serving.architectures(models, architectures)
    rows = []
    for precision in precisions:
        gpus = serving.gpus_for_specs(specs, precision)
        for gpu_model, gpu in gpus.items():
            if gpu_models is not None and gpu_model not in gpu_models:
                continue
            for model, arch in archs.items():
                w = serving.Workload(input_tokens, output_tokens, precision)
                try:
                    curve = serving.serving_curve(arch, gpu, w)
                except serving.ServingError:
                    continue
                rows += [
                    {
                        "model": model,
                        "gpu_model": gpu_model,
                        "precision": precision,
                        "kv_precision": w.kv,
                        "peak_precision": gpu.peak_precision,
                        "input_tokens": input_tokens,
                        "output_tokens": output_tokens,
                        **{k: p[k] for k in CURVE_POINT_COLUMNS},
                    }
                    for p in curve
                ]
    schema = {
        "model": pl.String,
        "gpu_model": pl.String,
        "precision": pl.String,
        "kv_precision": pl.String,
        "peak_precision": pl.String,
        "input_tokens": pl.Float64,
        "output_tokens": pl.Float64,
        "replica_gpus": pl.Int64,
        "batch_size": pl.Int64,
        "tokens_per_second_per_user": pl.Float64,
        "tokens_per_second_per_gpu": pl.Float64,
        "decode_tokens_per_second_per_gpu": pl.Float64,
        "prefill_tokens_per_second_per_gpu": pl.Float64,
        "ttft_s": pl.Float64,
        "bound": pl.String,
    }
    return pl.DataFrame(rows, schema=schema).with_columns(pl.lit(computed_at).alias("computed_at"))


CURVE_POINT_COLUMNS = (
    "replica_gpus",
    "batch_size",
    "tokens_per_second_per_user",
    "tokens_per_second_per_gpu",
    "decode_tokens_per_second_per_gpu",
    "prefill_tokens_per_second_per_gpu",
    "ttft_s",
    "bound",
)


def inference_validation(
    throughput: pl.DataFrame,
    models: pl.DataFrame,
    architectures: pl.DataFrame | None,
    specs: pl.DataFrame,
    *,
    computed_at: dt.datetime,
) -> pl.DataFrame:
    """marts.inference_validation: the serving model against every measured row (costmodel.serving.validate_serving)."""
    return serving.validate_serving(throughput, models, architectures, specs).with_columns(
        pl.lit(computed_at).alias("computed_at")
    )


def serving_exclusions(
    models: pl.DataFrame,
    architectures: pl.DataFrame | None,
    specs: pl.DataFrame,
    prices: pl.DataFrame,
    interconnect: pl.DataFrame | None,
    **workload,
) -> pl.DataFrame:
    """Why a model has no serving row on a priced GPU model at a precision (for the mart's check)."""
    offers = _offers(prices, specs, interconnect)
    limits = {g: grp["replica_limit"].to_list() for (g,), grp in offers.partition_by("gpu_model", as_dict=True).items()}
    _, excluded = serving_points(models, architectures, specs, limits, **workload)
    schema = {"model": pl.String, "gpu_model": pl.String, "precision": pl.String, "reason": pl.String}
    return pl.DataFrame(excluded, schema=schema).with_columns(pl.lit("serving").alias("workload"))


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
    # issue 10: precision, workload, replica and batch, phases, bound, token costs, the offer
    "precision",
    "kv_precision",
    "input_tokens",
    "output_tokens",
    "target_tokens_per_second_per_user",
    "target_ttft_s",
    "replica_gpus",
    "replica_gpus_min",
    "batch_size_memory_max",
    "kv_cache_bytes_per_token",
    "weights_bytes",
    "prefill_tokens_per_second_per_gpu",
    "decode_tokens_per_second_per_gpu",
    "tokens_per_second_per_user",
    "ttft_s",
    "bound",
    "bandwidth_efficiency",
    "price_per_replica_gpu_hour_usd",
    "cost_per_million_input_tokens_usd",
    "cost_per_million_output_tokens_usd",
    "cost_per_million_tokens_blended_usd",
    "cost_per_query_tokens_usd",
    "offer_class",
    "gpus_per_instance",
    "interconnect_intra",
    "interconnect_inter",
    "interconnect",
    "interconnect_basis",
    "marketplace_offers",
    "power_basis",
]

"""`gpucost estimate training|inference`: one model on one GPU, every assumption listed with its source."""

from __future__ import annotations

import argparse

import polars as pl

from assets.reference import files
from costmodel import inference, training
from costmodel.ownership import (
    DEFAULT_CLUSTER_OVERHEAD,
    DEFAULT_DEPRECIATION_PER_YEAR,
    OWNERSHIP_SOURCE,
    capex_per_gpu,
    capex_per_gpu_hour,
)
from costmodel.power import energy_cost_usd, energy_kwh, power_w_per_gpu
from pipeline.commands import UsageError, one_line_errors
from pipeline.commands.cost_inputs import (
    add_electricity_arguments,
    add_price_arguments,
    assumption,
    count,
    emit,
    fraction,
    model_params,
    number,
    purchase_price,
    reference,
    resolve_electricity,
    resolve_gpu,
    resolve_price,
)

TRAINING_KEYS = (
    "flops",
    "gpu_hours",
    "gpu_hours_low",
    "gpu_hours_high",
    "price_per_gpu_hour_usd",
    "cloud_cost_usd",
    "cloud_cost_usd_low",
    "cloud_cost_usd_high",
    "energy_kwh",
    "energy_cost_usd",
)
WORKLOAD_KEYS = (
    "servers",
    "servers_rounded_up",
    "gpus",
    "capex_usd",
    "cost_per_day_usd",
    "cost_per_year_usd",
    "cost_per_query_usd",
    "energy_kwh_per_day",
    "energy_cost_per_day_usd",
)


def register(subparsers) -> None:
    estimate = one_line_errors(
        subparsers.add_parser("estimate", help="what training or serving one model on one GPU costs")
    )
    kinds = estimate.add_subparsers(dest="estimate_kind", required=True, metavar="{training,inference}")

    t = one_line_errors(
        kinds.add_parser(
            "training", help="FLOPs, GPU-hours (central, low, high), days, cloud cost, energy, CO2, owned cost"
        )
    )
    _model_arguments(t)
    t.add_argument("--tokens", type=number, help="training tokens (default: the reference model's)")
    t.add_argument("--mfu", type=fraction, help=f"central model FLOPs utilization (default {training.DEFAULT_MFU})")
    t.add_argument("--mfu-low", type=fraction, help=f"low end of the MFU band (default {training.DEFAULT_MFU_LOW})")
    t.add_argument("--mfu-high", type=fraction, help=f"high end of the MFU band (default {training.DEFAULT_MFU_HIGH})")
    t.add_argument("--gpus", type=count, help="cluster size, for wall-clock days")
    _server_arguments(t)
    t.add_argument(
        "--lifetime-years",
        type=number,
        help="amortize owned hardware straight-line over this many years (default: Epoch AI depreciation)",
    )
    t.add_argument(
        "--cluster-overhead",
        type=number,
        help="owned hardware: cluster cost / server cost, for interconnect (default 1/(1-0.19) = 1.23)",
    )
    add_price_arguments(t)
    add_electricity_arguments(t)
    t.add_argument("--json", action="store_true")
    t.set_defaults(func=cmd_training)

    i = one_line_errors(
        kinds.add_parser("inference", help="tokens/s per GPU, $ per 1M tokens, and the fleet a workload needs")
    )
    _model_arguments(i)
    i.add_argument(
        "--tokens-per-second-per-gpu",
        type=number,
        help="measured throughput per GPU while busy (default: the throughput file, else modeled)",
    )
    i.add_argument("--mfu", type=fraction, help=f"MFU of the compute-bound ceiling (default {inference.DEFAULT_MFU})")
    i.add_argument(
        "--batch-size",
        type=count,
        help=f"sequences decoded together, for the bandwidth-bound ceiling (default {inference.DEFAULT_BATCH_SIZE})",
    )
    i.add_argument(
        "--bytes-per-param",
        type=number,
        help=f"bytes per weight: 2 BF16, 1 FP8/INT8 (default {inference.DEFAULT_BYTES_PER_PARAM:g})",
    )
    i.add_argument(
        "--utilization",
        type=fraction,
        help=f"share of time the GPUs are busy (default {inference.DEFAULT_UTILIZATION:g})",
    )
    workload = i.add_mutually_exclusive_group()
    workload.add_argument("--qps", type=number, help="queries per second")
    workload.add_argument("--queries-per-day", type=number, help="queries per day")
    i.add_argument("--tokens-per-query", type=number, help="generated tokens per query")
    _server_arguments(i)
    add_price_arguments(i)
    add_electricity_arguments(i)
    i.add_argument("--json", action="store_true")
    i.set_defaults(func=cmd_inference)


def _model_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", help="a reference model (see assets/reference/data/reference_models.csv)")
    parser.add_argument("--params", type=number, help="total parameters, e.g. 70B")
    parser.add_argument(
        "--active-params", type=number, help="active parameters per token (mixture of experts; default: --params)"
    )
    parser.add_argument("--gpu", required=True, help="GPU model or alias, e.g. H100-SXM, H100, A100-80GB, TPU-v5e")


def _server_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--gpus-per-server", type=count, default=inference.DEFAULT_GPUS_PER_SERVER, help="GPUs per server (default 8)"
    )
    parser.add_argument(
        "--server-price-usd", type=number, help="purchase price of one server (default: gpu_purchase_prices.csv)"
    )
    parser.add_argument("--server-power-kw", type=number, help="power of one server in kW (default: the GPUs' TDP)")


def _power(args, gpu: dict, assumptions: dict) -> float | None:
    if args.server_power_kw is not None:
        assumptions["power_w_per_gpu"] = assumption(
            power_w_per_gpu(server_power_kw=args.server_power_kw, gpus_per_server=args.gpus_per_server),
            f"given: {args.server_power_kw:g} kW per server / {args.gpus_per_server} GPUs",
        )
    elif gpu["tdp_w"] is not None:
        assumptions["power_w_per_gpu"] = assumption(gpu["tdp_w"], f"TDP, gpu_specs.csv: {gpu['source']}")
    return assumptions.get("power_w_per_gpu", {}).get("value")


def _gpu_assumptions(gpu: dict) -> dict:
    source = f"gpu_specs.csv: {gpu['source']}"
    return {
        "gpu_model": assumption(gpu["gpu_model"], source),
        "peak_tflops_dense": assumption(gpu["peak_tflops_dense"], f"dense {gpu['peak_precision']} peak, {source}"),
    }


def cmd_training(args) -> int:
    model, assumptions = model_params(args)
    tokens = args.tokens or model.get("training_tokens")
    if tokens is None:
        raise UsageError(
            f"model {model['model']} has no published training tokens: pass --tokens"
            if model["model"]
            else "missing input: --tokens"
        )
    assumptions["training_tokens"] = assumption(
        tokens, "given" if args.tokens else assumptions["params_active"]["source"]
    )
    gpu = resolve_gpu(args.gpu)
    assumptions |= _gpu_assumptions(gpu)
    try:
        band = training.mfu_band(args.mfu, args.mfu_low, args.mfu_high)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    mfu_source = "given" if args.mfu else training.MFU_SOURCE
    assumptions |= {
        "mfu": assumption(band[1], mfu_source),
        "mfu_low": assumption(band[0], "given" if args.mfu_low else training.MFU_SOURCE),
        "mfu_high": assumption(band[2], "given" if args.mfu_high else training.MFU_SOURCE),
    }
    if args.gpus:
        assumptions["gpus"] = assumption(args.gpus, "given")
    offer, price_assumptions = resolve_price(args, gpu["gpu_model"])
    assumptions |= price_assumptions
    electricity, electricity_assumptions = resolve_electricity(args, offer)
    power = _power(args, gpu, assumptions)
    assumptions |= electricity_assumptions
    capex_hour = _capex_per_gpu_hour(args, gpu["gpu_model"], assumptions)
    result = training.training_estimate(
        params_active=assumptions["params_active"]["value"],
        tokens=tokens,
        peak_tflops_dense=gpu["peak_tflops_dense"],
        mfu=band,
        price_per_gpu_hour_usd=price_assumptions["price_per_gpu_hour_usd"]["value"],
        power_w_per_gpu=power,
        electricity=electricity,
        gpus=args.gpus,
        capex_usd_per_gpu_hour=capex_hour,
    )
    emit(
        {
            "model": model["model"],
            "gpu_model": gpu["gpu_model"],
            **dict.fromkeys(TRAINING_KEYS),
            **result,
            "assumptions": assumptions,
        },
        args.json,
    )
    return 0


def _capex_per_gpu_hour(args, gpu_model: str, assumptions: dict) -> float | None:
    """Amortized capex per GPU-hour from --server-price-usd or the purchase price file (None without either)."""
    if args.server_price_usd is not None:
        per_gpu, source = (
            args.server_price_usd / args.gpus_per_server,
            f"given: ${args.server_price_usd:,.0f} per server / {args.gpus_per_server} GPUs",
        )
    elif (row := purchase_price(gpu_model)) is not None:
        per_gpu, source = (
            row["server_price_per_gpu_usd"],
            f"gpu_purchase_prices.csv ({row['price_date']}): {row['source']}",
        )
    else:
        return None
    overhead = args.cluster_overhead or DEFAULT_CLUSTER_OVERHEAD
    assumptions |= {
        "server_price_per_gpu_usd": assumption(per_gpu, source),
        "cluster_overhead": assumption(overhead, "given" if args.cluster_overhead else OWNERSHIP_SOURCE),
    }
    if args.lifetime_years is not None:
        assumptions["lifetime_years"] = assumption(args.lifetime_years, "given")
        return capex_per_gpu_hour(capex_per_gpu(per_gpu, overhead), lifetime_years=args.lifetime_years)
    assumptions["depreciation_per_year"] = assumption(DEFAULT_DEPRECIATION_PER_YEAR, OWNERSHIP_SOURCE)
    return capex_per_gpu_hour(capex_per_gpu(per_gpu, overhead), depreciation_per_year=DEFAULT_DEPRECIATION_PER_YEAR)


def _throughput(args, model: dict, gpu: dict, assumptions: dict) -> tuple[float, str, dict]:
    """Tokens/s per GPU while busy: given > measured in the throughput file > modeled; plus both modeled ceilings."""
    active = assumptions["params_active"]["value"]
    mfu = args.mfu or inference.DEFAULT_MFU
    batch = args.batch_size or inference.DEFAULT_BATCH_SIZE
    bytes_per_param = args.bytes_per_param or inference.DEFAULT_BYTES_PER_PARAM
    ceilings = {
        "tokens_per_second_compute_bound": inference.compute_bound_tokens_per_second(
            gpu["peak_tflops_dense"], mfu, active
        )
    }
    if gpu["memory_bandwidth_tbps"] is not None:
        ceilings["tokens_per_second_bandwidth_bound"] = inference.bandwidth_bound_tokens_per_second(
            gpu["memory_bandwidth_tbps"], active, batch, bytes_per_param, assumptions["params_total"]["value"]
        )
    if args.tokens_per_second_per_gpu is not None:
        assumptions["tokens_per_second_per_gpu"] = assumption(args.tokens_per_second_per_gpu, "given")
        return args.tokens_per_second_per_gpu, "given", ceilings
    modeling_given = any(v is not None for v in (args.mfu, args.batch_size, args.bytes_per_param))
    if model["model"] and not modeling_given:
        records = (
            inference.throughput_records(reference(files.INFERENCE_THROUGHPUT))
            .filter((pl.col("model") == model["model"]) & (pl.col("gpu_model") == gpu["gpu_model"]))
            .sort("input_tokens", "output_tokens", "precision", nulls_last=True)
        )
        if records.height:
            r = records.row(0, named=True)
            assumptions["tokens_per_second_per_gpu"] = assumption(
                r["tokens_per_second_per_gpu"],
                f"inference_throughput.csv: {r['tokens_per_second']:g} tok/s on {r['gpus']:g} GPUs, {r['precision']}, "
                f"{_fmt_len(r['input_tokens'])}/{_fmt_len(r['output_tokens'])} tokens in/out: {r['source']}",
            )
            return r["tokens_per_second_per_gpu"], "measured", ceilings
    default = inference.ASSUMPTION_SOURCE
    assumptions |= {
        "mfu": assumption(mfu, "given" if args.mfu else default),
        "batch_size": assumption(batch, "given" if args.batch_size else default),
        "bytes_per_param": assumption(bytes_per_param, "given" if args.bytes_per_param else default),
    }
    modeled = inference.modeled_tokens_per_second(
        ceilings["tokens_per_second_compute_bound"], ceilings.get("tokens_per_second_bandwidth_bound")
    )
    return modeled, "modeled", ceilings


def _fmt_len(value) -> str:
    return "?" if value is None else f"{value:g}"


def cmd_inference(args) -> int:
    model, assumptions = model_params(args)
    gpu = resolve_gpu(args.gpu)
    assumptions |= _gpu_assumptions(gpu)
    if (args.qps or args.queries_per_day) and args.tokens_per_query is None:
        raise UsageError("missing input: a workload (--qps or --queries-per-day) needs --tokens-per-query")
    if args.tokens_per_query is not None and not (args.qps or args.queries_per_day):
        raise UsageError("--tokens-per-query describes a workload: add --qps or --queries-per-day")
    per_gpu, basis, ceilings = _throughput(args, model, gpu, assumptions)
    utilization = args.utilization or inference.DEFAULT_UTILIZATION
    assumptions["utilization"] = assumption(
        utilization, "given" if args.utilization else "default: busy all the time (the best case)"
    )
    offer, price_assumptions = resolve_price(args, gpu["gpu_model"])
    assumptions |= price_assumptions
    price = price_assumptions["price_per_gpu_hour_usd"]["value"]
    electricity, electricity_assumptions = resolve_electricity(args, offer)
    power = _power(args, gpu, assumptions)
    assumptions |= electricity_assumptions
    result = {
        "model": model["model"],
        "gpu_model": gpu["gpu_model"],
        "throughput_basis": basis,
        "tokens_per_second_per_gpu": per_gpu,
        "effective_tokens_per_second_per_gpu": per_gpu * utilization,
        **ceilings,
        "price_per_gpu_hour_usd": price,
        "cost_per_million_tokens_usd": inference.cost_per_million_tokens_usd(price, per_gpu, utilization),
    }
    if power is not None:
        kwh = energy_kwh(1e6 / (per_gpu * utilization * 3600.0), power, electricity.pue)
        result |= {
            "energy_kwh_per_million_tokens": kwh,
            "energy_cost_per_million_tokens_usd": energy_cost_usd(kwh, electricity.tariff_usd_per_kwh),
        }
    if args.qps or args.queries_per_day:
        result |= _workload(args, gpu, per_gpu * utilization, price, power, electricity, assumptions)
    emit({**result, "assumptions": assumptions}, args.json)
    return 0


def _workload(
    args, gpu: dict, effective: float, price: float, power: float | None, electricity, assumptions: dict
) -> dict:
    per_day = args.queries_per_day or args.qps * inference.SECONDS_PER_DAY
    tokens_per_second = inference.workload_tokens_per_second(args.tokens_per_query, queries_per_day=per_day)
    assumptions |= {
        "queries_per_day": assumption(per_day, "given" if args.queries_per_day else "given: --qps x 86,400"),
        "tokens_per_query": assumption(args.tokens_per_query, "given"),
        "gpus_per_server": assumption(
            args.gpus_per_server, "given" if args.gpus_per_server != inference.DEFAULT_GPUS_PER_SERVER else "default"
        ),
    }
    server_price = args.server_price_usd
    if server_price is not None:
        assumptions["server_price_usd"] = assumption(server_price, "given")
    elif (row := purchase_price(gpu["gpu_model"])) is not None:
        server_price = row["server_price_per_gpu_usd"] * args.gpus_per_server
        assumptions["server_price_usd"] = assumption(
            server_price,
            f"gpu_purchase_prices.csv ({row['price_date']}) x {args.gpus_per_server} GPUs: {row['source']}",
        )
    figures = inference.fleet(
        gpus_exact=tokens_per_second / effective,
        gpus_per_server=args.gpus_per_server,
        price_per_gpu_hour_usd=price,
        queries_per_day=per_day,
        server_price_usd=server_price,
        power_w_per_gpu=power,
        server_power_kw=args.server_power_kw,
        electricity=electricity,
    )
    return {
        "tokens_per_second": tokens_per_second,
        "queries_per_day": per_day,
        **dict.fromkeys(WORKLOAD_KEYS),
        **figures,
    }

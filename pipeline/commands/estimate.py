"""`gpucost estimate training|inference`: one model on one GPU, every assumption listed with its source."""

from __future__ import annotations

import argparse
import datetime as dt
import math

import polars as pl

from assets.reference import files
from costmodel import inference, serving, training
from costmodel.offers import TRAINING_STATE_BYTES_PER_PARAM, classify_offers
from costmodel.ownership import (
    DEFAULT_CLUSTER_OVERHEAD,
    DEFAULT_DEPRECIATION_PER_YEAR,
    OWNERSHIP_SOURCE,
    capex_per_gpu,
    capex_per_gpu_hour,
)
from costmodel.power import energy_cost_usd, energy_kwh, power_w_per_gpu, server_power
from costmodel.prices import cheapest_prices
from costmodel.utilization import attention_flops_for
from pipeline.commands import UsageError, add_output_flags, subcommand
from pipeline.commands.cost_inputs import (
    add_electricity_arguments,
    add_price_arguments,
    assumption,
    count,
    emit,
    fraction,
    model_params,
    number,
    offer_json,
    priced_offer_source,
    purchase_price,
    reference,
    resolve_electricity,
    resolve_gpu,
    warehouse_prices,
)

TRAINING_KEYS = (
    "flops",
    "flops_attention",
    "gpu_hours",
    "gpu_hours_low",
    "gpu_hours_high",
    "price_per_gpu_hour_usd",
    "cloud_cost_usd",
    "cloud_cost_usd_low",
    "cloud_cost_usd_high",
    "energy_kwh",
    "energy_cost_usd",
    "utilization_basis",
    "offer",
)
INFERENCE_KEYS = (
    "replica_gpus",
    "batch_size",
    "kv_cache_bytes_per_token",
    "prefill_tokens_per_second_per_gpu",
    "decode_tokens_per_second_per_gpu",
    "bound",
    "cost_per_million_input_tokens_usd",
    "cost_per_million_output_tokens_usd",
    "cost_per_million_tokens_blended_usd",
    "offer",
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


DESCRIPTION = """\
Price one model on one GPU from the warehouse's prices and tariffs, with every assumption shown
beside its source. `training`: FLOPs (6ND + attention), GPU-hours at utilization from published
runs, days, cloud cost on an offer that can train it, energy, CO2 and the cost of owning the
cluster. `inference`: the replica that holds the weights and KV cache, prefill and decode speed,
$ per 1M input and output tokens on an offer that hosts the replica, and the fleet a workload needs."""

TRAINING_EXAMPLES = """\
gpucost estimate training --model "GPT-3 175B" --gpu H100
gpucost estimate training --model "Llama 3.1 405B" --gpu H100 --gpus 16384 --pricing spot
gpucost estimate training --params 7B --tokens 2T --gpu A100-80GB --price-per-gpu-hour 1.50 --json
"""

INFERENCE_EXAMPLES = """\
gpucost estimate inference --model "Llama 3.3 70B" --gpu H100
gpucost estimate inference --model "Llama 3.1 405B" --gpu H100 --precision fp8 --input-tokens-per-query 2000
gpucost estimate inference --model "Llama 3.3 70B" --gpu H100 --qps 20 --tokens-per-query 500 --csv
"""


def register(subparsers, name: str) -> None:
    estimate = subcommand(
        subparsers,
        name,
        "what training or serving one model on one GPU costs",
        DESCRIPTION,
        TRAINING_EXAMPLES + INFERENCE_EXAMPLES,
    )
    kinds = estimate.add_subparsers(dest="estimate_kind", required=True, metavar="{training,inference}")

    t = subcommand(
        kinds,
        "training",
        "FLOPs, GPU-hours (central, low, high), days, cloud cost, energy, CO2, owned cost",
        DESCRIPTION.split("\n`inference`")[0],
        TRAINING_EXAMPLES,
    )
    _model_arguments(t)
    t.add_argument("--tokens", type=number, help="training tokens (default: the reference model's)")
    t.add_argument(
        "--mfu",
        type=fraction,
        help="central utilization (default: the median end-to-end utilization of published runs)",
    )
    t.add_argument("--mfu-low", type=fraction, help="low end of the utilization band (default: p10 of published runs)")
    t.add_argument(
        "--mfu-high", type=fraction, help="high end of the utilization band (default: p90 of published runs)"
    )
    t.add_argument("--gpus", type=count, help="cluster size, for wall-clock days (at least what holds the state)")
    t.add_argument(
        "--precision", choices=training.TRAINING_PRECISIONS, default="bf16", help="training precision (default bf16)"
    )
    t.add_argument(
        "--sequence-length", type=count, help="training sequence length for the attention FLOPs (default: the model's)"
    )
    t.add_argument(
        "--training-start", type=_date, help="owned hardware: when training starts, YYYY-MM-DD (default: today)"
    )
    t.add_argument("--cost-of-capital", type=fraction, help="owned hardware: annual cost of capital, e.g. 0.08")
    t.add_argument(
        "--colocation-usd-per-kw-month", type=number, help="owned hardware: colocation $ per kW of server power a month"
    )
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
    add_output_flags(t)
    t.set_defaults(func=cmd_training)

    i = subcommand(
        kinds,
        "inference",
        "tokens/s per GPU, $ per 1M tokens, and the fleet a workload needs",
        DESCRIPTION,
        INFERENCE_EXAMPLES,
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
    i.add_argument("--tokens-per-query", type=number, help="generated tokens per query (= --output-tokens-per-query)")
    i.add_argument(
        "--input-tokens-per-query",
        type=number,
        help=f"prompt tokens per query (default {serving.DEFAULT_INPUT_TOKENS:g})",
    )
    i.add_argument(
        "--output-tokens-per-query",
        type=number,
        help=f"generated tokens per query (default {serving.DEFAULT_OUTPUT_TOKENS:g})",
    )
    i.add_argument(
        "--precision", choices=serving.SERVING_PRECISIONS, help="weight precision (default: fp8; measured rows: any)"
    )
    i.add_argument("--kv-precision", choices=("bf16", "fp8", "fp4"), help="KV-cache precision (default: the weights')")
    i.add_argument(
        "--context-length", type=number, help="tokens per sequence, input + output (sets the input when not given)"
    )
    i.add_argument(
        "--tokens-per-second-per-user", type=number, help="interactivity target: generated tokens/s each user sees"
    )
    i.add_argument("--ttft-seconds", type=number, help="time-to-first-token target in seconds")
    _server_arguments(i)
    add_price_arguments(i)
    add_electricity_arguments(i)
    add_output_flags(i)
    i.set_defaults(func=cmd_inference)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


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
    else:
        average, _, basis = server_power(gpu)
        if average is not None:
            assumptions["power_w_per_gpu"] = assumption(average, f"{basis}; gpu_specs.csv: {gpu['source']}")
    return assumptions.get("power_w_per_gpu", {}).get("value")


def _gpu_assumptions(gpu: dict) -> dict:
    source = f"gpu_specs.csv: {gpu['source']}"
    return {
        "gpu_model": assumption(gpu["gpu_model"], source),
        "peak_tflops_dense": assumption(gpu["peak_tflops_dense"], f"dense {gpu['peak_precision']} peak, {source}"),
    }


def _architecture(model: dict) -> dict | None:
    if not model.get("model"):
        return None
    found = reference(files.MODEL_ARCHITECTURES).filter(pl.col("model") == model["model"])
    return found.row(0, named=True) if found.height else None


def _pricing(args) -> str:
    return args.pricing or "on_demand"


def _training_offer(args, model: dict, gpu: dict, tokens: float) -> tuple[dict | None, dict]:
    """The cheapest offer of the GPU that can train the model (cluster-capable, holding the state), or the price
    given; one clear line when no offer can."""
    if args.price_per_gpu_hour is not None:
        if args.provider or args.pricing:
            raise UsageError("--price-per-gpu-hour replaces --provider/--pricing: give one or the other")
        return None, {"price_per_gpu_hour_usd": assumption(args.price_per_gpu_hour, "given")}
    prices = warehouse_prices()
    if args.provider is not None:
        prices = prices.filter(pl.col("provider").str.to_lowercase() == args.provider.lower())
    frame = pl.DataFrame(
        {
            "model": [model["model"] or "given"],
            "params_active": [float(model["params_active"])],
            "params_total": [float(model["params_total"])],
            "training_tokens": [float(tokens)],
        }
    )
    specs = reference(files.GPU_SPECS)
    eligible = training.training_offers(frame, specs, prices, reference(files.INSTANCE_INTERCONNECT), args.precision)
    best = cheapest_prices(eligible, _pricing(args)).filter(pl.col("gpu_model") == gpu["gpu_model"])
    if best.is_empty():
        where = f" at {args.provider}" if args.provider else ""
        listed = prices.filter(pl.col("gpu_model") == gpu["gpu_model"]).height
        why = (
            "no cluster-capable offer (a whole multi-GPU node with a cluster fabric, or a TPU slice) holds its "
            f"training state ({model['params_total'] * TRAINING_STATE_BYTES_PER_PARAM / 1e12:,.2f} TB)"
            if listed
            else "no price"
        )
        raise UsageError(
            f"no {_pricing(args)} offer of {gpu['gpu_model']}{where} in the warehouse can train this model: {why}; "
            "pass --price-per-gpu-hour to price your own cluster"
        )
    offer = best.row(0, named=True)
    return offer, {
        "price_per_gpu_hour_usd": assumption(
            offer["price_per_gpu_hour_usd"], priced_offer_source(offer, _pricing(args), "train it")
        ),
        "price_snapshot_date": assumption(str(offer["price_snapshot_date"]), "marts.latest_gpu_prices"),
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
    gpu = resolve_gpu(args.gpu, args.precision, strict=True)
    assumptions |= _gpu_assumptions(gpu) | {
        "precision": assumption(args.precision, "given" if args.precision != "bf16" else "default")
    }
    runs = reference(files.TRAINING_RUNS)
    models = reference(files.REFERENCE_MODELS)
    archs = reference(files.MODEL_ARCHITECTURES)
    try:
        band, basis = training.utilization_band(
            runs,
            models,
            reference(files.GPU_SPECS),
            archs,
            precision=args.precision,
            mfu=args.mfu,
            mfu_low=args.mfu_low,
            mfu_high=args.mfu_high,
        )
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    assumptions |= {
        "mfu": assumption(band[1], "given" if args.mfu else basis),
        "mfu_low": assumption(band[0], "given" if args.mfu_low else basis),
        "mfu_high": assumption(band[2], "given" if args.mfu_high else basis),
    }
    per_token, attention_basis = attention_flops_for(_architecture(model), args.sequence_length)
    assumptions["flops_attention_per_token"] = assumption(per_token, attention_basis)
    if args.sequence_length:
        assumptions["sequence_length"] = assumption(args.sequence_length, "given")
    min_gpus = None
    offer, price_assumptions = _training_offer(args, model, gpu, tokens)
    if offer is not None:
        node = max(1, int(offer["gpus_per_instance"] or 1))
        state = model["params_total"] * TRAINING_STATE_BYTES_PER_PARAM
        min_gpus = math.ceil(math.ceil(state / (offer["gpu_memory_gb"] * 1e9 * 0.9)) / node) * node
        assumptions["training_gpus_min"] = assumption(
            min_gpus,
            f"whole {node}-GPU nodes holding {state / 1e12:,.2f} TB of weights, gradients and Adam state "
            f"({TRAINING_STATE_BYTES_PER_PARAM:g} bytes/param, sharded) in 90% of memory",
        )
    if args.gpus:
        if min_gpus is not None and args.gpus < min_gpus:
            raise UsageError(
                f"{args.gpus} {gpu['gpu_model']} cannot hold the training state: the cluster needs at least {min_gpus}"
            )
        assumptions["gpus"] = assumption(args.gpus, "given")
    assumptions |= price_assumptions
    electricity, electricity_assumptions = resolve_electricity(args, offer)
    power = _power(args, gpu, assumptions)
    assumptions |= electricity_assumptions
    capex_hour = _capex_per_gpu_hour(args, gpu, assumptions, power)
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
        flops_attention=per_token * tokens,
    )
    emit(
        {
            "model": model["model"],
            "gpu_model": gpu["gpu_model"],
            **dict.fromkeys(TRAINING_KEYS),
            **result,
            "utilization_basis": assumptions["mfu"]["source"],
            "offer": offer_json(offer),
            "assumptions": assumptions,
        },
        args,
    )
    return 0


def _capex_per_gpu_hour(args, gpu: dict, assumptions: dict, power: float | None) -> float | None:
    """Fixed cost of an owned GPU-hour from --server-price-usd or the purchase price file (None without either):
    the Epoch way, its value depreciated from acquisition to training start, plus capital and colocation."""
    gpu_model = gpu["gpu_model"]
    start = args.training_start or dt.date.today()
    if args.server_price_usd is not None:
        row = {"server_price_per_gpu_usd": args.server_price_usd / args.gpus_per_server, "price_date": start}
        source = f"given: ${args.server_price_usd:,.0f} per server / {args.gpus_per_server} GPUs, bought at the start"
    elif (found := purchase_price(gpu_model)) is not None:
        row = found
        source = f"gpu_purchase_prices.csv ({found['price_date']}, {found.get('price_kind')}): {found['source']}"
    else:
        return None
    overhead = args.cluster_overhead or DEFAULT_CLUSTER_OVERHEAD
    per_gpu = row["server_price_per_gpu_usd"]
    assumptions |= {
        "server_price_per_gpu_usd": assumption(per_gpu, source),
        "cluster_overhead": assumption(overhead, "given" if args.cluster_overhead else OWNERSHIP_SOURCE),
    }
    if args.lifetime_years is not None:
        assumptions["lifetime_years"] = assumption(args.lifetime_years, "given")
        return capex_per_gpu_hour(capex_per_gpu(per_gpu, overhead), lifetime_years=args.lifetime_years)
    _, peak_power, _ = server_power(gpu)
    capex = training.owned_capex_per_gpu_hour(
        row,
        gpu,
        start,
        cluster_overhead=overhead,
        cost_of_capital=args.cost_of_capital,
        colocation_usd_per_kw_month=args.colocation_usd_per_kw_month,
        server_power_max_w_per_gpu=(args.server_power_kw * 1000 / args.gpus_per_server)
        if args.server_power_kw
        else peak_power,
    )
    assumptions |= {
        "depreciation_per_year": assumption(DEFAULT_DEPRECIATION_PER_YEAR, OWNERSHIP_SOURCE),
        "acquisition_date": assumption(
            str(capex["acquisition_date"]), "the price's date, no earlier than release + 90 days (Epoch AI)"
        ),
        "training_start_date": assumption(str(start), "given" if args.training_start else "default: today"),
        "value_at_start_usd_per_gpu": assumption(
            capex["value_at_start_usd_per_gpu"], "purchase price x 10^(-0.14 x years from acquisition to start)"
        ),
    }
    if args.cost_of_capital:
        assumptions["cost_of_capital"] = assumption(args.cost_of_capital, "given")
    if args.colocation_usd_per_kw_month:
        assumptions["colocation_usd_per_kw_month"] = assumption(args.colocation_usd_per_kw_month, "given")
    return capex["capex_usd_per_gpu_hour"]


def _lengths(args) -> tuple[float | None, float | None]:
    """(input, output) tokens per query as given (output: --output-tokens-per-query or --tokens-per-query)."""
    if args.tokens_per_query and args.output_tokens_per_query and args.tokens_per_query != args.output_tokens_per_query:
        raise UsageError("--tokens-per-query and --output-tokens-per-query both set the output tokens: give one")
    output = args.output_tokens_per_query or args.tokens_per_query
    inp = args.input_tokens_per_query
    if args.context_length is not None and inp is None:
        inp = args.context_length - (output or serving.DEFAULT_OUTPUT_TOKENS)
        if inp < 0:
            raise UsageError(f"--context-length {args.context_length:g} is shorter than the output tokens")
    return inp, output


def _close(a: float | None, b: float | None) -> bool:
    return a is None or b is None or abs(a - b) <= 0.1 * max(a, b)


def _measured(args, model: dict, gpu: dict, inp, out, assumptions: dict) -> tuple[float, float] | None:
    """Tokens/s per GPU of a measured record matching the query (model, GPU, precision when asked, lengths within
    10% when given), or None."""
    records = inference.throughput_records(reference(files.INFERENCE_THROUGHPUT)).filter(
        (pl.col("model") == model["model"]) & (pl.col("gpu_model") == gpu["gpu_model"]) & (pl.col("phase") == "both")
    )
    if args.precision:
        records = records.filter(pl.col("precision") == args.precision)
    # a max-throughput figure matches a query without latency targets; a batch-1 or per-user figure does not
    records = records.filter(pl.col("tokens_per_second_per_user").is_null() & pl.col("concurrency").is_null())
    matching = [
        r
        for r in records.sort("input_tokens", "output_tokens", "precision", nulls_last=True).iter_rows(named=True)
        if _close(inp, r["input_tokens"]) and _close(out, r["output_tokens"]) and r["output_tokens"] is not None
    ]
    if not matching:
        return None
    r = matching[0]
    assumptions["tokens_per_second_per_gpu"] = assumption(
        r["tokens_per_second_per_gpu"],
        f"inference_throughput.csv: {r['tokens_per_second']:g} tok/s on {r['gpus']:g} GPUs, {r['precision']}, "
        f"{_fmt_len(r['input_tokens'])}/{_fmt_len(r['output_tokens'])} tokens in/out, {r['scenario']}: {r['source']}",
    )
    return r["tokens_per_second_per_gpu"], r["gpus"]


def _weights_only(args, gpu: dict, assumptions: dict) -> tuple[float, dict]:
    """The weights-only roofline, for a model given only by its parameter counts (no architecture)."""
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
    default = inference.ASSUMPTION_SOURCE + " (weights-only roofline: no architecture for a model given by --params)"
    assumptions |= {
        "mfu": assumption(mfu, "given" if args.mfu else default),
        "batch_size": assumption(batch, "given" if args.batch_size else default),
        "bytes_per_param": assumption(bytes_per_param, "given" if args.bytes_per_param else default),
    }
    modeled = inference.modeled_tokens_per_second(
        ceilings["tokens_per_second_compute_bound"], ceilings.get("tokens_per_second_bandwidth_bound")
    )
    return modeled, ceilings


def _fmt_len(value) -> str:
    return "?" if value is None else f"{value:g}"


def _serving_offer(args, gpu_model: str, replica_for) -> tuple[dict | None, dict, float | None, dict | None]:
    """(offer, price assumptions, $/GPU-hour of the replica's GPUs, serving point there): the cheapest offer of the
    GPU that hosts the replica, or the price given. `replica_for(limit)` gives the serving point for a replica limit."""
    if args.price_per_gpu_hour is not None:
        if args.provider or args.pricing:
            raise UsageError("--price-per-gpu-hour replaces --provider/--pricing: give one or the other")
        return None, {"price_per_gpu_hour_usd": assumption(args.price_per_gpu_hour, "given")}, None, None
    prices = warehouse_prices()
    if args.provider is not None:
        prices = prices.filter(pl.col("provider").str.to_lowercase() == args.provider.lower())
    offers = classify_offers(prices, reference(files.GPU_SPECS), reference(files.INSTANCE_INTERCONNECT)).filter(
        (pl.col("gpu_model") == gpu_model)
        & (pl.col("pricing") == _pricing(args))
        & (pl.col("price_basis") == "instance")
    )
    best, errors = None, {}
    for offer in offers.iter_rows(named=True):
        limit = (
            None
            if offer["offer_class"] in ("cluster_node", "tpu_slice")
            else math.floor(offer["gpus_per_instance"] + 1e-9)
        )
        if limit is not None and limit < 1:
            continue
        try:
            point = replica_for(limit)
        except serving.ServingError as exc:
            errors[math.inf if limit is None else limit] = exc
            continue
        g = point["replica_gpus"] if offer["offer_class"] == "tpu_slice" else offer["gpus_per_instance"]
        per_gpu = serving.replica_price_per_gpu_hour(offer["price_per_gpu_hour_usd"], g, point["replica_gpus"])
        cost = per_gpu / point["tokens_per_second_per_gpu"]
        if best is None or cost < best[0]:
            best = (cost, offer, per_gpu, point)
    if best is None:
        where = f" at {args.provider}" if args.provider else ""
        if errors:  # the offer that could hold the biggest replica says best why not
            raise UsageError(f"no {_pricing(args)} offer of {gpu_model}{where} can serve it: {errors[max(errors)]}")
        raise UsageError(
            f"no {_pricing(args)} price for {gpu_model}{where} in the warehouse: pass --price-per-gpu-hour"
        )
    _, offer, per_gpu, point = best
    chosen = {
        "price_source": offer["source"],
        "price_provider": offer["provider"],
        "price_region": offer["region"],
        "price_instance_type": offer["instance_type"],
        "price_snapshot_date": offer["snapshot_date"],
        "price_origin": offer["origin"],
        "price_offers": offers.height,
        **{k: offer[k] for k in ("offer_class", "gpus_per_instance", "interconnect_intra", "interconnect_inter")},
    }
    source = priced_offer_source(chosen, _pricing(args), f"host a {point['replica_gpus']}-GPU replica")
    if per_gpu != offer["price_per_gpu_hour_usd"]:
        source += f" (listed ${offer['price_per_gpu_hour_usd']:.4g}/GPU-h; GPUs a replica cannot use are paid too)"
    return (
        chosen,
        {
            "price_per_gpu_hour_usd": assumption(per_gpu, source),
            "price_snapshot_date": assumption(str(offer["snapshot_date"]), "marts.latest_gpu_prices"),
        },
        per_gpu,
        point,
    )


def cmd_inference(args) -> int:
    model, assumptions = model_params(args)
    arch_row = _architecture(model)
    # the serving model defaults to FP8 weights; the weights-only roofline (no architecture) keeps its 16-bit math
    precision = args.precision or ("fp8" if arch_row is not None else "bf16")
    gpu = resolve_gpu(args.gpu, {"fp4": "fp4", "fp8": "fp8"}.get(precision, "bf16"))
    assumptions |= _gpu_assumptions(gpu)
    if (args.qps or args.queries_per_day) and (args.tokens_per_query or args.output_tokens_per_query) is None:
        raise UsageError("missing input: a workload (--qps or --queries-per-day) needs --tokens-per-query")
    if args.tokens_per_query is not None and not (args.qps or args.queries_per_day):
        raise UsageError("--tokens-per-query describes a workload: add --qps or --queries-per-day")
    inp, out = _lengths(args)
    utilization = args.utilization or inference.DEFAULT_UTILIZATION
    modeling_given = any(v is not None for v in (args.mfu, args.batch_size, args.bytes_per_param))
    basis, per_gpu, ceilings, point, offer, per_replica_gpu = "modeled", None, {}, None, None, None
    workload, group = None, 1
    if args.tokens_per_second_per_gpu is not None:
        assumptions["tokens_per_second_per_gpu"] = assumption(args.tokens_per_second_per_gpu, "given")
        basis, per_gpu = "given", args.tokens_per_second_per_gpu
    elif model["model"] and not modeling_given and not args.tokens_per_second_per_user and not args.ttft_seconds:
        found = _measured(
            args,
            model,
            gpu,
            serving.DEFAULT_INPUT_TOKENS if inp is None and out is None else inp,
            out or serving.DEFAULT_OUTPUT_TOKENS,
            assumptions,
        )
        if found is not None:
            basis, (per_gpu, group) = "measured", found
    if per_gpu is None and arch_row is not None:
        arch = serving.Architecture.from_rows(model, arch_row)
        workload = serving.Workload(
            inp if inp is not None else serving.DEFAULT_INPUT_TOKENS,
            out or serving.DEFAULT_OUTPUT_TOKENS,
            precision,
            args.kv_precision,
            args.tokens_per_second_per_user,
            args.ttft_seconds,
        )
        g = serving.Gpu.from_row(gpu)

        def replica_for(limit):
            return serving.serving_point(
                arch,
                g,
                workload,
                replica_limit=limit,
                compute_efficiency=args.mfu,
                batch=args.batch_size,
                weight_bytes_per_param=args.bytes_per_param,
            )

        try:
            if args.price_per_gpu_hour is not None:
                point = replica_for(None)
        except serving.ServingError as exc:
            raise UsageError(str(exc)) from exc
        offer, price_assumptions, per_replica_gpu, offered_point = _serving_offer(args, gpu["gpu_model"], replica_for)
        point = point or offered_point
        per_gpu = point["tokens_per_second_per_gpu"]
        ceilings = {
            "tokens_per_second_compute_bound": point["tokens_per_second_compute_bound"],
            "tokens_per_second_bandwidth_bound": point["tokens_per_second_bandwidth_bound"],
        }
        assumptions |= {
            "precision": assumption(precision, "given" if args.precision else "default: fp8 weights"),
            "kv_precision": assumption(workload.kv, "given" if args.kv_precision else "the weights', not below fp8"),
            "input_tokens_per_query": assumption(workload.input_tokens, "given" if inp is not None else "default"),
            "output_tokens_per_query": assumption(workload.output_tokens, "given" if out is not None else "default"),
            "mfu": assumption(point["compute_efficiency"], "given" if args.mfu else "serving.COMPUTE_EFFICIENCY"),
            "bandwidth_efficiency": assumption(point["bandwidth_efficiency"], "serving.BANDWIDTH_EFFICIENCY"),
            "batch_size": assumption(
                point["batch_size"],
                "given"
                if args.batch_size
                else (
                    "the largest batch that fits weights + KV cache"
                    + (
                        " and meets the latency targets"
                        if (args.tokens_per_second_per_user or args.ttft_seconds)
                        else ""
                    )
                ),
            ),
            "bytes_per_param": assumption(
                point["weight_bytes_per_param"], "given" if args.bytes_per_param else (f"{precision} weights")
            ),
            "architecture": assumption(model["model"], f"model_architectures.csv: {arch_row['source']}"),
        }
        if args.tokens_per_second_per_user:
            assumptions["tokens_per_second_per_user"] = assumption(args.tokens_per_second_per_user, "given target")
        if args.ttft_seconds:
            assumptions["ttft_seconds"] = assumption(args.ttft_seconds, "given target")
    elif per_gpu is None:
        if args.precision or args.tokens_per_second_per_user or args.input_tokens_per_query:
            raise UsageError(
                "the serving model needs the model's architecture: give --model (see model_architectures.csv), or "
                "--tokens-per-second-per-gpu"
            )
        per_gpu, ceilings = _weights_only(args, gpu, assumptions)
    if offer is None and args.price_per_gpu_hour is None:

        def fixed_group(limit):
            if limit is not None and limit < group:
                raise serving.ServingError(f"the measured figure is for {group:g} GPUs together")
            return {"replica_gpus": int(group), "tokens_per_second_per_gpu": per_gpu}

        offer, price_assumptions, per_replica_gpu, _ = _serving_offer(args, gpu["gpu_model"], fixed_group)
    elif args.price_per_gpu_hour is not None:
        price_assumptions = {"price_per_gpu_hour_usd": assumption(args.price_per_gpu_hour, "given")}
    assumptions["utilization"] = assumption(
        utilization, "given" if args.utilization else "default: busy all the time (the best case)"
    )
    assumptions |= price_assumptions
    price = price_assumptions["price_per_gpu_hour_usd"]["value"]
    electricity, electricity_assumptions = resolve_electricity(args, offer)
    power = _power(args, gpu, assumptions)
    assumptions |= electricity_assumptions
    result = {
        "model": model["model"],
        "gpu_model": gpu["gpu_model"],
        "throughput_basis": basis,
        **dict.fromkeys(INFERENCE_KEYS),
        "tokens_per_second_per_gpu": per_gpu,
        "effective_tokens_per_second_per_gpu": per_gpu * utilization,
        **ceilings,
        "price_per_gpu_hour_usd": price,
        "cost_per_million_tokens_usd": inference.cost_per_million_tokens_usd(price, per_gpu, utilization),
        "offer": offer_json(offer),
    }
    if point is not None:
        costs = serving.token_costs(point, price, workload, utilization)
        result |= (
            {k: point[k] for k in INFERENCE_KEYS if k in point}
            | {
                k: costs[k]
                for k in (
                    "cost_per_million_input_tokens_usd",
                    "cost_per_million_output_tokens_usd",
                    "cost_per_million_tokens_blended_usd",
                )
            }
            | {
                "replica_gpus_min": point["replica_gpus_min"],
                "tokens_per_second_per_user": point["tokens_per_second_per_user"],
                "ttft_s": point["ttft_s"],
            }
        )
    if power is not None:
        kwh = energy_kwh(1e6 / (per_gpu * utilization * 3600.0), power, electricity.pue)
        result |= {
            "energy_kwh_per_million_tokens": kwh,
            "energy_cost_per_million_tokens_usd": energy_cost_usd(kwh, electricity.tariff_usd_per_kwh),
        }
    if args.qps or args.queries_per_day:
        result |= _workload(args, gpu, per_gpu * utilization, price, power, electricity, assumptions)
    emit({**result, "assumptions": assumptions}, args)
    return 0


def _workload(
    args, gpu: dict, effective: float, price: float, power: float | None, electricity, assumptions: dict
) -> dict:
    per_day = args.queries_per_day or args.qps * inference.SECONDS_PER_DAY
    tokens_per_query = args.output_tokens_per_query or args.tokens_per_query
    tokens_per_second = inference.workload_tokens_per_second(tokens_per_query, queries_per_day=per_day)
    assumptions |= {
        "queries_per_day": assumption(per_day, "given" if args.queries_per_day else "given: --qps x 86,400"),
        "tokens_per_query": assumption(tokens_per_query, "given (output tokens)"),
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

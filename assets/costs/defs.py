"""Cost assets: the estimates of costmodel/ recomputed over the warehouse's current prices and tariffs.

Each mart recomputes when, and only when, the data version of one of its inputs changes
(assets/automation.py); its checks run in the same step, on the frame it just wrote.
"""

import dagster as dg
import polars as pl

from assets.automation import on_input_change
from assets.costs.build import (
    INFERENCE_PLAUSIBLE,
    INFERENCE_SANE,
    REPRODUCED,
    SERVING_EXCLUDED,
    TRAINING_EXCLUDED,
    TRAINING_PLAUSIBLE,
    TRAINING_SANE,
    build_cost_changes,
    build_cost_exclusions,
    build_inference_costs,
    build_inference_curves,
    build_inference_validation,
    build_model_validation,
    build_scenario_costs,
    build_training_costs,
)
from assets.costs.headline import HEADLINE_MODEL
from assets.metadata import OWNERS, check_result, check_specs, markdown_preview, table_metadata
from assets.resources import WAREHOUSE_POOL, WarehouseResource
from assets.versions import utc_now
from costmodel import inference, serving, validation

PRICES = dg.AssetKey(["core", "gpu_prices"])
SPECS = dg.AssetKey(["core", "gpu_specs"])
MODELS = dg.AssetKey(["core", "reference_models"])
# tariffs, grid carbon and PUE by region: a tariff change recomputes the costs that use it
ENERGY = dg.AssetKey(["marts", "energy_by_region"])
# the PUE fallback for an offer the energy mart has no row for (the same rows that mart picks from)
PUE = dg.AssetKey(["core", "datacenter_pue"])
RUNS = dg.AssetKey(["core", "training_runs"])
ARCHITECTURES = dg.AssetKey(["core", "model_architectures"])
INTERCONNECT = dg.AssetKey(["core", "instance_interconnect"])
THROUGHPUT = dg.AssetKey(["core", "inference_throughput"])
PURCHASE = dg.AssetKey(["core", "gpu_purchase_prices"])


class TrainingCostConfig(dg.Config):
    """Utilization assumed by the training marts, overridable at launch: by default derived from the published runs
    (core.training_runs: median end-to-end utilization and its p10-p90 band)."""

    mfu: float | None = None
    mfu_low: float | None = None
    mfu_high: float | None = None


class InferenceCostConfig(dg.Config):
    """Assumptions of the inference mart, overridable at launch (None: the serving model's own choice)."""

    mfu: float | None = None  # compute efficiency of prefill and compute-bound decode
    batch_size: int | None = None  # a fixed batch instead of the largest that fits and meets the latency targets
    bytes_per_param: float | None = None  # bytes per weight instead of each precision's
    utilization: float = inference.DEFAULT_UTILIZATION


def _cost_asset(table: str, deps: list[dg.AssetKey], description: str, checks=()):
    key = dg.AssetKey(["marts", table])
    return dg.asset(
        key=key,
        deps=deps,
        group_name="costs",
        kinds={"duckdb", "polars"},
        pool=WAREHOUSE_POOL,
        owners=OWNERS,
        automation_condition=on_input_change(),
        check_specs=check_specs(key, checks) if checks else None,
        description=description,
    )


def _emit(built, table: str, **metadata):
    key = dg.AssetKey(["marts", table])
    yield dg.MaterializeResult(
        metadata={**table_metadata(built.frame, f"marts.{table}"), **metadata},
        data_version=dg.DataVersion(built.version),
    )
    for outcome in built.checks:
        yield check_result(outcome, key)


@_cost_asset(
    "training_costs",
    [PRICES, SPECS, MODELS, ENERGY, PUE, PURCHASE, RUNS, ARCHITECTURES, INTERCONNECT],
    "What one training run of each reference model costs on every GPU model with an offer able to run it "
    "(cluster-capable: whole multi-GPU nodes with a fabric, or TPU slices, holding the training state), at each price "
    "choice (cheapest on-demand, spot, median, per provider): FLOPs = 6ND + attention; GPU-hours at the end-to-end "
    "utilization published runs delivered (median and band); cloud cost, server-level energy and its cost and CO2 "
    "where the offer runs, and the cost on owned hardware (Epoch AI). Each row names the offer, price, tariff and "
    "purchase price it used, with their dates.",
    [TRAINING_SANE, TRAINING_PLAUSIBLE],
)
def training_costs(context: dg.AssetExecutionContext, config: TrainingCostConfig, warehouse: WarehouseResource):
    with warehouse.writer() as con:
        built = build_training_costs(
            con, mfu=config.mfu, mfu_low=config.mfu_low, mfu_high=config.mfu_high, computed_at=utc_now()
        )
    frame = built.frame
    headline = frame.filter((pl.col("model") == HEADLINE_MODEL) & (pl.col("pricing") == "on_demand")).sort(
        "cloud_cost_usd"
    )
    first = frame.row(0, named=True) if frame.height else {}
    metadata = {
        **{k: first[k] for k in ("mfu", "mfu_low", "mfu_high") if first.get(k) is not None},
        "utilization_basis": first.get("utilization_basis") or "",
        "tariff_fallback_rows": int(frame["tariff_is_fallback"].sum()),
    }
    if headline.height:
        best = headline.row(0, named=True)
        where = " ".join(str(best[k]) for k in ("price_provider", "price_region") if best[k] is not None)
        metadata |= {
            "gpt3_cheapest_training_usd": dg.MetadataValue.float(round(best["cloud_cost_usd"], 2)),
            "gpt3_cheapest_training": f"${best['cloud_cost_usd']:,.0f} on {best['gpu_model']} at "
            f"${best['price_per_gpu_hour_usd']:.2f}/GPU-h ({where or 'no provider named'})",
            "gpt3_by_gpu": dg.MetadataValue.md(
                markdown_preview(
                    headline.select(
                        "gpu_model",
                        "price_per_gpu_hour_usd",
                        "price_provider",
                        "gpu_hours",
                        "cloud_cost_usd",
                        "cloud_cost_usd_low",
                        "cloud_cost_usd_high",
                        "energy_kwh",
                        "price_origin",
                    ),
                    rows=40,
                )
            ),
        }
    yield from _emit(built, "training_costs", **metadata)


@_cost_asset(
    "inference_costs",
    [PRICES, SPECS, MODELS, ENERGY, PUE, THROUGHPUT, ARCHITECTURES, INTERCONNECT],
    "What serving each reference model costs per 1M input, output and blended tokens on every GPU model and precision "
    "(BF16, FP8, FP4), on offers that can host its replica: the serving model picks replica and batch (weights + KV "
    "cache, latency targets) and models prefill and decode apart; measured figures (TensorRT-LLM, MLPerf, SGLang, "
    "SemiAnalysis) beside it; with the offer, utilization, energy per 1M tokens and the tariff used.",
    [INFERENCE_SANE, INFERENCE_PLAUSIBLE],
)
def inference_costs(context: dg.AssetExecutionContext, config: InferenceCostConfig, warehouse: WarehouseResource):
    with warehouse.writer() as con:
        built = build_inference_costs(
            con,
            mfu=config.mfu,
            batch_size=config.batch_size,
            bytes_per_param=config.bytes_per_param,
            utilization=config.utilization,
            computed_at=utc_now(),
        )
    cheapest = (
        built.frame.filter(pl.col("pricing") == "on_demand")
        .sort("cost_per_million_tokens_blended_usd", "cost_per_million_tokens_usd", nulls_last=True)
        .unique(["model", "throughput_basis"], keep="first", maintain_order=True)
        .sort("model", "throughput_basis")
        .select(
            "model",
            "throughput_basis",
            "gpu_model",
            "precision",
            "price_provider",
            "offer_class",
            "replica_gpus",
            "tokens_per_second_per_gpu",
            "price_per_gpu_hour_usd",
            "cost_per_million_input_tokens_usd",
            "cost_per_million_output_tokens_usd",
            "cost_per_million_tokens_usd",
        )
    )
    yield from _emit(built, "inference_costs", cheapest_per_model=dg.MetadataValue.md(markdown_preview(cheapest, 40)))


@_cost_asset(
    "scenario_costs",
    [
        PRICES,
        SPECS,
        ENERGY,
        PUE,
        dg.AssetKey(["core", "scenarios"]),
        dg.AssetKey(["core", "scenario_published"]),
        MODELS,
        RUNS,
        ARCHITECTURES,
        INTERCONNECT,
    ],
    "The seed analysis (GPT-3 for ~$1.4M, ChatGPT's $694,444 a day, Guosheng's 4,000 DGX A100, Google search on LLMs, "
    "a $50M cluster) and its claims ($50M buys ten $5M runs?, up to $10M per run, thousand-card clusters for three "
    "months, costs falling within three years) recomputed from their stated assumptions next to the published "
    "figures, and the same workloads at today's cheapest prices on the same hardware and on today's best hardware "
    "that can run them.",
    [REPRODUCED],
)
def scenario_costs(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    with warehouse.writer() as con:
        built = build_scenario_costs(con, computed_at=utc_now())
    published = built.frame.filter(pl.col("published_value").is_not_null() & (pl.col("published_role") == "reproduce"))
    shown = published.select(
        "scenario",
        "metric",
        "published_value",
        "as_published_value",
        "today_same_hardware_value",
        "today_best_hardware_value",
        "best_hardware_gpu_model",
    )
    yield from _emit(
        built,
        "scenario_costs",
        published_figures=published.height,
        reproduced=int(published["matches_published"].sum()),
        as_published_vs_today=dg.MetadataValue.md(markdown_preview(shown, rows=40)),
    )


@_cost_asset(
    "model_validation",
    [SPECS, MODELS, RUNS, ARCHITECTURES],
    "The training model against published runs (GPT-3, Gopher, PaLM, Llama 2/3/3.1/4, DeepSeek-V2/V3): GPU-hours "
    "predicted from 6ND + attention on the run's own hardware at its precision's peak and the default end-to-end "
    "utilization (fitted on these runs), next to the published hardware-hours, with the utilization each run implies.",
)
def model_validation(context: dg.AssetExecutionContext, config: TrainingCostConfig, warehouse: WarehouseResource):
    with warehouse.writer() as con:
        built = build_model_validation(
            con, mfu=config.mfu, mfu_low=config.mfu_low, mfu_high=config.mfu_high, computed_at=utc_now()
        )
    frame = built.frame
    shown = frame.select("model", "scope", "gpu_model", "hardware_hours", "predicted_gpu_hours", "implied_utilization")
    yield from _emit(
        built,
        "model_validation",
        within_band=int(frame["published_within_band"].sum()),
        **{f"ratio_{k}": v for k, v in validation.validation_summary(frame).items()},
        implied_utilization=dg.MetadataValue.md(markdown_preview(shown, rows=20)),
    )


@_cost_asset(
    "inference_validation",
    [SPECS, MODELS, THROUGHPUT, ARCHITECTURES],
    "The serving model against every measured throughput row (TensorRT-LLM, MLPerf, SGLang, DeepSeek, SemiAnalysis "
    "InferenceX): the modeled tokens/s per GPU at the same model, GPU, precision, lengths, replica and concurrency, "
    "the measured one, their ratio, or why a row cannot be compared.",
)
def inference_validation(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    with warehouse.writer() as con:
        built = build_inference_validation(con, computed_at=utc_now())
    yield from _emit(built, "inference_validation", **serving.validation_summary(built.frame))


@_cost_asset(
    "inference_curves",
    [SPECS, MODELS, ARCHITECTURES],
    "Throughput per GPU against speed per user for each reference model x GPU model x precision: the serving model's "
    "replica at batch 1, 2, 4 ... up to what fits (1,000 input and 1,000 output tokens).",
)
def inference_curves(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    with warehouse.writer() as con:
        built = build_inference_curves(con, computed_at=utc_now())
    yield from _emit(built, "inference_curves")


@_cost_asset(
    "cost_exclusions",
    [PRICES, SPECS, MODELS, ARCHITECTURES, INTERCONNECT],
    "Why a reference model has no training or serving cost on a priced GPU model: no cluster-capable offer, a training "
    "state too big for its offers' largest cluster, weights that fit no replica, no architecture or specs.",
    [TRAINING_EXCLUDED, SERVING_EXCLUDED],
)
def cost_exclusions(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    with warehouse.writer() as con:
        built = build_cost_exclusions(con, computed_at=utc_now())
    frame = built.frame
    yield from _emit(
        built,
        "cost_exclusions",
        training_exclusions=frame.filter(pl.col("workload") == "training").height,
        serving_exclusions=frame.filter(pl.col("workload") == "serving").height,
    )


SHOWN = ["figure", "value", "previous_value", "change_pct", "changed_inputs"]


def _headline(frame: pl.DataFrame, figure: str) -> dict:
    row = frame.filter(pl.col("figure") == figure)
    if row.is_empty():
        return {}
    r = row.row(0, named=True)
    return {"value": r["value"], "previous": r["previous_value"], "why": r["changed_inputs"]}


@_cost_asset(
    "cost_changes",
    [
        dg.AssetKey(["marts", "training_costs"]),
        dg.AssetKey(["marts", "scenario_costs"]),
        dg.AssetKey(["marts", "inference_costs"]),
    ],
    "What moved the figures a reader follows: each reference model's training cost per GPU (on-demand and spot), at "
    "each provider, the cheapest GPU-hour of each GPU model (on-demand, spot, per provider), serving cost per 1M "
    "tokens per model (cheapest and per GPU), every seed scenario today: its current value, its previous value, which "
    "input changed it: the price (which source, provider, region, instance and $), the tariff, or an assumption. "
    "History in marts.headline_history.",
)
def cost_changes(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    now = utc_now()
    with warehouse.writer() as con:
        built = build_cost_changes(con, computed_at=now)
    frame = built.frame
    moved = frame.filter((pl.col("computed_at") == now) & pl.col("previous_value").is_not_null()).sort(
        pl.col("change_pct").abs(), descending=True
    )
    metadata = {
        "figures": frame.height,
        "figures_changed_now": moved.height,
        "new_figures_now": built.added - moved.height,
        "changed_now": dg.MetadataValue.md(markdown_preview(moved.select(SHOWN), rows=30)),
    }
    figures = (
        ("gpt3_training_cheapest_usd", f"training {HEADLINE_MODEL} on the cheapest GPU"),
        ("h100_sxm_cheapest_usd_per_gpu_hour", "cheapest on-demand H100-SXM GPU-hour"),
    )
    for name, label in figures:
        figure = _headline(frame, label)
        if figure:
            metadata[name] = dg.MetadataValue.float(round(figure["value"], 4))
            if figure["previous"] is not None:
                metadata[f"{name}_previous"] = dg.MetadataValue.float(round(figure["previous"], 4))
                metadata[f"{name}_why"] = figure["why"]
    shown = built.frame.select(SHOWN).sort(pl.col("change_pct").abs(), descending=True, nulls_last=True)
    yield dg.MaterializeResult(
        metadata={**table_metadata(shown, "marts.cost_changes"), **metadata}, data_version=dg.DataVersion(built.version)
    )


cost_assets = [
    training_costs,
    inference_costs,
    scenario_costs,
    model_validation,
    inference_validation,
    inference_curves,
    cost_exclusions,
    cost_changes,
]

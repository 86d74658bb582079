"""Cost assets: the estimates of costmodel/ recomputed over the warehouse's current prices and tariffs.

Each mart recomputes when, and only when, the data version of one of its inputs changes
(assets/automation.py); its checks run in the same step, on the frame it just wrote.
"""

import dagster as dg
import polars as pl

from assets.automation import on_input_change
from assets.costs.build import (
    INFERENCE_SANE,
    REPRODUCED,
    TRAINING_SANE,
    build_cost_changes,
    build_inference_costs,
    build_model_validation,
    build_scenario_costs,
    build_training_costs,
)
from assets.costs.headline import HEADLINE_MODEL
from assets.metadata import OWNERS, check_result, check_specs, markdown_preview, table_metadata
from assets.resources import WAREHOUSE_POOL, WarehouseResource
from assets.versions import utc_now
from costmodel import inference, training

PRICES = dg.AssetKey(["core", "gpu_prices"])
SPECS = dg.AssetKey(["core", "gpu_specs"])
MODELS = dg.AssetKey(["core", "reference_models"])
# tariffs, grid carbon and PUE by region: a tariff change recomputes the costs that use it
ENERGY = dg.AssetKey(["marts", "energy_by_region"])
# the PUE fallback for an offer the energy mart has no row for (the same rows that mart picks from)
PUE = dg.AssetKey(["core", "datacenter_pue"])


class TrainingCostConfig(dg.Config):
    """MFU assumed by the training marts: a central value and a band, overridable at launch."""

    mfu: float = training.DEFAULT_MFU
    mfu_low: float | None = None  # default 0.30, or the central value when it is lower
    mfu_high: float | None = None  # default 0.50, or the central value when it is higher


class InferenceCostConfig(dg.Config):
    """Assumptions of the inference mart, overridable at launch."""

    mfu: float = inference.DEFAULT_MFU
    batch_size: int = inference.DEFAULT_BATCH_SIZE
    bytes_per_param: float = inference.DEFAULT_BYTES_PER_PARAM
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
    [PRICES, SPECS, MODELS, ENERGY, PUE, dg.AssetKey(["core", "gpu_purchase_prices"])],
    "What one training run of each reference model costs on every GPU model with a price, at each price choice "
    "(cheapest on-demand, spot, median, per provider): FLOPs = 6 x active params x tokens; GPU-hours = FLOPs / "
    "(dense peak x MFU x 3600) at a central MFU and a band; cloud cost, energy (TDP x PUE) and its cost and CO2 where "
    "the offer runs, and the cost on owned hardware. Each row names the price, tariff and purchase price it used, with "
    "their dates.",
    [TRAINING_SANE],
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
    metadata = {
        "mfu": float(frame["mfu"][0]) if frame.height else config.mfu,
        "tariff_fallback_rows": int(frame["tariff_is_fallback"].sum()),
    }
    if headline.height:
        best = headline.row(0, named=True)
        where = " ".join(str(best[k]) for k in ("price_provider", "price_region") if best[k] is not None)
        metadata |= {
            "gpt3_cheapest_training_usd": dg.MetadataValue.float(round(best["cloud_cost_usd"], 2)),
            "gpt3_cheapest_gpu": f"{best['gpu_model']} at ${best['price_per_gpu_hour_usd']:.2f}/GPU-h ({where})",
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
    [PRICES, SPECS, MODELS, ENERGY, PUE, dg.AssetKey(["core", "inference_throughput"])],
    "What one million generated tokens of each reference model cost on every GPU model with a price, at each price "
    "choice: throughput per GPU modeled (the lower of compute-bound and memory-bandwidth-bound) and, where a measured "
    "figure exists (TensorRT-LLM, SemiAnalysis), measured; with the utilization, energy per 1M tokens and the price "
    "and tariff used.",
    [INFERENCE_SANE],
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
        .sort("cost_per_million_tokens_usd")
        .unique(["model", "throughput_basis"], keep="first", maintain_order=True)
        .sort("model", "throughput_basis")
        .select(
            "model",
            "throughput_basis",
            "gpu_model",
            "tokens_per_second_per_gpu",
            "price_per_gpu_hour_usd",
            "cost_per_million_tokens_usd",
        )
    )
    yield from _emit(built, "inference_costs", cheapest_per_model=dg.MetadataValue.md(markdown_preview(cheapest, 40)))


@_cost_asset(
    "scenario_costs",
    [PRICES, SPECS, ENERGY, PUE, dg.AssetKey(["core", "scenarios"]), dg.AssetKey(["core", "scenario_published"])],
    "The seed analysis (GPT-3 for ~$1.4M, ChatGPT's $694,444 a day, Guosheng's 4,000 DGX A100, Google search on LLMs, "
    "a $50M cluster) recomputed from its stated assumptions next to the published figures, and the same workloads at "
    "today's cheapest prices on the same hardware and on today's best hardware.",
    [REPRODUCED],
)
def scenario_costs(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    with warehouse.writer() as con:
        built = build_scenario_costs(con, computed_at=utc_now())
    published = built.frame.filter(pl.col("published_value").is_not_null())
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
    [SPECS, MODELS, dg.AssetKey(["core", "training_runs"])],
    "The training model against published runs (GPT-3, Gopher, PaLM, Llama 2/3/3.1, DeepSeek-V3): GPU-hours predicted "
    "from 6 x active params x tokens on the run's own hardware at the central MFU and the band, next to the published "
    "hardware-hours, with the MFU each run implies.",
)
def model_validation(context: dg.AssetExecutionContext, config: TrainingCostConfig, warehouse: WarehouseResource):
    with warehouse.writer() as con:
        built = build_model_validation(
            con, mfu=config.mfu, mfu_low=config.mfu_low, mfu_high=config.mfu_high, computed_at=utc_now()
        )
    frame = built.frame
    shown = frame.select("model", "scope", "gpu_model", "hardware_hours", "predicted_gpu_hours", "implied_mfu")
    yield from _emit(
        built,
        "model_validation",
        within_band=int(frame["published_within_band"].sum()),
        implied_mfu=dg.MetadataValue.md(markdown_preview(shown, rows=20)),
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
    [dg.AssetKey(["marts", "training_costs"]), dg.AssetKey(["marts", "scenario_costs"])],
    "What moved the headline numbers: for each headline figure (each reference model's training cost per GPU, the "
    "cheapest GPU-hour of each model, every seed scenario today), its current value, its previous value, and which "
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


cost_assets = [training_costs, inference_costs, scenario_costs, model_validation, cost_changes]

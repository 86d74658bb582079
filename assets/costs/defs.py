"""Cost assets: recompute the estimates in costmodel/ over the warehouse's current prices and tariffs."""

import dagster as dg
import polars as pl

from assets.automation import on_input_change
from assets.costs.headline import HEADLINE_MODEL
from assets.metadata import OWNERS, markdown_preview, table_metadata
from assets.resources import WAREHOUSE_POOL, WarehouseResource
from assets.versions import content_version, utc_now
from costmodel import inference, scenarios, training, validation
from costmodel.offers import classify_offers, training_exclusions
from costmodel.utilization import default_utilization
from warehouse import energy as energy_queries
from warehouse import queries, replace_table

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


def _reference(con) -> dict:
    """The reference tables the cost model reads, by role."""
    return {
        "models": queries.read_table(con, "core.reference_models"),
        "specs": queries.read_table(con, "core.gpu_specs"),
        "runs": queries.read_table(con, "core.training_runs"),
        "architectures": queries.read_table(con, "core.model_architectures"),
        "interconnect": queries.read_table(con, "core.instance_interconnect"),
    }


class TrainingCostConfig(dg.Config):
    """Utilization assumed by the training marts, overridable at launch: by default derived from the published runs
    (core.training_runs: median end-to-end utilization and its p10-p90 band)."""

    mfu: float | None = None
    mfu_low: float | None = None
    mfu_high: float | None = None


class InferenceCostConfig(dg.Config):
    """Assumptions of the inference mart, overridable at launch (None: the serving model's own choice)."""

    mfu: float | None = None  # compute efficiency of prefill and compute-bound decode
    batch_size: int | None = None  # fixed batch instead of the largest that fits and meets the latency targets
    bytes_per_param: float | None = None  # bytes per weight instead of each precision's
    utilization: float = inference.DEFAULT_UTILIZATION


def _content_version(frame: pl.DataFrame) -> dg.DataVersion:
    """The same estimates give the same version whenever computed, so nothing downstream re-runs for nothing."""
    return dg.DataVersion(content_version(frame, ("computed_at",)))


def _cost_asset(table: str, deps: list[dg.AssetKey], description: str):
    return dg.asset(
        key=["marts", table],
        deps=deps,
        group_name="costs",
        kinds={"duckdb", "polars"},
        pool=WAREHOUSE_POOL,
        owners=OWNERS,
        automation_condition=on_input_change(),
        description=description,
    )


@_cost_asset(
    "training_costs",
    [
        PRICES,
        SPECS,
        MODELS,
        ENERGY,
        PUE,
        dg.AssetKey(["core", "gpu_purchase_prices"]),
        RUNS,
        ARCHITECTURES,
        INTERCONNECT,
    ],
    "What one training run of each reference model costs on every GPU model with an offer able to run it "
    "(cluster-capable: whole multi-GPU nodes with a fabric, or TPU slices, holding the training state), at each price "
    "choice (cheapest on-demand, spot, median, per provider): FLOPs = 6ND + attention; GPU-hours at the end-to-end "
    "utilization published runs delivered (median and band); cloud cost, server-level energy and its cost and CO2 "
    "where the offer runs, and the cost on owned hardware (Epoch AI). Each row names the offer, price, tariff and "
    "purchase price it used, with their dates.",
)
def training_costs(
    context: dg.AssetExecutionContext, config: TrainingCostConfig, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    with warehouse.writer() as con:
        ref = _reference(con)
        frame = training.training_costs(
            ref["models"],
            ref["specs"],
            queries.latest_gpu_prices(con),
            interconnect=ref["interconnect"],
            runs=ref["runs"],
            architectures=ref["architectures"],
            mfu=config.mfu,
            mfu_low=config.mfu_low,
            mfu_high=config.mfu_high,
            energy=energy_queries.energy_by_region(con),
            datacenter_pue=energy_queries.datacenter_pue(con),
            purchase_prices=queries.read_table(con, "core.gpu_purchase_prices"),
            computed_at=utc_now(),
        )
        replace_table(con, "marts.training_costs", frame)
    headline = frame.filter((pl.col("model") == HEADLINE_MODEL) & (pl.col("pricing") == "on_demand")).sort(
        "cloud_cost_usd"
    )
    first = frame.row(0, named=True) if frame.height else {}
    metadata = {
        **table_metadata(frame, "marts.training_costs"),
        "mfu": first.get("mfu"),
        "mfu_low": first.get("mfu_low"),
        "mfu_high": first.get("mfu_high"),
        "utilization_basis": first.get("utilization_basis") or "",
        "tariff_fallback_rows": int(frame["tariff_is_fallback"].sum()),
    }
    if headline.height:
        best = headline.row(0, named=True)
        metadata |= {
            "gpt3_cheapest_training_usd": dg.MetadataValue.float(round(best["cloud_cost_usd"], 2)),
            "gpt3_cheapest_gpu": f"{best['gpu_model']} at ${best['price_per_gpu_hour_usd']:.2f}/GPU-h "
            f"({best['price_provider']} {best['price_region']})",
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
    return dg.MaterializeResult(metadata=metadata, data_version=_content_version(frame))


@_cost_asset(
    "inference_costs",
    [PRICES, SPECS, MODELS, ENERGY, PUE, THROUGHPUT, ARCHITECTURES, INTERCONNECT],
    "What serving each reference model costs per 1M input, output and blended tokens on every GPU model and precision "
    "(BF16, FP8, FP4), on offers that can host its replica: the serving model picks replica and batch (weights + KV "
    "cache, latency targets) and models prefill and decode apart; measured figures (TensorRT-LLM, MLPerf, SGLang, "
    "SemiAnalysis) beside it; with the offer, utilization, energy per 1M tokens and the tariff used.",
)
def inference_costs(
    context: dg.AssetExecutionContext, config: InferenceCostConfig, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    with warehouse.writer() as con:
        ref = _reference(con)
        frame = inference.inference_costs(
            ref["models"],
            ref["specs"],
            queries.latest_gpu_prices(con),
            queries.read_table(con, "core.inference_throughput"),
            architectures=ref["architectures"],
            interconnect=ref["interconnect"],
            mfu=config.mfu,
            batch_size=config.batch_size,
            bytes_per_param=config.bytes_per_param,
            utilization=config.utilization,
            energy=energy_queries.energy_by_region(con),
            datacenter_pue=energy_queries.datacenter_pue(con),
            computed_at=utc_now(),
        )
        replace_table(con, "marts.inference_costs", frame)
    cheapest = (
        frame.filter(pl.col("pricing") == "on_demand")
        .sort("cost_per_million_tokens_blended_usd", "cost_per_million_tokens_usd", nulls_last=True)
        .unique(["model", "throughput_basis"], keep="first", maintain_order=True)
    )
    return dg.MaterializeResult(
        data_version=_content_version(frame),
        metadata={
            **table_metadata(frame, "marts.inference_costs"),
            "cheapest_per_model": dg.MetadataValue.md(
                markdown_preview(
                    cheapest.sort("model", "throughput_basis").select(
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
                    ),
                    rows=40,
                )
            ),
        },
    )


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
)
def scenario_costs(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    with warehouse.writer() as con:
        ref = _reference(con)
        fit = default_utilization(ref["runs"], ref["models"], ref["specs"], ref["architectures"])
        frame = scenarios.scenario_costs(
            queries.read_table(con, "core.scenarios"),
            queries.read_table(con, "core.scenario_published"),
            ref["specs"],
            queries.latest_gpu_prices(con),
            energy_queries.energy_by_region(con),
            energy_queries.datacenter_pue(con),
            computed_at=utc_now(),
            interconnect=ref["interconnect"],
            models=ref["models"],
            architectures=ref["architectures"],
            default_mfu=fit["central"] if fit else None,
        )
        replace_table(con, "marts.scenario_costs", frame)
    published = frame.filter(pl.col("published_value").is_not_null() & (pl.col("published_role") == "reproduce"))
    return dg.MaterializeResult(
        data_version=_content_version(frame),
        metadata={
            **table_metadata(frame, "marts.scenario_costs", preview_rows=20),
            "published_figures": published.height,
            "reproduced": int(published["matches_published"].sum()),
            "as_published_vs_today": dg.MetadataValue.md(
                markdown_preview(
                    published.select(
                        "scenario",
                        "metric",
                        "published_value",
                        "as_published_value",
                        "today_same_hardware_value",
                        "today_best_hardware_value",
                        "best_hardware_gpu_model",
                    ),
                    rows=40,
                )
            ),
        },
    )


@dg.asset_check(
    asset=scenario_costs,
    description="Every published figure of the seed analysis is reproduced from its stated assumptions (at most 3 "
    "significant digits).",
)
def scenario_costs_reproduce_published(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.reader() as con:
        frame = queries.read_table(con, "marts.scenario_costs")
    missed = frame.filter(
        pl.col("published_value").is_not_null()
        & (pl.col("published_role") == "reproduce")
        & ~pl.col("matches_published")
    )
    return dg.AssetCheckResult(
        passed=missed.is_empty(),
        metadata={
            "missed": missed.height,
            "sample": dg.MetadataValue.md(
                markdown_preview(missed.select("scenario", "metric", "published_value", "as_published_value"))
            ),
        },
    )


@_cost_asset(
    "model_validation",
    [SPECS, MODELS, RUNS, ARCHITECTURES],
    "The training model against published runs (GPT-3, Gopher, PaLM, Llama 2/3/3.1/4, DeepSeek-V2/V3): GPU-hours "
    "predicted from 6ND + attention on the run's own hardware at its precision's peak and the default end-to-end "
    "utilization (fitted on these runs), next to the published hardware-hours, with the utilization each run implies.",
)
def model_validation(
    context: dg.AssetExecutionContext, config: TrainingCostConfig, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    with warehouse.writer() as con:
        ref = _reference(con)
        frame = validation.model_validation(
            ref["models"],
            ref["runs"],
            ref["specs"],
            architectures=ref["architectures"],
            mfu=config.mfu,
            mfu_low=config.mfu_low,
            mfu_high=config.mfu_high,
            computed_at=utc_now(),
        )
        replace_table(con, "marts.model_validation", frame)
    return dg.MaterializeResult(
        data_version=_content_version(frame),
        metadata={
            **table_metadata(frame, "marts.model_validation", preview_rows=20),
            "within_band": int(frame["published_within_band"].sum()),
            **{f"ratio_{k}": v for k, v in validation.validation_summary(frame).items()},
            "implied_utilization": dg.MetadataValue.md(
                markdown_preview(
                    frame.select(
                        "model", "scope", "gpu_model", "hardware_hours", "predicted_gpu_hours", "implied_utilization"
                    ),
                    rows=20,
                )
            ),
        },
    )


@_cost_asset(
    "inference_validation",
    [SPECS, MODELS, THROUGHPUT, ARCHITECTURES],
    "The serving model against every measured throughput row (TensorRT-LLM, MLPerf, SGLang, DeepSeek, SemiAnalysis "
    "InferenceX): the modeled tokens/s per GPU at the same model, GPU, precision, lengths, replica and concurrency, "
    "the measured one, their ratio, or why a row cannot be compared.",
)
def inference_validation(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    with warehouse.writer() as con:
        ref = _reference(con)
        frame = inference.inference_validation(
            queries.read_table(con, "core.inference_throughput"),
            ref["models"],
            ref["architectures"],
            ref["specs"],
            computed_at=utc_now(),
        )
        replace_table(con, "marts.inference_validation", frame)
    summary = inference.serving.validation_summary(frame)
    return dg.MaterializeResult(
        data_version=_content_version(frame),
        metadata={**table_metadata(frame, "marts.inference_validation", preview_rows=20), **summary},
    )


@_cost_asset(
    "inference_curves",
    [SPECS, MODELS, ARCHITECTURES],
    "Throughput per GPU against speed per user for each reference model x GPU model x precision: the serving model's "
    "replica at batch 1, 2, 4 ... up to what fits (1,000 input and 1,000 output tokens).",
)
def inference_curves(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    with warehouse.writer() as con:
        ref = _reference(con)
        frame = inference.inference_curves(ref["models"], ref["architectures"], ref["specs"], computed_at=utc_now())
        replace_table(con, "marts.inference_curves", frame)
    return dg.MaterializeResult(
        data_version=_content_version(frame), metadata=table_metadata(frame, "marts.inference_curves")
    )


@_cost_asset(
    "cost_exclusions",
    [PRICES, SPECS, MODELS, ARCHITECTURES, INTERCONNECT],
    "Why a reference model has no training or serving cost on a priced GPU model: no cluster-capable offer, a training "
    "state too big for its offers' largest cluster, weights that fit no replica, no architecture or specs.",
)
def cost_exclusions(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    with warehouse.writer() as con:
        ref = _reference(con)
        prices = queries.latest_gpu_prices(con)
        offers = classify_offers(prices, ref["specs"], ref["interconnect"]).filter(pl.col("pricing") == "on_demand")
        frame = pl.concat(
            [
                training_exclusions(ref["models"], offers).with_columns(pl.lit(None, pl.String).alias("precision")),
                inference.serving_exclusions(
                    ref["models"], ref["architectures"], ref["specs"], prices, ref["interconnect"]
                ),
            ],
            how="diagonal_relaxed",
        ).with_columns(pl.lit(utc_now()).alias("computed_at"))
        replace_table(con, "marts.cost_exclusions", frame)
    return dg.MaterializeResult(
        data_version=_content_version(frame),
        metadata={
            **table_metadata(frame, "marts.cost_exclusions", preview_rows=20),
            "training_exclusions": frame.filter(pl.col("workload") == "training").height,
            "serving_exclusions": frame.filter(pl.col("workload") == "serving").height,
        },
    )


def _exclusion_check(workload: str, mart: str):
    @dg.asset_check(
        asset=cost_exclusions,
        name=f"{mart}_exclusions",
        description=f"Lists the (model, GPU model) pairs with no row in marts.{mart} and why (informational: a 24 GB "
        "card cannot train GPT-3, and saying so is the point).",
    )
    def _check(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        with warehouse.reader() as con:
            frame = queries.read_table(con, "marts.cost_exclusions").filter(pl.col("workload") == workload)
        return dg.AssetCheckResult(
            passed=True,
            metadata={
                "excluded": frame.height,
                "sample": dg.MetadataValue.md(
                    markdown_preview(frame.select("model", "gpu_model", "precision", "reason"))
                ),
            },
        )

    return _check


from assets.costs.changes_defs import cost_changes  # noqa: E402  (reads the marts above)

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
cost_checks = [
    scenario_costs_reproduce_published,
    _exclusion_check("training", "training_costs"),
    _exclusion_check("serving", "inference_costs"),
]

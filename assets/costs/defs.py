"""Cost assets: recompute the estimates in costmodel/ over the warehouse's current prices and tariffs."""

import dagster as dg
import polars as pl

from assets.automation import on_input_change
from assets.costs.headline import HEADLINE_MODEL
from assets.metadata import OWNERS, markdown_preview, table_metadata
from assets.resources import WAREHOUSE_POOL, WarehouseResource
from assets.versions import content_version, utc_now
from costmodel import inference, scenarios, training, validation
from warehouse import energy as energy_queries
from warehouse import queries, replace_table

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

    def band(self) -> tuple[float, float, float]:
        return training.mfu_band(self.mfu, self.mfu_low, self.mfu_high)


class InferenceCostConfig(dg.Config):
    """Assumptions of the inference mart, overridable at launch."""

    mfu: float = inference.DEFAULT_MFU
    batch_size: int = inference.DEFAULT_BATCH_SIZE
    bytes_per_param: float = inference.DEFAULT_BYTES_PER_PARAM
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
    [PRICES, SPECS, MODELS, ENERGY, PUE, dg.AssetKey(["core", "gpu_purchase_prices"])],
    "What one training run of each reference model costs on every GPU model with a price, at each price choice "
    "(cheapest on-demand, spot, median, per provider): FLOPs = 6 x active params x tokens; GPU-hours = FLOPs / "
    "(dense peak x MFU x 3600) at a central MFU and a band; cloud cost, energy (TDP x PUE) and its cost and CO2 where "
    "the offer runs, and the cost on owned hardware. Each row names the price, tariff and purchase price it used, with "
    "their dates.",
)
def training_costs(
    context: dg.AssetExecutionContext, config: TrainingCostConfig, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    low, central, high = config.band()
    with warehouse.writer() as con:
        frame = training.training_costs(
            queries.read_table(con, "core.reference_models"),
            queries.read_table(con, "core.gpu_specs"),
            queries.latest_gpu_prices(con),
            mfu=central,
            mfu_low=low,
            mfu_high=high,
            energy=energy_queries.energy_by_region(con),
            datacenter_pue=energy_queries.datacenter_pue(con),
            purchase_prices=queries.read_table(con, "core.gpu_purchase_prices"),
            computed_at=utc_now(),
        )
        replace_table(con, "marts.training_costs", frame)
    headline = frame.filter((pl.col("model") == HEADLINE_MODEL) & (pl.col("pricing") == "on_demand")).sort(
        "cloud_cost_usd"
    )
    metadata = {
        **table_metadata(frame, "marts.training_costs"),
        "mfu": central,
        "mfu_low": low,
        "mfu_high": high,
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
    [PRICES, SPECS, MODELS, ENERGY, PUE, dg.AssetKey(["core", "inference_throughput"])],
    "What one million generated tokens of each reference model cost on every GPU model with a price, at each price "
    "choice: throughput per GPU modeled (the lower of compute-bound and memory-bandwidth-bound) and, where a measured "
    "figure exists (TensorRT-LLM, SemiAnalysis), measured; with the utilization, energy per 1M tokens and the price "
    "and tariff used.",
)
def inference_costs(
    context: dg.AssetExecutionContext, config: InferenceCostConfig, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    with warehouse.writer() as con:
        frame = inference.inference_costs(
            queries.read_table(con, "core.reference_models"),
            queries.read_table(con, "core.gpu_specs"),
            queries.latest_gpu_prices(con),
            queries.read_table(con, "core.inference_throughput"),
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
        .sort("cost_per_million_tokens_usd")
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
                        "tokens_per_second_per_gpu",
                        "price_per_gpu_hour_usd",
                        "cost_per_million_tokens_usd",
                    ),
                    rows=40,
                )
            ),
        },
    )


@_cost_asset(
    "scenario_costs",
    [PRICES, SPECS, ENERGY, PUE, dg.AssetKey(["core", "scenarios"]), dg.AssetKey(["core", "scenario_published"])],
    "The seed analysis (GPT-3 for ~$1.4M, ChatGPT's $694,444 a day, Guosheng's 4,000 DGX A100, Google search on LLMs, "
    "a $50M cluster) recomputed from its stated assumptions next to the published figures, and the same workloads at "
    "today's cheapest prices on the same hardware and on today's best hardware.",
)
def scenario_costs(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    with warehouse.writer() as con:
        frame = scenarios.scenario_costs(
            queries.read_table(con, "core.scenarios"),
            queries.read_table(con, "core.scenario_published"),
            queries.read_table(con, "core.gpu_specs"),
            queries.latest_gpu_prices(con),
            energy_queries.energy_by_region(con),
            energy_queries.datacenter_pue(con),
            computed_at=utc_now(),
        )
        replace_table(con, "marts.scenario_costs", frame)
    published = frame.filter(pl.col("published_value").is_not_null())
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
    missed = frame.filter(pl.col("published_value").is_not_null() & ~pl.col("matches_published"))
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
    [SPECS, MODELS, dg.AssetKey(["core", "training_runs"])],
    "The training model against published runs (GPT-3, Gopher, PaLM, Llama 2/3/3.1, DeepSeek-V3): GPU-hours predicted "
    "from 6 x active params x tokens on the run's own hardware at the central MFU and the band, next to the published "
    "hardware-hours, with the MFU each run implies.",
)
def model_validation(
    context: dg.AssetExecutionContext, config: TrainingCostConfig, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    low, central, high = config.band()
    with warehouse.writer() as con:
        frame = validation.model_validation(
            queries.read_table(con, "core.reference_models"),
            queries.read_table(con, "core.training_runs"),
            queries.read_table(con, "core.gpu_specs"),
            mfu=central,
            mfu_low=low,
            mfu_high=high,
            computed_at=utc_now(),
        )
        replace_table(con, "marts.model_validation", frame)
    return dg.MaterializeResult(
        data_version=_content_version(frame),
        metadata={
            **table_metadata(frame, "marts.model_validation", preview_rows=20),
            "within_band": int(frame["published_within_band"].sum()),
            "implied_mfu": dg.MetadataValue.md(
                markdown_preview(
                    frame.select("model", "scope", "gpu_model", "hardware_hours", "predicted_gpu_hours", "implied_mfu"),
                    rows=20,
                )
            ),
        },
    )


from assets.costs.changes_defs import cost_changes  # noqa: E402  (reads the marts above)

cost_assets = [training_costs, inference_costs, scenario_costs, model_validation, cost_changes]
cost_checks = [scenario_costs_reproduce_published]

"""Cost assets: recompute the estimates in costmodel/ over the warehouse's current prices."""

import dagster as dg
import polars as pl

from assets.automation import on_input_change
from assets.ingest import utc_now
from assets.metadata import OWNERS, content_version, markdown_preview, table_metadata
from assets.resources import WAREHOUSE_POOL, WarehouseResource
from costmodel.training import DEFAULT_MFU, training_costs as compute_training_costs
from warehouse import queries, replace_table

HEADLINE_MODEL = "GPT-3 175B"


class TrainingCostConfig(dg.Config):
    """Assumptions of the training-cost mart, overridable at launch."""

    mfu: float = DEFAULT_MFU


@dg.asset(
    key=["marts", "training_costs"],
    deps=[dg.AssetKey(["core", "gpu_prices"]), dg.AssetKey(["core", "gpu_specs"]), dg.AssetKey(["core", "reference_models"])],
    group_name="costs",
    kinds={"duckdb", "polars"},
    pool=WAREHOUSE_POOL,
    owners=OWNERS,
    automation_condition=on_input_change(),
    description=(
        "What one training run of each reference model costs on every GPU model with a price: "
        "FLOPs = 6 x active params x tokens; GPU-hours = FLOPs / (dense peak x MFU x 3600); "
        "cost = GPU-hours x the cheapest on-demand $/GPU-hour. Each row names the price it used (provider, "
        "region, instance, date, live or snapshot) and the MFU assumed."
    ),
)
def training_costs(context: dg.AssetExecutionContext, config: TrainingCostConfig, warehouse: WarehouseResource) -> dg.MaterializeResult:
    with warehouse.writer() as con:
        frame = compute_training_costs(
            queries.read_table(con, "core.reference_models"),
            queries.read_table(con, "core.gpu_specs"),
            queries.latest_gpu_prices(con),
            mfu=config.mfu,
            computed_at=utc_now(),
        )
        replace_table(con, "marts.training_costs", frame)
    headline = frame.filter(pl.col("model") == HEADLINE_MODEL).sort("cloud_cost_usd")
    metadata = {**table_metadata(frame, "marts.training_costs"), "mfu": config.mfu}
    if headline.height:
        best = headline.row(0, named=True)
        metadata |= {
            "gpt3_cheapest_training_usd": dg.MetadataValue.float(round(best["cloud_cost_usd"], 2)),
            "gpt3_cheapest_gpu": f"{best['gpu_model']} at ${best['price_per_gpu_hour_usd']:.2f}/GPU-h ({best['price_provider']} {best['price_region']})",
            "gpt3_by_gpu": dg.MetadataValue.md(
                markdown_preview(headline.select("gpu_model", "price_per_gpu_hour_usd", "price_provider", "gpu_hours", "cloud_cost_usd", "price_origin"), rows=40)
            ),
        }
    return dg.MaterializeResult(metadata=metadata, data_version=dg.DataVersion(content_version(frame, ("computed_at",))))


cost_assets = [training_costs]

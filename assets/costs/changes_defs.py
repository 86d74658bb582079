"""The cost-change asset: each headline figure today, its previous value, and which input changed it."""

import datetime as dt

import dagster as dg
import polars as pl

from assets.automation import on_input_change
from assets.metadata import OWNERS, markdown_preview, table_metadata
from assets.resources import WAREHOUSE_POOL, WarehouseResource
from assets.versions import content_version
from costmodel.changes import attribute_changes, headline_figures
from warehouse import changes, queries, replace_table

SHOWN = ["figure", "value", "previous_value", "change_pct", "changed_inputs"]


def _headline(frame: pl.DataFrame, figure: str) -> dict:
    row = frame.filter(pl.col("figure") == figure)
    if row.is_empty():
        return {}
    r = row.row(0, named=True)
    return {"value": r["value"], "previous": r["previous_value"], "why": r["changed_inputs"]}


@dg.asset(
    key=["marts", "cost_changes"],
    deps=[dg.AssetKey(["marts", "training_costs"]), dg.AssetKey(["marts", "scenario_costs"])],
    group_name="costs",
    kinds={"duckdb", "polars"},
    pool=WAREHOUSE_POOL,
    owners=OWNERS,
    automation_condition=on_input_change(),
    description=(
        "What moved the headline numbers: for each headline figure (each reference model's training cost per GPU, "
        "the cheapest GPU-hour of each model, every seed scenario today), its current value, its previous value, and "
        "which input changed it: the price (which source, provider, region, instance and $), the tariff, or an "
        "assumption. "
        "History in marts.headline_history."
    ),
)
def cost_changes(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with warehouse.writer() as con:
        figures = headline_figures(
            queries.read_table(con, "marts.training_costs"), queries.read_table(con, "marts.scenario_costs")
        )
        added = changes.record_figures(con, figures.with_columns(pl.lit(now).alias("computed_at")))
        current = changes.figure_states(con, 1).join(figures.select("figure"), on="figure", how="semi")
        frame = attribute_changes(current, changes.figure_states(con, 2)).sort("figure")
        replace_table(con, "marts.cost_changes", frame)
    moved = frame.filter((pl.col("computed_at") == now) & pl.col("previous_value").is_not_null()).sort(
        pl.col("change_pct").abs(), descending=True
    )
    gpt3 = _headline(frame, "training GPT-3 175B on the cheapest GPU")
    h100 = _headline(frame, "cheapest on-demand H100-SXM GPU-hour")
    metadata = {
        **table_metadata(
            frame.select(SHOWN).sort(pl.col("change_pct").abs(), descending=True, nulls_last=True), "marts.cost_changes"
        ),
        "figures": frame.height,
        "figures_changed_now": moved.height,
        "new_figures_now": added - moved.height,
        "changed_now": dg.MetadataValue.md(markdown_preview(moved.select(SHOWN), rows=30)),
    }
    for name, figure in (("gpt3_training_cheapest_usd", gpt3), ("h100_sxm_cheapest_usd_per_gpu_hour", h100)):
        if figure:
            metadata[name] = dg.MetadataValue.float(round(figure["value"], 4))
            if figure["previous"] is not None:
                metadata[f"{name}_previous"] = dg.MetadataValue.float(round(figure["previous"], 4))
                metadata[f"{name}_why"] = figure["why"]
    return dg.MaterializeResult(metadata=metadata, data_version=dg.DataVersion(content_version(frame)))

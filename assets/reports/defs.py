"""The report as a Dagster asset: reports/overview redraws the HTML page whenever a mart it reads changes.

It reads the warehouse over a short read-only connection and writes a file, never the warehouse. It still takes
the warehouse pool's slot: when runs are separate processes (the daemon's queued runs), a read-only open fails
while another run's process writes the file, so it waits its turn like the writers.
"""

import dagster as dg

from assets.automation import on_input_change
from assets.metadata import OWNERS, check_result, check_specs
from assets.reports.overview import CHARTS_DRAWN, charts_drawn, headline_markdown, write_report
from assets.resources import WAREHOUSE_POOL, WarehouseResource

OVERVIEW = dg.AssetKey(["reports", "overview"])
# every table a chart reads (marts/cost_changes writes marts.headline_history, the training cost's history);
# marts.source_status is a view over the ingest log, redrawn with the rest
READS = [
    dg.AssetKey(["marts", "gpu_prices_daily"]),
    dg.AssetKey(["marts", "training_costs"]),
    dg.AssetKey(["marts", "cost_changes"]),
    dg.AssetKey(["marts", "inference_costs"]),
    dg.AssetKey(["marts", "scenario_costs"]),
    dg.AssetKey(["marts", "energy_by_region"]),
    dg.AssetKey(["core", "gpu_specs"]),
    dg.AssetKey(["core", "gpu_prices"]),  # the origins (live or snapshot) behind the price history
]


@dg.asset(
    key=OVERVIEW,
    deps=READS,
    group_name="reports",
    pool=WAREHOUSE_POOL,
    kinds={"html", "plotly"},
    owners=OWNERS,
    automation_condition=on_input_change(),
    check_specs=check_specs(OVERVIEW, [CHARTS_DRAWN]),
    description=(
        "One self-contained HTML page (data/report.html beside the warehouse; plotly.js inlined, works offline) with "
        "charts of GPU price history, $ per PFLOP-hour by generation, GPT-3 training cost over time, serving $ per 1M "
        "tokens, the seed analysis as published vs today, electricity price and grid carbon by region, and source "
        "freshness; each chart names its dates and whether its data are live or a bundled snapshot. "
        "`gpucost report` draws the same page."
    ),
)
def overview(warehouse: WarehouseResource):
    written = write_report(warehouse.path)
    yield dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(written.path)),
            "url": dg.MetadataValue.url(written.path.as_uri()),
            "size_bytes": written.size_bytes,
            "charts": len(written.charts),
            "data_points": sum(c.points for c in written.charts),
            "preview": dg.MetadataValue.md(headline_markdown(written)),
        }
    )
    yield check_result(charts_drawn(written), OVERVIEW)


report_assets = [overview]

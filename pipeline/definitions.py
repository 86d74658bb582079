"""The gpucost code location (`dagster dev -m pipeline.definitions`): every domain's definitions, merged."""

from __future__ import annotations

import dagster as dg

from assets.costs.defs import cost_assets
from assets.energy.defs import energy_assets
from assets.ingest_defs import ingest_sources_asset, source_checks
from assets.prices.defs import price_assets
from assets.reference.defs import reference_files
from assets.reports.defs import report_assets
from pipeline.automation import automation_sensor, reference_files_sensor
from pipeline.jobs import JOBS
from pipeline.publish import PUBLISH_SENSORS, publish_job
from pipeline.resources import build_resources
from pipeline.schedules import daily_ingest_schedule, source_freshness_schedule

ALL_ASSETS = [ingest_sources_asset, reference_files, *price_assets, *energy_assets, *cost_assets, *report_assets]
ALL_CHECKS = [source_checks]


def build_definitions(resources: dict | None = None, **resource_options) -> dg.Definitions:
    """The code location, with the environment's resources unless `resources` are given (tests, `gpucost run`)."""
    # In-process: one process holds the DuckDB file, and steps share its connection rules.
    return dg.Definitions(
        assets=ALL_ASSETS,
        asset_checks=ALL_CHECKS,
        jobs=[*JOBS, publish_job],
        schedules=[daily_ingest_schedule, source_freshness_schedule],
        sensors=[automation_sensor, reference_files_sensor, *PUBLISH_SENSORS],
        resources=resources if resources is not None else build_resources(**resource_options),
        executor=dg.in_process_executor,
    )


defs = build_definitions()

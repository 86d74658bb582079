"""The daily schedule: ingest every source and reference file; costs follow by automation."""

from __future__ import annotations

import dagster as dg

INGEST_SELECTION = dg.AssetSelection.key_prefixes(["raw"]) | dg.AssetSelection.groups("reference")

daily_ingest_job = dg.define_asset_job(
    "daily_ingest",
    selection=INGEST_SELECTION,
    description="Fetch every price and energy source and reload the reference files. Downstream costs recompute by "
    "automation when an input's data version changes.",
)

daily_ingest_schedule = dg.ScheduleDefinition(
    name="daily_ingest_schedule",
    job=daily_ingest_job,
    cron_schedule="0 6 * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Every day at 06:00 UTC.",
)

# Checks only: an unreachable source fails its asset, which skips that run's checks; this hourly
# run keeps every source's freshness (and its age) current in the UI all the same.
SOURCE_CHECKS = dg.AssetSelection.key_prefixes(["raw"]) - dg.AssetSelection.key_prefixes(["raw"]).without_checks()

source_freshness_job = dg.define_asset_job(
    "source_freshness",
    selection=SOURCE_CHECKS,
    description="Re-evaluate every source's checks (freshness: how old its data is and whether it is live).",
)

source_freshness_schedule = dg.ScheduleDefinition(
    name="source_freshness_schedule",
    job=source_freshness_job,
    cron_schedule="15 * * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Every hour at :15.",
)

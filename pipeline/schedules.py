"""The daily schedule (ingest every source and reference file; costs follow by automation) and the hourly
freshness checks."""

from __future__ import annotations

import dagster as dg

from pipeline.jobs import ingest_job, source_freshness_job

daily_ingest_schedule = dg.ScheduleDefinition(
    name="daily_ingest_schedule",
    job=ingest_job,
    cron_schedule="0 6 * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Every day at 06:00 UTC.",
)

source_freshness_schedule = dg.ScheduleDefinition(
    name="source_freshness_schedule",
    job=source_freshness_job,
    cron_schedule="15 * * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Every hour at :15.",
)

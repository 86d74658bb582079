"""Named jobs, so runs are told apart in the UI: `ingest` (sources and reference files), `recompute` (everything
derived from them) and `source_freshness` (the source checks alone)."""

from __future__ import annotations

import dagster as dg

INGEST_SELECTION = dg.AssetSelection.key_prefixes(["raw"]) | dg.AssetSelection.groups("reference")

ingest_job = dg.define_asset_job(
    "ingest",
    selection=INGEST_SELECTION,
    description="Fetch every price and energy source and reload the reference files. Downstream costs recompute by "
    "automation (or `gpucost run`'s recompute rounds) when an input's data version changes.",
)

recompute_job = dg.define_asset_job(
    "recompute",
    selection=dg.AssetSelection.all() - INGEST_SELECTION,
    description="Recompute the core tables, marts and report whose inputs changed (what `gpucost run` launches after "
    "its ingest).",
)

# Checks only: an unreachable source fails its asset, which skips that run's checks; this job keeps every
# source's freshness (and its age) current in the UI all the same.
SOURCE_CHECKS = dg.AssetSelection.key_prefixes(["raw"]) - dg.AssetSelection.key_prefixes(["raw"]).without_checks()

source_freshness_job = dg.define_asset_job(
    "source_freshness",
    selection=SOURCE_CHECKS,
    description="Re-evaluate every source's checks (freshness: how old its data is and whether it is live).",
)

JOBS = [ingest_job, recompute_job, source_freshness_job]

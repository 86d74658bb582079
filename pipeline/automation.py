"""Automation, on by default: the automation-condition sensor, and a sensor that notices edited reference files."""

import dagster as dg

from assets.energy.reference import ENERGY_REFERENCE_FILES
from assets.reference.files import REFERENCE_FILES

automation_sensor = dg.AutomationConditionSensorDefinition(
    "automation",
    target=dg.AssetSelection.all(),
    default_status=dg.DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=30,
    description="Evaluates every asset's automation condition every 30 s: core prices and costs recompute when an "
    "input's data version changes.",
)

WATCHED_FILES = (*REFERENCE_FILES, *ENERGY_REFERENCE_FILES)
REFERENCE_KEYS = {ref.name: dg.AssetKey(["core", ref.table]) for ref in WATCHED_FILES}


@dg.sensor(
    name="reference_files",
    asset_selection=dg.AssetSelection.assets(*REFERENCE_KEYS.values()),
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Every 30 s, hashes the reference data files (GPU specs, aliases, models, …) and reloads any whose "
    "content no longer matches its asset's data version; costs then follow by automation.",
)
def reference_files_sensor(context: dg.SensorEvaluationContext):
    stale = []
    for ref in WATCHED_FILES:
        key = REFERENCE_KEYS[ref.name]
        event = context.instance.get_latest_materialization_event(key)
        loaded = (
            event.asset_materialization.tags.get("dagster/data_version")
            if event and event.asset_materialization
            else None
        )
        if loaded != ref.content_hash():
            stale.append((key, ref.content_hash()))
    if not stale:
        return dg.SkipReason("every reference file matches its loaded version")
    # the run key makes each (file, content) pair one run, however many ticks see it
    return dg.RunRequest(
        run_key="|".join(f"{key.to_user_string()}@{version}" for key, version in stale),
        asset_selection=[key for key, _ in stale],
        tags={"gpucost/trigger": "reference-file-changed"},
    )

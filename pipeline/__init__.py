"""The Dagster code location: Definitions, resources, schedules, automation, and the `gpucost` CLI."""

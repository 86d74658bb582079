"""The energy steps as plain functions over a warehouse connection: tariffs, grid carbon, energy by region.

Dagster (assets/energy/defs.py) and the plain script call the same functions. Each reads the
newest raw slices through meta.snapshots; a bad value is held row by row (assets/energy/quality.py),
so it never blocks the costs of regions it does not concern.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from assets.checks import CheckOutcome, CheckSpec
from assets.energy import ecb, owid
from assets.energy.geo import US_STATE_CODES
from assets.energy.quality import MAX_GRID_GCO2_PER_KWH, MAX_TARIFF_USD_PER_KWH, grid_holds, tariff_holds
from assets.energy.tariffs import FX_SCHEMA, in_usd, locate
from assets.source import Source
from assets.versions import content_version
from warehouse import energy, queries, replace_snapshot, snapshots
from warehouse.write import transaction

MIN_STATES = 45  # Table 5.6.A lists 50 states and DC; fewer than this means the page lost rows
AGE_COLUMNS = ("tariff_age_days", "fx_age_days", "grid_age_years", "pue_age_years")


@dataclass(frozen=True)
class Built:
    frame: pl.DataFrame  # what the step's table holds now (its newest slices, for a history table)
    version: str
    checks: list[CheckOutcome]
    notes: list[str]  # one line each: something a person should know (no data yet, no FX rate)
    facts: dict


def newest_raw(con, source: Source) -> pl.DataFrame | None:
    day = snapshots.newest_date(con, source.raw_table, source.name)
    return None if day is None else snapshots.slices(con, source.raw_table, {source.name: day})


TARIFFS_HELD = CheckSpec(
    "electricity_tariffs_held",
    f"Tariffs held out of marts.energy_by_region, each with its reason: no USD value, negative or zero, above "
    f"{MAX_TARIFF_USD_PER_KWH} $/kWh. The region falls back (tariff_is_fallback) and its costs go on.",
    warn=True,
)


def build_electricity_tariffs(con, sources: tuple[Source, ...]) -> Built:
    """Every tariff source's newest slice in one shape, in USD at the newest ECB rate, bad values held."""
    countries = queries.read_table(con, "core.countries")
    confirmations = queries.read_table(con, "core.energy_confirmations")
    rates = newest_raw(con, ecb.SOURCE)
    fx = ecb.normalize(rates) if rates is not None else pl.DataFrame(schema=FX_SCHEMA)
    fx = fx.filter(pl.col("fx_date") == pl.col("fx_date").max())
    notes = [] if fx.height else ["no ECB rates in the warehouse: EUR tariffs stay without a USD value (held)"]
    with transaction(con):
        for source in sources:
            raw = newest_raw(con, source)
            if raw is None:
                notes.append(f"{source.name}: no data in {source.raw_table} yet")
                continue
            rows = tariff_holds(in_usd(locate(source.normalize(raw), countries), fx), confirmations)
            replace_snapshot(
                con, "core.electricity_tariffs", rows, source=source.name, snapshot_date=raw["snapshot_date"][0]
            )
    latest = snapshots.newest_slices(con, "core.electricity_tariffs")
    held = latest.filter(pl.col("held_reason").is_not_null()).select(
        "source",
        "area_code",
        "sector",
        "period_label",
        "price_per_kwh",
        "currency",
        "tariff_usd_per_kwh",
        "held_reason",
    )
    checks = [TARIFFS_HELD.outcome(held.is_empty(), f"{held.height} tariff(s) held", held, held_rows=held.height)]
    sources_seen = latest.group_by("source", "origin", "snapshot_date").len().sort("source")
    facts = {"held_rows": held.height, "sources": sources_seen, "fx": fx}
    return Built(latest, content_version(latest, ("fetched_at",)), checks, notes, facts)


GRID_HELD = CheckSpec(
    "grid_carbon_held",
    f"Grid carbon intensities held out of marts.energy_by_region (outside 0..{MAX_GRID_GCO2_PER_KWH:,.0f} gCO2e/kWh); "
    "the region falls back to the World average.",
    warn=True,
)


def build_grid_carbon(con) -> Built:
    """OWID's newest slice with ISO alpha-2 codes joined, implausible values held."""
    raw = newest_raw(con, owid.SOURCE)
    notes = []
    if raw is not None:
        codes = queries.read_table(con, "core.countries").select("iso3", "country_code")
        confirmations = queries.read_table(con, "core.energy_confirmations")
        rows = grid_holds(owid.SOURCE.normalize(raw).join(codes, on="iso3", how="left"), confirmations)
        replace_snapshot(
            con, "core.grid_carbon_intensity", rows, source=owid.SOURCE.name, snapshot_date=raw["snapshot_date"][0]
        )
    else:
        notes.append(f"{owid.SOURCE.name}: no data in {owid.SOURCE.raw_table} yet")
    latest = snapshots.newest_slices(con, "core.grid_carbon_intensity")
    held = latest.filter(pl.col("held_reason").is_not_null())
    checks = [GRID_HELD.outcome(held.is_empty(), f"{held.height} grid intensit(ies) held", held, held_rows=held.height)]
    facts = {"countries": latest["country_code"].n_unique()}
    return Built(latest, content_version(latest, ("fetched_at",)), checks, notes, facts)


NO_ZEROS = CheckSpec(
    "energy_by_region_no_zeros",
    "No region gets a zero or negative tariff, grid intensity or PUE below 1: a missing or held input is NULL and "
    "says why, never 0.",
    blocking=True,
)
LOCATED = CheckSpec(
    "energy_by_region_located",
    "Every priced region is in assets/energy/data/cloud_regions.csv, so its country and state are known (the rest "
    "are listed here).",
    warn=True,
)
TARIFFS = CheckSpec(
    "energy_by_region_tariffs",
    "Every located region has a tariff, its own or a documented fallback; lists the regions that have none.",
    warn=True,
)


def build_energy_by_region(con) -> Built:
    """core.energy_by_region_current from today's tariffs, grid and PUE (the marts.energy_by_region view adds ages)."""
    energy.rebuild_energy_by_region(con)
    frame = energy.energy_by_region(con)
    bad = frame.filter(
        (pl.col("tariff_usd_per_kwh") <= 0)
        | (pl.col("grid_gco2_per_kwh") < 0)
        | (pl.col("pue") < 1)
        | pl.col("pue").is_null()
    ).select("provider", "region", "tariff_usd_per_kwh", "grid_gco2_per_kwh", "pue")
    unknown = frame.filter(~pl.col("location_known")).select("provider", "region")
    missing = frame.filter(pl.col("location_known") & pl.col("tariff_usd_per_kwh").is_null()).select(
        "provider", "region", "country_code", "state_code", "tariff_note"
    )
    checks = [
        NO_ZEROS.outcome(
            bad.is_empty(), f"{bad.height} region(s) with a zero or negative input", bad, bad_rows=bad.height
        ),
        LOCATED.outcome(
            unknown.is_empty(),
            f"{unknown.height} priced region(s) not located",
            unknown,
            unknown_regions=unknown.height,
        ),
        TARIFFS.outcome(
            missing.is_empty(),
            f"{missing.height} located region(s) without a tariff",
            missing,
            regions_without_tariff=missing.height,
        ),
    ]
    bases = frame.group_by("tariff_basis").len().sort("len", descending=True)
    facts = {"tariff_basis": bases, "regions_on_fallback_tariffs": frame.filter(pl.col("tariff_is_fallback")).height}
    return Built(frame, content_version(frame.drop(AGE_COLUMNS)), checks, [], facts)


EIA_COVERAGE = CheckSpec(
    "eia_state_coverage",
    f"Table 5.6.A lists 50 states and DC: the newest slice must hold at least {MIN_STATES} (the bundled snapshot "
    "holds fewer, and warns).",
)


def eia_state_coverage(raw: pl.DataFrame | None) -> CheckOutcome:
    """A live EIA table with fewer than MIN_STATES states lost rows (an error); the bundled selection only warns."""
    if raw is None:
        return EIA_COVERAGE.outcome(False, "no EIA data yet", warn=True)
    states = set(raw.filter(pl.col("area_kind") == "state")["state_code"])
    origin = raw["origin"][0]
    return EIA_COVERAGE.outcome(
        len(states) >= MIN_STATES,
        f"{len(states)} of 51 states ({origin})",
        states=len(states),
        origin=origin,
        missing=", ".join(sorted(US_STATE_CODES - states)),
        warn=origin.startswith("snapshot"),
    )

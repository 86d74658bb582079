"""The energy domain's hand-edited data files: countries, cloud regions, PUE, tariff choices.

They live in assets/energy/data/ and load like every reference file (strict types,
required cells, unique keys), plus the checks that span rows and files: a region's
country must be known, a US state code must be a state, a PUE row must name a
region that exists. A bad edit fails with the file and what is wrong.
"""

from __future__ import annotations

import polars as pl

from assets.energy.geo import US_STATE_CODES
from assets.reference.files import ReferenceDataError, ReferenceFile

ENERGY_DATA_PACKAGE = "assets.energy.data"
TARIFF_SOURCES = ("eia_epm", "eurostat_nrg_pc_205")
DEFAULT_PROVIDER = "*"  # the PUE row used for a provider without its own


def _bad(file: str, frame: pl.DataFrame, problem: str, columns: list[str]) -> None:
    if frame.height:
        raise ReferenceDataError(f"{file}: {problem}: {frame.select(columns).head(5).rows()}")


def check_countries(frame: pl.DataFrame) -> None:
    _bad(
        "countries.csv",
        frame.filter(~pl.col("country_code").str.contains(r"^[A-Z]{2}$") | ~pl.col("iso3").str.contains(r"^[A-Z]{3}$")),
        "country_code must be ISO 3166-1 alpha-2 and iso3 alpha-3",
        ["country_code", "iso3"],
    )
    _bad(
        "countries.csv",
        frame.filter(~pl.col("eu_member").is_in([0, 1])),
        "eu_member must be 0 or 1",
        ["country_code", "eu_member"],
    )
    _bad(
        "countries.csv",
        frame.filter(pl.col("eu_member").eq(1) & pl.col("eurostat_geo").is_null()),
        "an EU member needs its Eurostat geo code",
        ["country_code"],
    )


def check_cloud_regions(frame: pl.DataFrame) -> None:
    known = COUNTRIES.load()["country_code"]
    _bad(
        "cloud_regions.csv",
        frame.filter(~pl.col("country_code").is_in(known.implode())),
        "country_code not in countries.csv",
        ["provider", "region", "country_code"],
    )
    _bad(
        "cloud_regions.csv",
        frame.filter(pl.col("state_code").is_not_null() & (pl.col("country_code") != "US")),
        "state_code is only for US regions",
        ["provider", "region", "state_code"],
    )
    _bad(
        "cloud_regions.csv",
        frame.filter(pl.col("state_code").is_not_null() & ~pl.col("state_code").is_in(sorted(US_STATE_CODES))),
        "state_code is not a US state postal code",
        ["provider", "region", "state_code"],
    )
    # RunPod regions are country codes (SkyPilot) or data-centre ids such as AP-JP-1 (gpuhunt) naming the country
    # in the middle (US ids name the state there, so they are checked against the state instead)
    dc_country = pl.col("region").str.extract(r"^[A-Z]+-([A-Z]{2})-\d+$")
    runpod_ok = pl.any_horizontal(
        pl.col("region") == pl.col("country_code"),
        dc_country == pl.col("country_code"),
        (pl.col("country_code") == "US") & (dc_country == pl.col("state_code")),
    ).fill_null(False)
    _bad(
        "cloud_regions.csv",
        frame.filter((pl.col("provider") == "runpod") & ~runpod_ok),
        "a runpod region is its country code or a data-centre id naming its country (US: its state)",
        ["region", "country_code"],
    )


def check_datacenter_pue(frame: pl.DataFrame) -> None:
    _bad(
        "datacenter_pue.csv",
        frame.filter(~pl.col("pue").is_between(1.0, 3.0)),
        "pue must be between 1.0 and 3.0",
        ["provider", "region", "pue"],
    )
    _bad(
        "datacenter_pue.csv",
        frame.filter(~pl.col("year").is_between(2015, 2100)),
        "year is not a plausible year",
        ["provider", "region", "year"],
    )
    if frame.filter((pl.col("provider") == DEFAULT_PROVIDER) & pl.col("region").is_null()).height != 1:
        raise ReferenceDataError(
            f"datacenter_pue.csv: needs exactly one default row (provider '{DEFAULT_PROVIDER}', no region)"
        )
    regions = CLOUD_REGIONS.load().select("provider", "region")
    unknown = frame.filter(pl.col("region").is_not_null()).join(regions, on=["provider", "region"], how="anti")
    _bad("datacenter_pue.csv", unknown, "region not in cloud_regions.csv", ["provider", "region"])


def check_tariff_preferences(frame: pl.DataFrame) -> None:
    _bad(
        "tariff_preferences.csv",
        frame.filter(~pl.col("source").is_in(TARIFF_SOURCES)),
        f"source must be one of {TARIFF_SOURCES}",
        ["source"],
    )
    _bad(
        "tariff_preferences.csv",
        frame.filter(pl.struct("source", "preference_rank").is_duplicated()),
        "preference_rank must be unique per source",
        ["source", "preference_rank"],
    )
    firsts = frame.filter(pl.col("preference_rank") == 1)["source"]
    missing = sorted(set(TARIFF_SOURCES) - set(firsts))
    if missing:
        raise ReferenceDataError(f"tariff_preferences.csv: no first choice (preference_rank 1) for {missing}")


COUNTRIES = ReferenceFile(
    name="countries.csv",
    table="countries",
    schema={
        "country_code": pl.String,
        "iso3": pl.String,
        "name": pl.String,
        "eurostat_geo": pl.String,
        "eu_member": pl.Int64,
        "source": pl.String,
    },
    required=("country_code", "iso3", "name", "eu_member", "source"),
    key=("country_code",),
    description="Countries where gpucost prices cloud regions, and every EU member: ISO 3166 alpha-2 and alpha-3 "
    "codes, the Eurostat geo code, EU membership.",
    package=ENERGY_DATA_PACKAGE,
    check=check_countries,
)

CLOUD_REGIONS = ReferenceFile(
    name="cloud_regions.csv",
    table="cloud_regions",
    schema={
        "provider": pl.String,
        "region": pl.String,
        "display_name": pl.String,
        "country_code": pl.String,
        "state_code": pl.String,
        "city": pl.String,
        "source": pl.String,
        "notes": pl.String,
    },
    required=("provider", "region", "country_code", "source"),
    key=("provider", "region"),
    description="Where each cloud region gpucost prices is: country (ISO alpha-2) and, in the US, state; one cited "
    "source per row.",
    package=ENERGY_DATA_PACKAGE,
    check=check_cloud_regions,
)

DATACENTER_PUE = ReferenceFile(
    name="datacenter_pue.csv",
    table="datacenter_pue",
    schema={
        "provider": pl.String,
        "region": pl.String,
        "pue": pl.Float64,
        "year": pl.Int64,
        "scope": pl.String,
        "source": pl.String,
        "notes": pl.String,
    },
    required=("provider", "pue", "year", "scope", "source"),
    key=("provider", "region"),
    description=(
        "Power usage effectiveness (facility power / IT power) by provider (region empty) and, where the operator "
        "publishes it, by region; provider '*' is the default for everyone else. Source and year on every row."
    ),
    package=ENERGY_DATA_PACKAGE,
    check=check_datacenter_pue,
)

TARIFF_PREFERENCES = ReferenceFile(
    name="tariff_preferences.csv",
    table="tariff_preferences",
    schema={
        "source": pl.String,
        "sector": pl.String,
        "preference_rank": pl.Int64,
        "sector_label": pl.String,
        "rationale": pl.String,
    },
    required=("source", "sector", "preference_rank", "sector_label", "rationale"),
    key=("source", "sector"),
    description=(
        "Which electricity tariff a data centre pays, per tariff source, in order of preference: US industrial before "
        "commercial; Eurostat's largest non-household band first. Edit the ranks to change the choice."
    ),
    package=ENERGY_DATA_PACKAGE,
    check=check_tariff_preferences,
)


def check_energy_confirmations(frame: pl.DataFrame) -> None:
    _bad(
        "energy_confirmations.csv",
        frame.filter(~pl.col("kind").is_in(["tariff", "grid"])),
        "kind must be tariff or grid",
        ["kind", "source"],
    )
    tariff_keys = (
        pl.col("area_code").is_not_null() & pl.col("sector").is_not_null() & pl.col("period_label").is_not_null()
    )
    grid_keys = pl.col("iso3").is_not_null() & pl.col("year").is_not_null()
    _bad(
        "energy_confirmations.csv",
        frame.filter((pl.col("kind") == "tariff") & ~tariff_keys),
        "a tariff confirmation names source, area_code, sector and period_label",
        ["source", "area_code"],
    )
    _bad(
        "energy_confirmations.csv",
        frame.filter((pl.col("kind") == "grid") & ~grid_keys),
        "a grid confirmation names source, iso3 and year",
        ["source", "iso3"],
    )


ENERGY_CONFIRMATIONS = ReferenceFile(
    name="energy_confirmations.csv",
    table="energy_confirmations",
    schema={
        "kind": pl.String,
        "source": pl.String,
        "area_code": pl.String,
        "sector": pl.String,
        "period_label": pl.String,
        "iso3": pl.String,
        "year": pl.Int64,
        "value": pl.Float64,
        "confirmed_on": pl.String,
        "confirmed_by": pl.String,
        "source_note": pl.String,
    },
    required=("kind", "source", "value", "confirmed_on", "confirmed_by"),
    key=("kind", "source", "area_code", "sector", "period_label", "iso3", "year", "value"),
    description=(
        "Held tariffs and grid intensities (implausible, negative or zero) that a person checked and confirmed: the "
        "exact value is then used in marts.energy_by_region. Usually empty."
    ),
    package=ENERGY_DATA_PACKAGE,
    check=check_energy_confirmations,
)

ENERGY_REFERENCE_FILES = (COUNTRIES, CLOUD_REGIONS, DATACENTER_PUE, TARIFF_PREFERENCES, ENERGY_CONFIRMATIONS)

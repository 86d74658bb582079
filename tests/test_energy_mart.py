"""marts.energy_by_region: which tariff each region gets, the fallbacks and what they say, grid carbon, PUE, ages."""

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

import warehouse
from assets.energy import ecb, eia, eurostat, owid
from assets.energy.reference import CLOUD_REGIONS, COUNTRIES, ENERGY_REFERENCE_FILES
from assets.energy.tariffs import in_usd, locate
from assets.reference.files import load_checked
from tests.conftest import fixture_dir, refresh_current
from warehouse import energy

FIXTURES = Path(__file__).parent / "fixtures"
EIA_PAGE = fixture_dir("eia_epm") / "epm_table_grapher.php"
TODAY = dt.date.today()
FETCHED = dt.datetime(2026, 11, 2, 6)


def meta(frame: pl.DataFrame, source: str, day: dt.date) -> pl.DataFrame:
    return frame.with_columns(
        pl.lit(source).alias("source"),
        pl.lit(day).alias("snapshot_date"),
        pl.lit(FETCHED).alias("fetched_at"),
        pl.lit("live").alias("origin"),
    )


def priced(*regions: tuple[str, str]) -> pl.DataFrame:
    n = len(regions)
    return pl.DataFrame(
        {
            "source": ["test"] * n,
            "provider": [p for p, _ in regions],
            "region": [r for _, r in regions],
            "instance_type": ["x"] * n,
            "gpu_name_raw": ["H100"] * n,
            "gpu_count": [8.0] * n,
            "pricing": ["on_demand"] * n,
            "price_basis": ["instance"] * n,
            "price_per_hour_usd": [10.0] * n,
            "price_per_gpu_hour_usd": [1.25] * n,
            "currency": ["USD"] * n,
            "snapshot_date": [dt.date(2026, 11, 2)] * n,
            "fetched_at": [FETCHED] * n,
            "origin": ["live"] * n,
        }
    )


@pytest.fixture
def mart(warehouse_path):
    """A warehouse with the real reference files and tariffs from the recorded pages.

    The EIA page's Minnesota row is relabelled "U.S. Total" (a test-only edit) so the national-average
    fallback has a national row to use; Eurostat comes from the bundled snapshot, where Italy has only band ID.
    """
    page = EIA_PAGE.read_bytes().replace(b">Minnesota<", b">U.S. Total<")
    countries = load_checked(COUNTRIES)
    fx = ecb.normalize(ecb.parse({ecb.DOCUMENT: (fixture_dir("ecb_eurofxref") / "eurofxref-daily.xml").read_bytes()}))
    us = eia.normalize(meta(eia.parse({eia.TABLE: page}), "eia_epm", dt.date(2026, 11, 2)))
    eu = eurostat.normalize(
        meta(eurostat.parse(eurostat.SOURCE.snapshot.payloads()), "eurostat_nrg_pc_205", dt.date(2026, 11, 1))
    )
    grid = owid.normalize(
        meta(
            owid.parse({owid.CHART: (fixture_dir("owid_grapher") / "carbon-intensity-electricity.csv").read_bytes()}),
            "owid_grid_carbon",
            dt.date(2026, 11, 2),
        )
    )
    with warehouse.connect_writer(warehouse_path) as con:
        for ref in ENERGY_REFERENCE_FILES:
            warehouse.replace_table(con, f"core.{ref.table}", load_checked(ref))
        for name, rows in (("eia_epm", us), ("eurostat_nrg_pc_205", eu)):
            warehouse.replace_snapshot(
                con,
                "core.electricity_tariffs",
                in_usd(locate(rows, countries), fx),
                source=name,
                snapshot_date=rows["snapshot_date"][0],
            )
        warehouse.replace_snapshot(
            con,
            "core.grid_carbon_intensity",
            grid.join(countries.select("iso3", "country_code"), on="iso3", how="left"),
            source="owid_grid_carbon",
            snapshot_date=dt.date(2026, 11, 2),
        )
        warehouse.replace_snapshot(
            con,
            "core.gpu_prices",
            priced(("aws", "us-east-1"), ("vast", "Nowhere, XX, NA")),
            source="test",
            snapshot_date=dt.date(2026, 11, 2),
        )
        refresh_current(con)  # the priced regions come from today's prices
        energy.rebuild_energy_by_region(con)
    with warehouse.connect_reader(warehouse_path) as con:
        yield con


def row(con, provider, region) -> dict:
    found = energy.energy_for_region(con, provider, region)
    assert found is not None, (provider, region)
    return found


def test_the_contract_columns_are_there_and_every_mapped_region_has_one_row(mart):
    frame = energy.energy_by_region(mart)
    assert set(energy.ENERGY_COLUMNS) <= set(frame.columns)
    assert frame.select("provider", "region").is_duplicated().sum() == 0
    assert frame.height == load_checked(CLOUD_REGIONS).height + 1  # plus the priced region nobody mapped


def test_a_state_with_its_own_industrial_price(mart):
    r = row(mart, "gcp", "us-central1")
    assert (r["country_code"], r["state_code"], r["tariff_source"], r["tariff_period"]) == (
        "US",
        "IA",
        "eia_epm",
        "April 2025",
    )
    assert r["tariff_usd_per_kwh"] == pytest.approx(0.0604) and r["tariff_sector"] == "industrial"
    assert r["tariff_basis"] == "exact" and r["tariff_is_fallback"] is False and r["tariff_note"] is None
    assert r["fx_rate"] is None and r["tariff_age_days"] == (TODAY - dt.date(2025, 4, 30)).days
    assert (r["pue"], r["pue_scope"], r["pue_year"]) == (1.11, "campus", 2025) and "datacenters.google" in r[
        "pue_source"
    ]


def test_a_state_without_a_price_falls_back_to_the_national_average_and_says_so(mart):
    va = row(mart, "aws", "us-east-1")
    assert va["tariff_basis"] == "national_average" and va["tariff_is_fallback"] is True
    assert va["tariff_usd_per_kwh"] == pytest.approx(0.0837) and va["tariff_area"] == "U.S. Total"
    assert va["tariff_note"] == "no price for state VA: national average (U.S. Total) used" and va["priced"] is True
    country_only = row(mart, "runpod", "US")
    assert country_only["tariff_basis"] == "national_average" and "an unknown state" in country_only["tariff_note"]


def test_eu_countries_get_the_largest_published_band_in_usd_with_its_dated_rate(mart):
    de = row(mart, "gcp", "europe-west3")
    assert (de["tariff_basis"], de["tariff_sector"], de["tariff_period"], de["tariff_tax"]) == (
        "exact",
        "MWH_GE150000",
        "2025-S2",
        "X_VAT",
    )
    assert de["tariff_price_per_kwh"] == 0.1307 and de["tariff_currency"] == "EUR"
    assert de["tariff_usd_per_kwh"] == pytest.approx(0.1307 * 1.0705)
    assert (de["fx_rate"], de["fx_date"], de["fx_source"]) == (1.0705, dt.date(2024, 6, 28), "ecb_eurofxref")
    it = row(mart, "azure", "italynorth")  # Italy publishes band ID only in the snapshot
    assert it["tariff_basis"] == "other_sector" and it["tariff_sector"] == "MWH2000-19999" and it["tariff_is_fallback"]
    ie = row(mart, "aws", "eu-west-1")
    assert (
        ie["tariff_basis"] == "eu_average" and ie["tariff_area"] == "EU27_2020" and ie["tariff_price_per_kwh"] == 0.1096
    )


def test_a_country_no_source_covers_uses_the_us_average_as_a_labelled_proxy(mart):
    for provider, region, country in (("aws", "ap-northeast-1", "JP"), ("azure", "norwayeast", "NO")):
        r = row(mart, provider, region)
        assert (
            r["tariff_basis"] == "us_average_proxy"
            and r["tariff_is_fallback"]
            and r["tariff_usd_per_kwh"] == pytest.approx(0.0837)
        )
        assert r["tariff_note"] == f"no tariff source covers {country}: U.S. average used as a proxy"


def test_an_unmapped_priced_region_says_its_location_is_unknown(mart):
    r = row(mart, "vast", "Nowhere, XX, NA")
    assert r["location_known"] is False and r["priced"] is True and r["country_code"] is None
    assert (
        r["tariff_usd_per_kwh"] is None
        and r["tariff_basis"] == "unavailable"
        and "location unknown" in r["tariff_note"]
    )
    assert r["grid_is_fallback"] and r["grid_area"] == "World" and r["grid_gco2_per_kwh"] == 471.84
    assert (r["pue"], r["pue_scope"]) == (1.56, "industry_average")
    assert energy.energy_for_region(mart, "vast", "nowhere") is None


def test_grid_carbon_and_pue_come_with_their_year_and_source(mart):
    us = row(mart, "lambda", "us-west-1")
    assert (us["grid_gco2_per_kwh"], us["grid_year"], us["grid_source"], us["grid_area"]) == (
        383.78,
        2024,
        "owid_grid_carbon",
        "United States",
    )
    assert us["grid_age_years"] == TODAY.year - 2024 and not us["grid_is_fallback"]
    assert (us["pue"], us["pue_year"], us["pue_scope"]) == (1.25, 2024, "assumption") and "Epoch AI" in us["pue_source"]
    assert row(mart, "gcp", "us-west2")["pue"] == 1.09  # no campus figure: Google's fleet average
    assert row(mart, "azure", "eastus")["pue"] == 1.14  # Microsoft's Virginia figure
    taiwan = row(mart, "gcp", "asia-east1")  # not in the recorded file: the World average, flagged
    assert (taiwan["grid_gco2_per_kwh"], taiwan["grid_area"], taiwan["grid_is_fallback"]) == (471.84, "World", True)

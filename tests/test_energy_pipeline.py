"""The energy domain in the whole pipeline: live from the loopback server, a failing source, offline from snapshots;
its data files.
"""

import csv
import glob
import io
import os
from pathlib import Path

import dagster as dg
import polars as pl
import pytest

from assets.energy.reference import CLOUD_REGIONS, COUNTRIES, DATACENTER_PUE, ENERGY_REFERENCE_FILES, TARIFF_PREFERENCES
from assets.reference.files import ReferenceDataError, load_checked, parse_reference
from assets.resources import WarehouseResource
from pipeline.automation import REFERENCE_KEYS
from pipeline.cli import main
from pipeline.definitions import defs
from pipeline.run import run_pipeline
from tests.conftest import LOOPBACK_PATHS, loopback_ingest
from tests.loopback import FIXTURES
from warehouse import connect_reader, energy, queries

ROOT = Path(__file__).resolve().parents[1]
CAPTURES = Path(os.environ.get("GPUCOST_SHARED", ROOT.parent / "shared")) / "real-captures"
ECB = LOOPBACK_PATHS["ecb_eurofxref"] + "/eurofxref-daily.xml"
ENERGY_CHECKS = {
    "eia_state_coverage": False,  # the recorded page holds 17 of the 51 states
    "electricity_tariffs_held": True,
    "grid_carbon_held": True,
    "energy_by_region_no_zeros": True,
    "energy_by_region_located": True,
    "energy_by_region_tariffs": False,  # ...and no U.S. Total, so other US states have no tariff to fall back to
    "eia_electricity_prices_fresh": True,
    "eurostat_nrg_pc_205_fresh": True,
    "ecb_eurofxref_fresh": True,
    "owid_carbon_intensity_fresh": True,
}


@pytest.fixture(autouse=True)
def gcp_billing_key(monkeypatch):
    """gcp_billing runs only with a key (without one it is skipped); with one the loopback server answers it, so these
    runs ingest every source."""
    monkeypatch.setenv("GPUCOST_GCP_API_KEY", "test-key-not-a-secret")


def resources(server, warehouse_path, **overrides):
    return {"warehouse": WarehouseResource(path=str(warehouse_path)), "ingest": loopback_ingest(server, **overrides)}


def mart(warehouse_path) -> pl.DataFrame:
    with connect_reader(warehouse_path) as con:
        return energy.energy_by_region(con)


def one(frame: pl.DataFrame, provider: str, region: str) -> dict:
    return frame.filter((pl.col("provider") == provider) & (pl.col("region") == region)).row(0, named=True)


def test_live_run_fills_the_energy_mart(server, warehouse_path):
    summary = run_pipeline(resources=resources(server, warehouse_path), instance=dg.DagsterInstance.ephemeral())
    assert summary.failed_ingest == {} and summary.costs_ok
    assert {name: summary.checks[name] for name in ENERGY_CHECKS} == ENERGY_CHECKS
    frame = mart(warehouse_path)
    iowa = one(frame, "gcp", "us-central1")
    assert (iowa["tariff_usd_per_kwh"], iowa["tariff_basis"], iowa["tariff_origin"]) == (
        pytest.approx(0.0604),
        "exact",
        "live",
    )
    nl = one(frame, "gcp", "europe-west4")  # the recorded Eurostat response has no NL: EU27 band IG
    assert nl["tariff_basis"] == "eu_average" and nl["tariff_usd_per_kwh"] == pytest.approx(0.1096 * 1.0705)
    assert (nl["fx_rate"], str(nl["fx_date"])) == (1.0705, "2024-06-28")
    # every region the recorded catalogs price is located, and priced regions are marked
    assert frame.filter(pl.col("priced") & ~pl.col("location_known")).is_empty()
    with connect_reader(warehouse_path) as con:
        offered = queries.frame(con, "SELECT DISTINCT provider, region FROM core.gpu_prices WHERE region IS NOT NULL")
    assert set(frame.filter(pl.col("priced")).select("provider", "region").iter_rows()) == set(offered.iter_rows())
    # the cost marts' PUE follows the energy mart's rule from the same rows: the region's figure where the mart has the
    # region, else the provider's fleet-wide row of core.datacenter_pue, else its '*' row (before: a separate 1.1 /
    # 1.25,
    # so a Vast offer, which has no region, got 1.25 while the mart gives every provider without a row 1.56)
    with connect_reader(warehouse_path) as con:
        costs = queries.frame(
            con,
            "SELECT DISTINCT price_provider, price_region, pue FROM marts.inference_costs UNION"
            " SELECT DISTINCT price_provider, price_region, pue FROM marts.training_costs",
        )
        fleet = dict(
            energy.datacenter_pue(con).filter(pl.col("region").is_null()).select("provider", "pue").iter_rows()
        )
    in_mart = {(r["provider"], r["region"]): r["pue"] for r in frame.iter_rows(named=True)}
    expected = [in_mart.get((p, r)) or fleet.get(p, fleet["*"]) for p, r, _ in costs.iter_rows()]
    assert costs["pue"].to_list() == expected
    assert {"vast", None} <= set(
        costs.filter(pl.col("price_region").is_null())["price_provider"]
    )  # offers without a region are covered


def test_a_failing_rate_source_keeps_its_last_rate_in_the_mart(server, warehouse_path):
    instance = dg.DagsterInstance.ephemeral()
    run_pipeline(resources=resources(server, warehouse_path), instance=instance)
    server.behave(ECB, status=500)
    summary = run_pipeline(resources=resources(server, warehouse_path), instance=instance)
    assert (
        list(summary.failed_ingest) == ["ecb_eurofxref"]
        and "ecb_eurofxref: GET" in summary.failed_ingest["ecb_eurofxref"]
    )
    de = one(mart(warehouse_path), "aws", "eu-central-1")
    assert de["fx_rate"] == 1.0705 and de["tariff_usd_per_kwh"] == pytest.approx(0.1307 * 1.0705)


def test_offline_run_fills_the_mart_from_snapshots_and_says_so(capsys):
    assert main(["run", "--offline"]) == 0
    capsys.readouterr()
    with connect_reader(os.environ["GPUCOST_DB"]) as con:
        frame = energy.energy_by_region(con)
    iowa, germany = one(frame, "gcp", "us-central1"), one(frame, "azure", "germanywestcentral")
    assert iowa["tariff_origin"] == "snapshot:2025-06-25" and germany["tariff_origin"] == "snapshot:2026-09-26"
    assert germany["tariff_usd_per_kwh"] == pytest.approx(0.1307 * 1.1463) and str(germany["fx_date"]) == "2026-09-22"
    assert germany["grid_origin"] == "snapshot:2026-05-05" and germany["grid_year"] == 2025
    assert frame.filter(pl.col("tariff_usd_per_kwh") <= 0).is_empty()
    assert main(["energy", "--provider", "gcp"]) == 0
    out = capsys.readouterr().out
    assert "us-central1" in out and "0.0604" in out and "fallback tariff" in out
    assert main(["energy", "--provider", "GCP"]) == 0 and capsys.readouterr().out == out  # names in any case
    assert main(["energy", "--provider", "GCP", "--region", "US-Central1"]) == 0
    assert "tariff_usd_per_kwh" in (detail := capsys.readouterr().out) and "0.0604" in detail
    # --region alone searches every provider: AWS's and Lambda's us-east-1 are both Virginia
    assert main(["energy", "--region", "us-east-1"]) == 0
    alone = capsys.readouterr().out
    assert "aws" in alone and "lambda" in alone and "gcp" not in alone


def test_energy_assets_are_registered_in_their_groups():
    graph = defs.resolve_asset_graph()
    groups = {key.to_user_string(): graph.get(key).group_name for key in graph.get_all_asset_keys()}
    for key in (
        "raw/eia_electricity_prices",
        "raw/eurostat_nrg_pc_205",
        "raw/ecb_eurofxref",
        "raw/owid_carbon_intensity",
        "core/electricity_tariffs",
        "core/grid_carbon_intensity",
        "marts/energy_by_region",
    ):
        assert groups[key] == "energy", key
    for ref in ENERGY_REFERENCE_FILES:  # reloaded with the other data files, and watched by the reference-file sensor
        assert groups[f"core/{ref.table}"] == "reference" and REFERENCE_KEYS[ref.name] == dg.AssetKey(
            ["core", ref.table]
        )


# --- the data files ----------------------------------------------------------------------------------------


def test_every_energy_data_file_loads_with_a_source_on_every_row():
    for ref in ENERGY_REFERENCE_FILES:
        frame = load_checked(ref)
        if ref.name.endswith("_confirmations.csv"):  # empty until a person confirms a held value
            continue
        assert (
            frame.height and frame[[c for c in ("source", "rationale") if c in frame.columns][0]].null_count() == 0
        ), ref.name


def test_every_region_the_price_catalogs_name_is_mapped():
    """Regions of the snapshot, the recorded catalogs and the real captures (aws, azure, gcp, lambda, runpod)."""
    mapped = set(load_checked(CLOUD_REGIONS).select("provider", "region").iter_rows())
    files = [
        *glob.glob(str(ROOT / "assets/prices/snapshots/skypilot/*.csv")),
        *glob.glob(str(ROOT / "tests/fixtures/skypilot/skypilot-org/skypilot-catalog/master/catalogs/v8/*/vms.csv")),
        *glob.glob(str(CAPTURES / "skypilot_catalog/*.csv")),
        *glob.glob(str(CAPTURES / "anycloud_catalog/*.csv")),
    ]
    seen = set()
    for name in files:
        path = Path(name)
        provider = path.parent.name if path.name == "vms.csv" else path.stem.split("_")[0]
        if provider in {"aws", "azure", "gcp", "lambda", "runpod"}:
            seen |= {(provider, r["Region"]) for r in csv.DictReader(io.StringIO(path.read_text())) if r.get("Region")}
    assert len(seen) > 100 and seen - mapped == set()


@pytest.mark.parametrize(
    "ref, old, new, message",
    [
        (
            CLOUD_REGIONS,
            b"eu-west-1,Europe (Ireland),IE",
            b"eu-west-1,Europe (Ireland),XX",
            r"cloud_regions.csv: country_code not in countries.csv: \[\('aws', 'eu-west-1', 'XX'\)\]",
        ),
        (
            CLOUD_REGIONS,
            b"eu-west-1,Europe (Ireland),IE,",
            b"eu-west-1,Europe (Ireland),IE,VA",
            r"state_code is only for US regions",
        ),
        (CLOUD_REGIONS, b"(Ohio),US,OH", b"(Ohio),US,QQ", r"state_code is not a US state postal code"),
        (CLOUD_REGIONS, b"runpod,SE,Sweden,SE", b"runpod,SE,Sweden,NO", r"a runpod region is its country code"),
        (
            CLOUD_REGIONS,
            b"gcp,us-west4,",
            b"gcp,us-west3,",
            r"duplicate key \('provider', 'region'\): \('gcp', 'us-west3'\)",
        ),
        (DATACENTER_PUE, b"aws,,1.15", b"aws,,0.95", r"datacenter_pue.csv: pue must be between 1.0 and 3.0"),
        (
            DATACENTER_PUE,
            b"azure,westus3,",
            b"azure,westus9,",
            r"datacenter_pue.csv: region not in cloud_regions.csv: \[\('azure', 'westus9'\)\]",
        ),
        (DATACENTER_PUE, b"*,,1.56", b"aws2,,1.56", r"needs exactly one default row"),
        (
            TARIFF_PREFERENCES,
            b"eia_epm,industrial,1",
            b"eia_epm,industrial,2",
            r"preference_rank must be unique per source",
        ),
        (COUNTRIES, b"GR,GRC,Greece,EL", b"GR,GRC,Greece,", r"an EU member needs its Eurostat geo code"),
    ],
    ids=[
        "unknown-country",
        "state-outside-us",
        "bad-state",
        "runpod-region",
        "duplicate",
        "pue-range",
        "pue-region",
        "pue-default",
        "rank",
        "eurostat-geo",
    ],
)
def test_a_bad_edit_names_the_file_and_what_is_wrong(ref, old, new, message):
    body = ref.read_bytes()
    assert old in body
    with pytest.raises(ReferenceDataError, match=message):
        ref.check(parse_reference(ref, body.replace(old, new, 1)))


EIA_PAGE = LOOPBACK_PATHS["eia_epm"] + "/epm_table_grapher.php"
IOWA_ROW = b'<th class="l rowheader" scope="row">Iowa</th>\n<td class="r data">13.41</td>'


def test_an_absurd_tariff_is_held_alone_and_never_blocks_or_reaches_the_marts(server, warehouse_path):
    """10,000,000 $/kWh for Iowa's industrial rate (the issue's EIA value): held with its reason; every cost mart still
    computes, Iowa gets its newest value that is not held (a year earlier, dated so), and no view serves the absurd
    value."""
    page = (FIXTURES / EIA_PAGE.lstrip("/")).read_bytes()
    row = page.index(IOWA_ROW)
    end = page.index(b"</tr>", row)
    iowa = page[row:end].replace(b">6.04<", b">1000000000.00<", 1)
    assert iowa != page[row:end]
    server.behave(EIA_PAGE, body=page[:row] + iowa + page[end:], headers={"Content-Type": "text/html"})
    summary = run_pipeline(resources=resources(server, warehouse_path), instance=dg.DagsterInstance.ephemeral())
    assert summary.failed_ingest == {} and summary.failed_downstream == {} and summary.costs_ok
    assert summary.checks["electricity_tariffs_held"] is False  # listed by the check, never blocking
    frame = mart(warehouse_path)
    assert frame["tariff_usd_per_kwh"].max() < 1.5
    us_central = one(frame, "gcp", "us-central1")
    assert us_central["tariff_usd_per_kwh"] == pytest.approx(0.0611) and us_central["tariff_period_end"].year == 2024
    with connect_reader(warehouse_path) as con:
        held = queries.frame(
            con, "SELECT area_code, held_reason FROM core.electricity_tariffs WHERE held_reason IS NOT NULL"
        )
        costed = queries.frame(
            con, "SELECT count(*) AS n, max(tariff_usd_per_kwh) AS top FROM marts.training_costs"
        ).row(0, named=True)
    assert "implausible" in held["held_reason"][0] and held.height >= 1
    assert costed["n"] > 0 and costed["top"] < 1.5

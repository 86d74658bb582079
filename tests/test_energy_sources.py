"""Energy sources: parsers on recorded responses, conformance with real captures, and the errors a changed format
gives.
"""

import datetime as dt
import json
import os
from pathlib import Path

import polars as pl
import pytest

from assets.energy import ecb, eia, eurostat, owid
from assets.energy.jsonstat import JsonStatError, decode
from assets.energy.tariffs import FX_SCHEMA, in_usd, locate
from assets.errors import SourceError
from tests.conftest import fixture_dir

FIXTURES = Path(__file__).parent / "fixtures"
EIA_PAGE = fixture_dir("eia_epm") / "epm_table_grapher.php"
EUROSTAT_DOC = fixture_dir("eurostat") / "nrg_pc_205"
ECB_XML = fixture_dir("ecb_eurofxref") / "eurofxref-daily.xml"
OWID_CSV = fixture_dir("owid_grapher") / "carbon-intensity-electricity.csv"
CAPTURES = Path(os.environ.get("GPUCOST_SHARED", Path(__file__).resolve().parents[2] / "shared")) / "real-captures"
META = {
    "source": "x",
    "snapshot_date": dt.date(2026, 11, 2),
    "fetched_at": dt.datetime(2026, 11, 2, 6),
    "origin": "live",
}


def capture(*parts) -> bytes:
    path = CAPTURES.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real capture {path} not available")
    return path.read_bytes()


def with_meta(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(pl.lit(v).alias(k) for k, v in META.items())


def one(frame: pl.DataFrame, **where) -> dict:
    rows = frame.filter(pl.all_horizontal(pl.col(k) == v for k, v in where.items()))
    assert rows.height == 1, f"{where}: {rows.height} rows"
    return rows.row(0, named=True)


# --- EIA Table 5.6.A ---------------------------------------------------------------------------------


def eia_rows(page: bytes | None = None) -> pl.DataFrame:
    return eia.parse({eia.TABLE: page if page is not None else EIA_PAGE.read_bytes()})


def test_eia_reads_the_table_by_header_text():
    rows = eia_rows()
    # sources.md B1: Iowa, April 2025 | April 2024: 13.41 13.17 9.79 9.41 6.04 6.11 -- -- 8.48 8.56
    iowa = rows.filter(pl.col("area_name") == "Iowa").sort("sector", "period")
    assert iowa["cents_per_kwh"].to_list() == [8.56, 8.48, 9.41, 9.79, 6.11, 6.04, 13.17, 13.41, None, None]
    assert iowa["value_flag"].to_list()[-2:] == ["--", "--"] and iowa["state_code"].unique().to_list() == ["IA"]
    assert one(rows, area_name="Ohio", sector="industrial", period=dt.date(2025, 4, 1))["cents_per_kwh"] == 7.90
    assert set(rows["period_label"]) == {"April 2025", "April 2024"}


def test_eia_tells_states_from_census_divisions():
    rows = eia_rows().unique("area_name")
    kinds = dict(zip(rows["area_name"], rows["area_kind"]))
    assert kinds["New England"] == kinds["West North Central"] == "census_division"
    assert kinds["Connecticut"] == "state" and rows.filter(pl.col("area_kind") == "state").height == 17
    assert rows.filter(pl.col("area_kind") == "census_division")["state_code"].null_count() == 4


def test_eia_ignores_css_classes_and_marks_missing_values():
    page = EIA_PAGE.read_bytes()
    for css in (b' class="c header"', b' class="l header"', b' class="r data"', b' class="l rowheader"'):
        page = page.replace(css, b"")
    page = page.replace(b"<td>13.41</td>", b"<td>W</td>", 1).replace(b"<td>13.17</td>", b"<td>NM</td>", 1)
    iowa = eia_rows(page).filter((pl.col("area_name") == "Iowa") & (pl.col("sector") == "residential")).sort("period")
    assert iowa["cents_per_kwh"].to_list() == [None, None] and iowa["value_flag"].to_list() == ["NM", "W"]


def test_eia_label_cell_spanning_both_header_rows():
    page = EIA_PAGE.read_bytes().replace(
        b'<th class="c header" scope="col"> </th>', b'<th rowspan="2">Census Division<br>and State</th>', 1
    )
    page = page.replace(b'<th class="l header" scope="col">Census Division<br>and State</th>', b"", 1)
    assert eia_rows(page).equals(eia_rows())


def test_eia_us_total_is_the_national_row():
    page = EIA_PAGE.read_bytes().replace(b">Minnesota<", b">U.S. Total<")
    total = eia.normalize(with_meta(eia_rows(page))).filter(pl.col("area_name") == "U.S. Total")
    assert (
        set(total["area_kind"]) == {"country"}
        and set(total["area_code"]) == {"US"}
        and total["state_code"].null_count() == total.height
    )


def test_eia_normalize_gives_usd_per_kwh_for_each_month():
    tariffs = eia.normalize(with_meta(eia_rows()))
    ia = one(tariffs, area_code="IA", sector="industrial", period_label="April 2025")
    assert ia["price_per_kwh"] == pytest.approx(0.0604) and ia["currency"] == "USD" and ia["country_code"] == "US"
    assert (ia["period_start"], ia["period_end"]) == (dt.date(2025, 4, 1), dt.date(2025, 4, 30))
    assert (
        one(tariffs, area_code="New England", sector="industrial", period_label="April 2024")["area_kind"]
        == "census_division"
    )


@pytest.mark.parametrize(
    "edit, message",
    [
        ((b">Industrial<", b">Manufacturing<"), r"eia_epm: no table with the sector headers"),
        ((b"April 2024</th>", b"2024</th>"), r"eia_epm: unexpected header column 'Residential' / '2024'"),
        (
            (b">April 2024</th>", b"></th>"),
            r"eia_epm: the header rows do not line up: 10 sector columns, 9 month columns",
        ),
        ((b'<td class="r data">6.04</td>', b""), r"eia_epm: row 'Iowa' has 10 cells, expected 11"),
        ((b">6.04<", b">6.O4<"), r"eia_epm: Iowa, industrial April 2025: '6.O4' is not a price"),
        (
            (b"<tbody>", b"<tbody><tr><th>Iowa</th>" + b"<td>1</td>" * 10 + b"</tr>"),
            r"eia_epm: area 'Iowa' appears twice",
        ),
    ],
    ids=[
        "sector-header-renamed",
        "month-header-changed",
        "month-header-missing",
        "value-missing",
        "not-a-number",
        "duplicate-row",
    ],
)
def test_eia_layout_changes_are_errors_that_name_the_source(edit, message):
    with pytest.raises(SourceError, match=message):
        eia_rows(EIA_PAGE.read_bytes().replace(*edit, 1))


def test_eia_a_page_without_its_states_is_an_error():
    page = EIA_PAGE.read_bytes()
    for state in (
        b"Connecticut",
        b"Maine",
        b"Massachusetts",
        b"New Hampshire",
        b"Rhode Island",
        b"Vermont",
        b"New Jersey",
        b"New York",
    ):
        page = page.replace(b">" + state + b"<", b">" + state + b" (old)<")
    with pytest.raises(SourceError, match=r"only 9 state rows parsed \(a whole table has 51\)"):
        eia_rows(page)


# --- JSON-stat and Eurostat nrg_pc_205 ------------------------------------------------------------------


def test_conformance_real_eurostat_jsonstat2_sparse_values():
    doc = json.loads(capture("eurostat", "nrg_pc_205_jsonstat2_retrieved-2026-09-26.json"))
    cells = decode(doc)
    assert cells.height == len(doc["value"])  # every present cell, nothing invented
    # sources.md B3: DE band ID X_VAT 2025-S2 is flat key 161 = 0.1922; EU27 is key 158 = 0.1596
    assert (
        one(cells, geo="DE", nrg_cons="MWH2000-19999", tax="X_VAT", time="2025-S2")["value"]
        == doc["value"]["161"]
        == 0.1922
    )
    assert one(cells, geo="EU27_2020", nrg_cons="MWH2000-19999", tax="X_VAT", time="2025-S2")["value"] == 0.1596
    # pre-2007 bands are listed without data: no rows for them
    assert not cells["nrg_cons"].is_in(["MWH30", "MWH24000"]).any()
    raw = eurostat.parse({eurostat.DATASET: json.dumps(doc).encode()})
    tariffs = eurostat.normalize(with_meta(raw))
    assert set(raw["tax"]) == {"X_TAX", "X_VAT", "I_TAX"} and set(tariffs["tax"]) == {"X_VAT"}
    fr = one(tariffs, area_code="FR", sector="MWH_GE150000", period_label="2025-S2")
    assert (
        fr["price_per_kwh"] == 0.0614
        and fr["currency"] == "EUR"
        and (fr["period_start"], fr["period_end"]) == (dt.date(2025, 7, 1), dt.date(2025, 12, 31))
    )
    assert (
        one(tariffs, area_code="EU27_2020", sector="MWH_GE150000", period_label="2025-S1")["area_kind"] == "eu_average"
    )


def test_a_dense_value_list_decodes_like_the_sparse_object():
    doc = json.loads(EUROSTAT_DOC.read_bytes())
    total = 1
    for n in doc["size"]:
        total *= n
    dense = {**doc, "value": [doc["value"].get(str(i)) for i in range(total)]}
    listed = {
        **doc,
        "dimension": {
            d: {**v, "category": {**v["category"], "index": list(v["category"]["index"])}}
            for d, v in doc["dimension"].items()
        },
    }
    assert decode(dense).equals(decode(doc)) and decode(listed).equals(decode(doc))


def test_conformance_legacy_jsonstat_arrays_decode_and_are_not_mistaken_for_prices():
    small = json.loads(capture("eurostat", "legacy_wdds_nama_gdp_c_geo-IT-FR.json"))
    cells = decode(small)
    assert cells.columns == ["unit", "indic_na", "geo", "time", "value", "status"]
    assert one(cells, geo="FR", time="1974")["value"] == 4500 and one(cells, geo="IT", time="1990")["value"] == 15800
    assert cells.height == sum(v is not None for v in small["nama_gdp_c"]["value"])
    flagged = decode(json.loads(capture("eurostat", "legacy_wdds_nama_gdp_c_all-geo.json")))
    assert {"b", "e"} <= set(flagged["status"].drop_nulls())  # the wrapped 1.x status array is read too
    with pytest.raises(
        SourceError, match=r"eurostat_nrg_pc_205: expected dimension\(s\) nrg_cons, tax, currency not in the dataset"
    ):
        eurostat.parse({eurostat.DATASET: capture("eurostat", "legacy_wdds_nama_gdp_c_geo-IT-FR.json")})


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda d: {**d, "size": d["size"][:-1]}, r"8 dimension ids but 7 sizes"),
        (lambda d: {**d, "value": {**d["value"], "99999": 0.1}}, r"index outside the cube"),
        (
            lambda d: {**d, "dimension": {**d["dimension"], "geo": {"category": {"index": {"DE": 0}}}}},
            r"dimension 'geo' has 1 categories but its size says 3",
        ),
        (lambda d: {k: v for k, v in d.items() if k != "value"}, r"the dataset has no `value`"),
        (
            lambda d: {**d, "dimension": {**d["dimension"], "time": {"category": {"index": {"2025": 0, "2026": 1}}}}},
            r"time code '2025' is not a semester",
        ),
        (
            lambda d: {"error": {"status": 400, "label": "INVALID_QUERY_DIMENSION"}},
            r"Eurostat answered with an error: .*INVALID_QUERY_DIMENSION",
        ),
    ],
    ids=["sizes", "index-out-of-range", "category-count", "no-value", "not-semesters", "api-error"],
)
def test_eurostat_malformed_documents_are_errors_that_name_the_source(edit, message):
    doc = edit(json.loads(EUROSTAT_DOC.read_bytes()))
    with pytest.raises(SourceError, match=f"eurostat_nrg_pc_205: .*{message}"):
        eurostat.parse({eurostat.DATASET: json.dumps(doc).encode()})


def test_eurostat_an_html_error_page_is_not_json():
    with pytest.raises(SourceError, match="eurostat_nrg_pc_205: the response is not JSON"):
        eurostat.parse({eurostat.DATASET: b"<html>Service Unavailable</html>"})


def test_jsonstat_rejects_a_document_that_is_no_dataset():
    with pytest.raises(JsonStatError, match="no JSON-stat dataset"):
        decode({"class": "collection", "link": {}})


# --- ECB reference rates and conversion -------------------------------------------------------------------


def test_ecb_rates_and_usd_per_unit_through_the_euro():
    raw = ecb.parse({ecb.DOCUMENT: ECB_XML.read_bytes()})
    assert raw.rows() == [
        (dt.date(2024, 6, 28), "USD", 1.0705),
        (dt.date(2024, 6, 28), "GBP", 0.84638),
    ]  # sources.md B4
    fx = ecb.normalize(raw)
    assert one(fx, currency="EUR")["usd_per_unit"] == 1.0705
    assert one(fx, currency="GBP")["usd_per_unit"] == pytest.approx(1.0705 / 0.84638)
    assert set(fx["fx_date"]) == {dt.date(2024, 6, 28)} and set(fx["fx_source"]) == {"ecb_eurofxref"}


@pytest.mark.parametrize(
    "body, message",
    [
        (b"<html>Bad gateway</html>", r"no <Cube time="),
        (
            b"<Cube><Cube time='2024-06-28'><Cube currency='USD' rate='1,07'/></Cube></Cube>",
            r"bad rate on '2024-06-28': currency='USD' rate='1,07'",
        ),
        (b"<Cube><Cube time='2024-06-28'><Cube currency='GBP' rate='0.84638'/></Cube></Cube>", r"no USD rate"),
        (b"<Cube><Cube time='2024-06-28'></Cube></Cube>", r"lists no rates"),
        (b"<Cube time=", r"not XML"),
    ],
    ids=["html", "bad-number", "usd-missing", "empty-day", "truncated"],
)
def test_ecb_bad_documents_are_errors_that_name_the_source(body, message):
    with pytest.raises(SourceError, match=f"ecb_eurofxref: .*{message}"):
        ecb.parse({ecb.DOCUMENT: body})


def test_conversion_keeps_the_dated_rate_and_never_invents_one():
    tariffs = eurostat.normalize(with_meta(eurostat.parse({eurostat.DATASET: EUROSTAT_DOC.read_bytes()})))
    countries = pl.DataFrame({"country_code": ["DE", "FR", "GR"], "eurostat_geo": ["DE", "FR", "EL"]})
    located = locate(tariffs, countries)
    assert set(located.filter(pl.col("area_kind") == "country")["country_code"]) == {"DE", "FR"}
    assert (
        located.filter(pl.col("area_kind") == "eu_average")["country_code"].null_count()
        == located.filter(pl.col("area_kind") == "eu_average").height
    )
    fx = ecb.normalize(ecb.parse({ecb.DOCUMENT: ECB_XML.read_bytes()}))
    converted = in_usd(located, fx)
    de = one(converted, area_code="DE", sector="MWH_GE150000", period_label="2025-S2")
    assert de["tariff_usd_per_kwh"] == pytest.approx(0.1307 * 1.0705)
    assert (de["fx_rate"], de["fx_date"], de["fx_source"]) == (1.0705, dt.date(2024, 6, 28), "ecb_eurofxref")
    no_rate = in_usd(located, pl.DataFrame(schema=FX_SCHEMA))
    assert no_rate["tariff_usd_per_kwh"].null_count() == no_rate.height  # NULL, never 0
    usd = in_usd(eia.normalize(with_meta(eia_rows())), fx)
    assert usd["fx_rate"].null_count() == usd.height and one(
        usd, area_code="IA", sector="industrial", period_label="April 2025"
    )["tariff_usd_per_kwh"] == pytest.approx(0.0604)


# --- OWID grid carbon intensity ----------------------------------------------------------------------------


def test_owid_rows_and_countries():
    raw = owid.parse({owid.CHART: OWID_CSV.read_bytes()})
    assert one(raw, entity="United States", year=2024)["grid_gco2_per_kwh"] == 383.78
    assert one(raw, entity="Europe (Ember)", year=2024)["code"] is None
    grid = owid.normalize(with_meta(raw))
    assert "Europe (Ember)" not in set(grid["entity"]) and {"USA", "OWID_WRL"} <= set(grid["iso3"])


@pytest.mark.parametrize(
    "name, entity, year, value",
    [
        ("owid_grapher_carbon-intensity-electricity_shortnames.csv", "Germany", 2025, 331.6),
        ("owid_grapher_carbon-intensity-electricity_longnames_2018plus.csv", "United States", 2018, None),
    ],
    ids=["short-column-names", "long-column-names"],
)
def test_conformance_real_owid_grapher_exports(name, entity, year, value):
    body = capture("reference", name)
    raw = owid.parse({owid.CHART: body})
    row = one(raw, entity=entity, year=year)
    assert row["grid_gco2_per_kwh"] == value if value is not None else 300 < row["grid_gco2_per_kwh"] < 600
    grid = owid.normalize(with_meta(raw))
    assert raw["code"].null_count() > 0 and grid["iso3"].null_count() == 0 and "USA" in set(grid["iso3"])


@pytest.mark.parametrize(
    "body, message",
    [
        (b"Entity,Code,Year\nWorld,OWID_WRL,2024\n", r"expected one carbon-intensity column"),
        (b"Country,Code,Year,carbon_intensity\nWorld,OWID_WRL,2024,471.84\n", r"expected column\(s\) Entity"),
        (
            b"Entity,Code,Year,carbon_intensity\nWorld,OWID_WRL,2024,n/a\n",
            r"'World': year or value is not a number \('n/a'\)",
        ),
        (b"Entity,Code,Year,carbon_intensity\nWorld,OWID_WRL,2024,\n", r"no carbon-intensity values"),
    ],
    ids=["value-column-missing", "entity-missing", "not-a-number", "empty"],
)
def test_owid_bad_files_are_errors_that_name_the_source(body, message):
    with pytest.raises(SourceError, match=f"owid_grid_carbon: {message}"):
        owid.parse({owid.CHART: body})


# --- bundled snapshots -------------------------------------------------------------------------------------


@pytest.mark.parametrize("source", [eia.SOURCE, eurostat.SOURCE, ecb.SOURCE, owid.SOURCE], ids=lambda s: s.name)
def test_every_bundled_snapshot_parses_and_says_where_it_came_from(source):
    manifest = source.snapshot.manifest
    assert manifest["source"] == source.name and manifest["provenance"] and source.snapshot.captured <= dt.date.today()
    rows = source.parse(source.snapshot.payloads())
    assert rows.height > 0 and source.normalize(with_meta(rows)).height > 0

"""EIA Electric Power Monthly, Table 5.6.A: average retail electricity price by state and sector.

One HTML page (`epm_table_grapher.php?t=epmt_5_6_a`): a title naming the month, a header
row of five sectors (Residential, Commercial, Industrial, Transportation, All Sectors),
each spanning two columns (this month, the same month a year earlier), then one row
per census division, state and the U.S. Total, in US cents per kWh. `--` means no
value, `W` withheld, `NM` not meaningful. Headers are matched by their text, never by
CSS class; rows are told apart by name (states, census divisions, U.S. Total).
The page is parsed once with lxml (assets/markup.py): each table's own rows and each row's own
cells, never a recursive search, so a page of nested tables costs its size, not its size cubed.
See ../shared/notes/sources.md B1.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

import polars as pl

from assets.energy.geo import CENSUS_DIVISIONS, US_STATES, US_TOTAL
from assets.energy.tariffs import tariff_frame
from assets.errors import SourceError
from assets.http import HttpClient
from assets.markup import colspan, html_document, own_cells, own_rows, text
from assets.source import Snapshot, Source

NAME = "eia_epm"
TABLE = "epmt_5_6_a"
BASE_URLS = {"eia_epm": "https://www.eia.gov/electricity/monthly"}
SECTORS = {
    "residential": "residential",
    "commercial": "commercial",
    "industrial": "industrial",
    "transportation": "transportation",
    "all sectors": "all_sectors",
}
NULL_MARKS = {"--": "--", "w": "W", "nm": "NM", "na": "NA", "": ""}  # EIA's markers for a missing value
MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
PERIOD = re.compile(r"^([A-Za-z]+)\s+(\d{4})$")
# A floor that tells a table from a broken page. Whole-table coverage (~51) is the asset check eia_state_coverage.
MIN_STATES_PARSED = 10


def fetch(client: HttpClient, urls: dict[str, str]) -> dict[str, bytes]:
    response = client.get(
        f"{urls['eia_epm']}/epm_table_grapher.php", params={"t": TABLE}, headers={"Accept": "text/html"}
    )
    return {TABLE: response.content}


def _header_cells(row) -> list[str]:
    """A header row's cell texts, each repeated over the columns it spans."""
    cells = []
    for cell in own_cells(row):
        cells += [text(cell)] * colspan(cell)
    return cells


def _find_table(root):
    """The table whose header names the five sectors, with its own rows and the index of that header."""
    for table in root.iter("table"):
        rows = own_rows(table)
        for i, row in enumerate(rows):
            if set(SECTORS) <= {c.lower() for c in _header_cells(row)}:
                return rows, i
    raise SourceError(
        NAME, f"no table with the sector headers {', '.join(s.title() for s in SECTORS)}: the page layout changed"
    )


def _columns(rows, header_at: int) -> tuple[list[tuple[str, dt.date, str]], int]:
    """(sector, first day of the month, label) for every value column, and the index of the first data row."""
    sectors = _header_cells(rows[header_at])
    for months_at in range(header_at + 1, len(rows)):
        periods = _header_cells(rows[months_at])
        if any(PERIOD.match(p) and p.split()[0].lower() in MONTHS for p in periods):
            break
    else:
        raise SourceError(
            NAME, "no header row of months (e.g. 'April 2025') under the sector headers: the page layout changed"
        )
    # the row-label cell ("Census Division and State") may sit in either header row or span both: keep the value columns
    sectors = [s for s in sectors if s.lower() in SECTORS]
    periods = [p for p in periods if any(ch.isdigit() for ch in p)]
    if len(sectors) != len(periods):
        raise SourceError(
            NAME, f"the header rows do not line up: {len(sectors)} sector columns, {len(periods)} month columns"
        )
    columns = []
    for sector, period in zip(sectors, periods):
        match = PERIOD.match(period)
        if not match or match.group(1).lower() not in MONTHS:
            raise SourceError(NAME, f"unexpected header column {sector!r} / {period!r}")
        month = dt.date(int(match.group(2)), MONTHS[match.group(1).lower()], 1)
        columns.append((SECTORS[sector.lower()], month, period))
    per_sector = {s: sum(1 for c in columns if c[0] == s) for s in SECTORS.values()}
    if any(n != 2 for n in per_sector.values()):
        raise SourceError(NAME, f"expected two months per sector, found {per_sector}: the page layout changed")
    return columns, months_at + 1


def _kind(name: pl.Expr) -> pl.Expr:
    """state, census_division, us_total, or other (a row EIA added that gpucost does not know)."""
    return (
        pl.when(name == US_TOTAL)
        .then(pl.lit("us_total"))
        .when(name.is_in(sorted(CENSUS_DIVISIONS)))
        .then(pl.lit("census_division"))
        .when(name.is_in(sorted(US_STATES)))
        .then(pl.lit("state"))
        .otherwise(pl.lit("other"))
    )


def parse_page(html: bytes) -> pl.DataFrame:
    """Table 5.6.A as long rows: one per (area, sector, month), cents/kWh or NULL with the marker EIA printed."""
    rows, header_at = _find_table(html_document(NAME, html))
    columns, data_at = _columns(rows, header_at)
    width = len(columns) + 1
    records = []
    for row in rows[data_at:]:
        cells = [text(c) for c in own_cells(row)]
        if len(cells) <= 1 or not cells[0]:
            continue  # a note or spacer row
        if len(cells) != width:
            raise SourceError(
                NAME,
                f"row {cells[0]!r} has {len(cells)} cells, expected {width}: a value is missing or the layout changed",
            )
        records += [
            (cells[0], sector, month, label, value) for (sector, month, label), value in zip(columns, cells[1:])
        ]
    if not records:
        raise SourceError(NAME, "the price table has no data rows")
    frame = pl.DataFrame(records, schema=["area_name", "sector", "period", "period_label", "raw_value"], orient="row")
    return _typed(frame)


def _typed(frame: pl.DataFrame) -> pl.DataFrame:
    raw = pl.col("raw_value").str.replace_all(",", "")
    marker = raw.str.to_lowercase().replace_strict(NULL_MARKS, default=None)
    frame = frame.with_columns(
        marker.alias("value_flag"),
        pl.when(marker.is_null()).then(raw.cast(pl.Float64, strict=False)).alias("cents_per_kwh"),
        _kind(pl.col("area_name")).alias("area_kind"),
        pl.col("area_name").replace_strict(US_STATES, default=None).alias("state_code"),
    )
    bad = frame.filter(pl.col("value_flag").is_null() & pl.col("cents_per_kwh").is_null())
    if bad.height:
        row = bad.row(0, named=True)
        raise SourceError(
            NAME, f"{row['area_name']}, {row['sector']} {row['period_label']}: {row['raw_value']!r} is not a price"
        )
    states = frame.filter(pl.col("area_kind") == "state")["area_name"].n_unique()
    if states < MIN_STATES_PARSED:
        raise SourceError(NAME, f"only {states} state rows parsed (a whole table has 51): the page layout changed")
    dupes = frame.filter(pl.struct("area_name", "sector", "period").is_duplicated())
    if dupes.height:
        raise SourceError(NAME, f"area {dupes['area_name'][0]!r} appears twice")
    return frame.select(
        "area_name", "area_kind", "state_code", "sector", "period", "period_label", "cents_per_kwh", "value_flag"
    )


def parse(payloads: dict[str, bytes]) -> pl.DataFrame:
    if TABLE not in payloads:
        raise SourceError(NAME, f"no {TABLE} page in the response")
    return parse_page(payloads[TABLE])


def normalize(raw: pl.DataFrame) -> pl.DataFrame:
    """Raw table rows -> tariff rows: states, census divisions and the U.S. Total (the national average), USD/kWh."""
    rows = raw.filter(pl.col("area_kind") != "other")
    is_total = pl.col("area_kind") == "us_total"
    return tariff_frame(
        rows.with_columns(
            pl.when(is_total).then(pl.lit("country")).otherwise(pl.col("area_kind")).alias("area_kind"),
            pl.when(is_total).then(pl.lit("US")).otherwise(pl.coalesce("state_code", "area_name")).alias("area_code"),
            pl.lit("US").alias("country_code"),
            pl.col("period").alias("period_start"),
            pl.col("period").dt.month_end().alias("period_end"),
            (pl.col("cents_per_kwh") / 100).alias("price_per_kwh"),
            pl.lit("USD").alias("currency"),
            pl.lit(None, pl.String).alias("tax"),
        )
    )


SOURCE = Source(
    name=NAME,
    table="eia_electricity_prices",
    description=(
        "EIA Electric Power Monthly Table 5.6.A: average retail electricity price (US cents/kWh) by state, census "
        "division and U.S. Total, for the residential, commercial, industrial, transportation and all sectors, this "
        "month and the same month a year earlier. Read from the HTML page; '--', 'W', 'NM' are kept as NULL with their "
        "marker."
    ),
    base_urls=BASE_URLS,
    fetch=fetch,
    parse=parse,
    normalize=normalize,
    snapshot=Snapshot("assets.energy.snapshots.eia_epm"),
    expected_interval=dt.timedelta(days=31),
    summary="US retail electricity price by state and sector (Table 5.6.A), cents/kWh",
)

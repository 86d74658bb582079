"""Our World in Data: carbon intensity of electricity generation by country and year (gCO2e/kWh).

The grapher chart's CSV export: `Entity,Code,Year,<value>`, one row per (country or
aggregate, year), from Ember's yearly data and the Energy Institute's review. The
value column is `carbon_intensity_elec` with short column names, or
`Carbon intensity of electricity - gCO2/kWh` with long ones; both are read.
Aggregates ("Europe (Ember)") have no Code; World is OWID_WRL. See sources.md B6.
"""

from __future__ import annotations

import datetime as dt
import io

import polars as pl

from assets.errors import SourceError
from assets.http import HttpClient
from assets.source import Snapshot, Source

NAME = "owid_grid_carbon"
CHART = "carbon-intensity-electricity"
BASE_URLS = {"owid_grapher": "https://ourworldindata.org/grapher"}
QUERY = {"v": "1", "csvType": "full", "useColumnShortNames": "true"}
KEYS = ("Entity", "Code", "Year")
WORLD = "OWID_WRL"


def fetch(client: HttpClient, urls: dict[str, str]) -> dict[str, bytes]:
    return {CHART: client.get(f"{urls['owid_grapher']}/{CHART}.csv", params=QUERY).content}


def _value_column(columns: list[str]) -> str:
    candidates = [c for c in columns if c not in KEYS and "carbon" in c.lower() and "intensity" in c.lower()]
    if len(candidates) != 1:
        raise SourceError(
            NAME, f"expected one carbon-intensity column beside {', '.join(KEYS)}, found header {columns[:8]}"
        )
    return candidates[0]


def parse(payloads: dict[str, bytes]) -> pl.DataFrame:
    """One row per (entity, year): entity, code (ISO alpha-3 or OWID_*; NULL for aggregates), grid_gco2_per_kwh."""
    if CHART not in payloads:
        raise SourceError(NAME, f"no {CHART}.csv in the response")
    try:
        text = pl.read_csv(io.BytesIO(payloads[CHART]), infer_schema=False)
    except Exception as exc:  # polars raises several kinds on a body that is not CSV
        raise SourceError(NAME, f"the response is not CSV ({exc.__class__.__name__})") from exc
    missing = [c for c in KEYS if c not in text.columns]
    if missing:
        raise SourceError(NAME, f"expected column(s) {', '.join(missing)} not in header {text.columns[:8]}")
    value = _value_column(text.columns)
    frame = text.select(
        pl.col("Entity").str.strip_chars().alias("entity"),
        pl.col("Code").str.strip_chars().replace("", None).alias("code"),
        pl.col("Year").str.strip_chars().cast(pl.Int32, strict=False).alias("year"),
        pl.col(value).str.strip_chars().replace("", None).alias("_raw"),
    ).with_columns(pl.col("_raw").cast(pl.Float64, strict=False).alias("grid_gco2_per_kwh"))
    bad = frame.filter(
        pl.col("year").is_null() | (pl.col("_raw").is_not_null() & pl.col("grid_gco2_per_kwh").is_null())
    )
    if bad.height:
        row = bad.row(0, named=True)
        raise SourceError(NAME, f"{row['entity']!r}: year or value is not a number ({row['_raw']!r})")
    frame = frame.drop("_raw").drop_nulls("grid_gco2_per_kwh")
    if frame.is_empty():
        raise SourceError(NAME, "no carbon-intensity values in the file")
    return frame


def normalize(raw: pl.DataFrame) -> pl.DataFrame:
    """Raw rows -> countries (ISO alpha-3) and the World average; regional aggregates without a code are dropped."""
    return raw.filter(pl.col("code").str.contains(r"^[A-Z]{3}$") | (pl.col("code") == WORLD)).select(
        pl.col("code").alias("iso3"),
        "entity",
        "year",
        "grid_gco2_per_kwh",
        "source",
        "snapshot_date",
        "fetched_at",
        "origin",
    )


SOURCE = Source(
    name=NAME,
    table="owid_carbon_intensity",
    description=(
        "Our World in Data grapher 'carbon-intensity-electricity': grams of CO2-equivalent emitted per kWh of "
        "electricity generated, by country (and World) and year, from Ember and the Energy Institute."
    ),
    base_urls=BASE_URLS,
    fetch=fetch,
    parse=parse,
    normalize=normalize,
    snapshot=Snapshot("assets.energy.snapshots.owid"),
    expected_interval=dt.timedelta(days=366),
    summary="grid carbon intensity by country and year, gCO2e/kWh",
)

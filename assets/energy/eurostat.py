"""Eurostat nrg_pc_205: electricity prices for non-household consumers, by country and consumption band.

Semi-annual (`2025-S2`), EUR/kWh, from the dissemination API as JSON-stat 2.0. gpucost
asks for the price excluding VAT and other recoverable taxes (`X_VAT`, what a business
pays) in the four largest bands (ID to IG). Decoding is `jsonstat.decode`: the sparse
`value` object read through each dimension's `category.index`, last dimension fastest.
See ../shared/notes/sources.md B3.
"""

from __future__ import annotations

import datetime as dt
import json

import polars as pl

from assets.energy.jsonstat import JsonStatError, decode
from assets.energy.tariffs import tariff_frame
from assets.errors import SourceError
from assets.http import HttpClient
from assets.source import Snapshot, Source

NAME = "eurostat_nrg_pc_205"
DATASET = "nrg_pc_205"
BASE_URLS = {"eurostat": "https://ec.europa.eu/eurostat/api/dissemination/statistics/1.0/data"}
BANDS = ("MWH2000-19999", "MWH20000-69999", "MWH70000-149999", "MWH_GE150000")  # bands ID, IE, IF, IG
QUERY = [
    ("format", "JSON"),
    ("lang", "EN"),
    ("unit", "KWH"),
    ("tax", "X_VAT"),
    ("currency", "EUR"),
    *(("nrg_cons", band) for band in BANDS),
    ("lastTimePeriod", "4"),  # two years of semesters
]
DIMENSIONS = ("freq", "siec", "nrg_cons", "unit", "tax", "currency", "geo", "time")
REQUIRED = ("nrg_cons", "unit", "tax", "currency", "geo", "time")
EU_AVERAGE = "EU27_2020"
AGGREGATES = ("EA",)  # the euro area: two letters, but not a country


def fetch(client: HttpClient, urls: dict[str, str]) -> dict[str, bytes]:
    response = client.get(f"{urls['eurostat']}/{DATASET}", params=QUERY, headers={"Accept": "application/json"})
    return {DATASET: response.content}


def parse(payloads: dict[str, bytes]) -> pl.DataFrame:
    """Every present cell of the cube as a row: the dimension codes, value (EUR/kWh) and status flag."""
    if DATASET not in payloads:
        raise SourceError(NAME, f"no {DATASET} document in the response")
    try:
        doc = json.loads(payloads[DATASET])
    except ValueError as exc:
        raise SourceError(NAME, f"the response is not JSON ({exc})") from exc
    if isinstance(doc, dict) and isinstance(doc.get("error"), (dict, list)):
        raise SourceError(NAME, f"Eurostat answered with an error: {json.dumps(doc['error'])[:300]}")
    try:
        cells = decode(doc)
    except JsonStatError as exc:
        raise SourceError(NAME, f"not a JSON-stat dataset gpucost can read: {exc}") from exc
    missing = [d for d in REQUIRED if d not in cells.columns]
    if missing:
        raise SourceError(
            NAME,
            f"expected dimension(s) {', '.join(missing)} not in the dataset (it has {', '.join(cells.columns[:-2])})",
        )
    odd = cells.filter(~pl.col("time").str.contains(r"^\d{4}-S[12]$"))
    if odd.height:
        raise SourceError(NAME, f"time code {odd['time'][0]!r} is not a semester (YYYY-S1 or YYYY-S2)")
    return cells.select(
        *(pl.col(d) if d in cells.columns else pl.lit(None, pl.String).alias(d) for d in DIMENSIONS),
        "value",
        "status",
    )


def normalize(raw: pl.DataFrame) -> pl.DataFrame:
    """Raw cells -> tariff rows (EUR/kWh, excluding VAT), one per (country or EU average, band, semester)."""
    year = pl.col("time").str.slice(0, 4).cast(pl.Int32)
    first_half = pl.col("time").str.ends_with("S1")
    rows = raw.filter(
        (pl.col("unit") == "KWH")
        & (pl.col("currency") == "EUR")
        & (pl.col("tax") == "X_VAT")
        & (
            (pl.col("geo").str.contains(r"^[A-Z]{2}$") & ~pl.col("geo").is_in(AGGREGATES))
            | (pl.col("geo") == EU_AVERAGE)
        )
    )
    return tariff_frame(
        rows.with_columns(
            pl.when(pl.col("geo") == EU_AVERAGE)
            .then(pl.lit("eu_average"))
            .otherwise(pl.lit("country"))
            .alias("area_kind"),
            pl.col("geo").alias("area_code"),
            pl.col("geo").alias("area_name"),
            pl.lit(None, pl.String).alias("country_code"),  # located from the Eurostat geo code by tariffs.locate
            pl.lit(None, pl.String).alias("state_code"),
            pl.col("nrg_cons").alias("sector"),
            pl.col("time").alias("period_label"),
            pl.date(year, pl.when(first_half).then(1).otherwise(7), 1).alias("period_start"),
            pl.date(year, pl.when(first_half).then(6).otherwise(12), pl.when(first_half).then(30).otherwise(31)).alias(
                "period_end"
            ),
            pl.col("value").alias("price_per_kwh"),
            pl.lit("EUR").alias("currency"),
            pl.col("status").alias("value_flag"),
        )
    )


SOURCE = Source(
    name=NAME,
    table="eurostat_nrg_pc_205",
    description=(
        "Eurostat nrg_pc_205: semi-annual electricity prices for non-household consumers by country (and the EU27 "
        "average), in EUR/kWh excluding VAT and recoverable taxes (X_VAT), for the four largest consumption bands "
        "(ID 2-20 GWh a year to IG over 150 GWh), read from the JSON-stat 2.0 API."
    ),
    base_urls=BASE_URLS,
    fetch=fetch,
    parse=parse,
    normalize=normalize,
    snapshot=Snapshot("assets.energy.snapshots.eurostat"),
    expected_interval=dt.timedelta(days=183),
    summary="EU non-household electricity price by country and consumption band, EUR/kWh",
)

"""ECB euro foreign exchange reference rates (eurofxref-daily.xml): units of each currency per 1 EUR.

`<Cube time='2026-09-22'><Cube currency='USD' rate='1.1463'/>…</Cube>` inside a gesmes
envelope, published around 16:00 CET on TARGET business days. gpucost needs USD per
EUR (and, through the euro, USD per any listed currency) to price Eurostat tariffs in
dollars; the rate's date is kept beside every converted value. See sources.md B4.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import polars as pl

from assets.energy.tariffs import FX_SCHEMA
from assets.errors import SourceError
from assets.http import HttpClient
from assets.source import Snapshot, Source

NAME = "ecb_eurofxref"
DOCUMENT = "eurofxref-daily"
BASE_URLS = {"ecb_eurofxref": "https://www.ecb.europa.eu/stats/eurofxref"}


def fetch(client: HttpClient, urls: dict[str, str]) -> dict[str, bytes]:
    return {DOCUMENT: client.get(f"{urls['ecb_eurofxref']}/{DOCUMENT}.xml").content}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def parse(payloads: dict[str, bytes]) -> pl.DataFrame:
    """One row per (day, currency): rate = units of the currency per 1 EUR."""
    if DOCUMENT not in payloads:
        raise SourceError(NAME, f"no {DOCUMENT}.xml in the response")
    try:
        root = ET.fromstring(payloads[DOCUMENT])
    except ET.ParseError as exc:
        raise SourceError(NAME, f"the response is not XML ({exc})") from exc
    days = [cube for cube in root.iter() if _local(cube.tag) == "Cube" and "time" in cube.attrib]
    if not days:
        raise SourceError(NAME, "no <Cube time='…'> element: the document layout changed")
    records = [
        (day.attrib["time"], rate.attrib.get("currency"), rate.attrib.get("rate"))
        for day in days
        for rate in day
        if _local(rate.tag) == "Cube"
    ]
    if not records:
        raise SourceError(NAME, f"the Cube for {days[0].attrib['time']} lists no rates")
    frame = pl.DataFrame(records, schema=["day", "currency", "raw_rate"], orient="row").with_columns(
        pl.col("day").str.to_date("%Y-%m-%d", strict=False).alias("rate_date"),
        pl.when(pl.col("raw_rate").str.contains(r"^\d+(\.\d+)?$"))
        .then(pl.col("raw_rate").cast(pl.Float64))
        .alias("rate"),
    )
    bad = frame.filter(
        pl.col("rate_date").is_null() | pl.col("currency").is_null() | pl.col("rate").is_null() | (pl.col("rate") <= 0)
    )
    if bad.height:
        row = bad.row(0, named=True)
        raise SourceError(NAME, f"bad rate on {row['day']!r}: currency={row['currency']!r} rate={row['raw_rate']!r}")
    if frame.filter(pl.col("currency") == "USD").is_empty():
        raise SourceError(NAME, "no USD rate in the document (needed to price EUR tariffs in dollars)")
    return frame.select("rate_date", "currency", "rate")


def normalize(raw: pl.DataFrame) -> pl.DataFrame:
    """Raw rates -> USD per unit of each currency, by day: EUR at the USD rate, others crossed through the euro."""
    usd = raw.filter(pl.col("currency") == "USD").select("rate_date", pl.col("rate").alias("_usd"))
    crossed = (
        raw.filter(pl.col("currency") != "USD")
        .join(usd, on="rate_date")
        .select("currency", (pl.col("_usd") / pl.col("rate")).alias("usd_per_unit"), "rate_date")
    )
    euro = usd.select(pl.lit("EUR").alias("currency"), pl.col("_usd").alias("usd_per_unit"), "rate_date")
    return (
        pl.concat([euro, crossed])
        .select("currency", "usd_per_unit", pl.col("rate_date").alias("fx_date"), pl.lit(NAME).alias("fx_source"))
        .cast(FX_SCHEMA)
    )


SOURCE = Source(
    name=NAME,
    table="ecb_eurofxref",
    description=(
        "ECB euro foreign exchange reference rates (eurofxref-daily.xml): units of each currency per 1 EUR on the "
        "latest TARGET business day. gpucost converts EUR tariffs to USD with the USD rate and keeps its date."
    ),
    base_urls=BASE_URLS,
    fetch=fetch,
    parse=parse,
    normalize=normalize,
    snapshot=Snapshot("assets.energy.snapshots.ecb"),
    expected_interval=dt.timedelta(days=1),
    summary="euro reference exchange rates (USD per EUR)",
)

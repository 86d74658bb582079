"""What an ingestion left in the warehouse: a source's status row and the days of its raw table."""

from __future__ import annotations

import datetime as dt

import polars as pl

from assets.resources import WarehouseResource
from assets.source import Source
from warehouse import connect_reader, queries


def source_state(store: WarehouseResource, source: Source | str) -> dict:
    """meta.source_status for one source (by Source or name)."""
    name = source if isinstance(source, str) else source.name
    with connect_reader(store.path) as con:
        return queries.source_status(con).filter(pl.col("source") == name).row(0, named=True)


def raw_days(store: WarehouseResource, source: Source) -> list[dt.date]:
    """The snapshot days the source's raw table holds, oldest first."""
    with connect_reader(store.path) as con:
        days = queries.frame(con, f"SELECT DISTINCT snapshot_date FROM {source.raw_table} ORDER BY 1")
    return days["snapshot_date"].to_list()

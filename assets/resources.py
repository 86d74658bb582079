"""The small configurable resources assets take: where the warehouse is, and how sources are reached."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
import duckdb

import warehouse
from assets.http import HttpClient
from assets.settings import IngestConfig
from assets.source import Source

# Every asset that writes the warehouse claims a slot in this pool; dagster.yaml limits pools to 1.
WAREHOUSE_POOL = "warehouse"


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB warehouse file: one writer at a time, short read-only readers."""

    path: str
    # the read copy readers open (default: warehouse.read.duckdb beside `path`)
    read_copy: str | None = None

    def publish(self) -> warehouse.Published:
        """Publish the read copy (warehouse/publish.py); the caller holds the writer pool slot."""
        return warehouse.publish_read_copy(self.path, self.read_copy or None)

    @contextmanager
    def writer(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with warehouse.connect_writer(self.path) as con:
            yield con

    @contextmanager
    def reader(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with warehouse.connect_reader(self.path) as con:
            yield con


class IngestSettings(dg.ConfigurableResource):
    """How sources are reached: offline (bundled snapshots only), base-URL overrides, HTTP limits, deadlines."""

    offline: bool = False
    base_urls: dict[str, str] = {}
    connect_timeout_s: float = 10.0
    read_timeout_s: float = 30.0
    retries: int = 2
    backoff_s: float = 1.0
    max_wait_s: float = 30.0
    deadline_s: float = 90.0
    deadlines: dict[str, float] = {}

    def config(self) -> IngestConfig:
        return IngestConfig(**{name: getattr(self, name) for name in IngestConfig.__dataclass_fields__})

    def deadline_for(self, source: Source) -> float:
        return self.config().deadline_for(source)

    def client(self, source: str, deadline_s: float | None = None) -> HttpClient:
        return self.config().client(source, deadline_s)

    def urls(self, defaults: dict[str, str]) -> dict[str, str]:
        return self.config().urls(defaults)

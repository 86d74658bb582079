"""The small configurable resources assets take: where the warehouse is, and how sources are reached."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
import duckdb

import warehouse
from assets.http import HttpClient, HttpSettings

# Every asset that writes the warehouse claims a slot in this pool; dagster.yaml limits pools to 1.
WAREHOUSE_POOL = "warehouse"


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB warehouse file: one writer at a time, short read-only readers."""

    path: str

    @contextmanager
    def writer(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with warehouse.connect_writer(self.path) as con:
            yield con

    @contextmanager
    def reader(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with warehouse.connect_reader(self.path) as con:
            yield con


class IngestSettings(dg.ConfigurableResource):
    """How sources are reached: offline (bundled snapshots only), base-URL overrides, HTTP limits."""

    offline: bool = False
    base_urls: dict[str, str] = {}
    connect_timeout_s: float = 10.0
    read_timeout_s: float = 60.0
    retries: int = 2
    backoff_s: float = 1.0
    max_wait_s: float = 30.0

    def client(self, source: str) -> HttpClient:
        return HttpClient(
            source,
            HttpSettings(
                connect_timeout_s=self.connect_timeout_s,
                read_timeout_s=self.read_timeout_s,
                retries=self.retries,
                backoff_s=self.backoff_s,
                max_wait_s=self.max_wait_s,
            ),
        )

    def urls(self, defaults: dict[str, str]) -> dict[str, str]:
        """A source's base URLs, with any override from settings (tests point these at 127.0.0.1)."""
        return {key: self.base_urls.get(key, url).rstrip("/") for key, url in defaults.items()}

"""The resources this code location runs with, configured from the environment.

GPUCOST_DB           warehouse file (default data/warehouse.duckdb in the project)
GPUCOST_OFFLINE=1    use the bundled snapshots, never the network
GPUCOST_URL_<KEY>    override a source's base URL (pipeline/environment.py)
"""

from __future__ import annotations

import os

from assets.resources import IngestSettings, WarehouseResource
from pipeline.environment import base_url_overrides
from pipeline.home import read_copy_path, warehouse_path


def build_resources(*, offline: bool | None = None, database: str | None = None, **ingest_overrides) -> dict:
    if offline is None:
        offline = os.environ.get("GPUCOST_OFFLINE", "").lower() in {"1", "true", "yes"}
    return {
        "warehouse": WarehouseResource(
            path=str(database or warehouse_path()), read_copy=None if database else str(read_copy_path())
        ),
        "ingest": IngestSettings(offline=offline, base_urls=base_url_overrides(), **ingest_overrides),
    }

"""Shared test fixtures: an isolated warehouse and Dagster home, and the loopback HTTP server."""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from assets.sources import SOURCES
from tests.azure_pages import azure_pages
from tests.gcp_billing_pages import gcp_billing_skus  # answers by pageToken
from tests.loopback import FIXTURES, LoopbackServer, Seen
from tests.runpod_pages import runpod_graphql  # answers by GraphQL input

# Never touch the project's own warehouse or Dagster home from tests, and never the network.
for key in [k for k in os.environ if k.startswith("GPUCOST_") and k != "GPUCOST_SHARED"]:
    del os.environ[key]


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("GPUCOST_DB", str(tmp_path / "warehouse.duckdb"))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    (tmp_path / "dagster_home").mkdir()
    yield


@pytest.fixture(scope="session")
def loopback():
    server = LoopbackServer(FIXTURES).start()
    yield server
    server.stop()


def vast_bundles(seen: Seen):
    """Vast answers both rental types at one URL: pick the recorded answer by the request body's `type`."""
    kind = json.loads(seen.body or b"{}").get("type", "")
    file = fixture_dir("vast_api") / f"bundles_{kind}.json"
    return (
        (200, file.read_bytes(), {"Content-Type": "application/json"})
        if file.is_file()
        else (400, b'{"error": "unknown type"}', {})
    )


@pytest.fixture
def server(loopback: LoopbackServer):
    loopback.reset()
    for path, responder in responders().items():
        loopback.respond(path, responder)
    yield loopback
    loopback.reset()


@pytest.fixture
def warehouse_path(tmp_path: Path) -> Path:
    return tmp_path / "warehouse.duckdb"


@pytest.fixture
def store(warehouse_path: Path):
    """The warehouse resource an ingestion test writes through."""
    from assets.resources import WarehouseResource

    return WarehouseResource(path=str(warehouse_path))


@pytest.fixture(scope="session")
def offline_warehouse(tmp_path_factory) -> Path:
    """One `gpucost run --offline` (bundled snapshots), shared by every test that only reads it."""
    from pipeline.cli import main

    root = tmp_path_factory.mktemp("offline_warehouse")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GPUCOST_DB", str(root / "warehouse.duckdb"))
        patch.setenv("DAGSTER_HOME", str(root / "home"))
        (root / "home").mkdir()
        assert main(["run", "--offline"]) == 0
    return root / "warehouse.duckdb"


# Where each source's recorded responses live under tests/fixtures/, by base-URL key: derived from the registry
# (/<key> followed by the live URL's path), never spelled here.
def loopback_path(key: str, url: str) -> str:
    return f"/{key}{urlsplit(url).path}".rstrip("/")


LOOPBACK_PATHS = {key: loopback_path(key, url) for s in SOURCES for key, url in s.base_urls.items()}


def fixture_dir(key: str) -> Path:
    """The folder a base-URL key's recorded responses are served from."""
    return FIXTURES / LOOPBACK_PATHS[key].lstrip("/")


# Paths whose answer depends on the POST body or the query, not only on the path.
def responders() -> dict:
    return {
        LOOPBACK_PATHS["vast_api"] + "/bundles/": vast_bundles,
        LOOPBACK_PATHS["azure"]: azure_pages,
        LOOPBACK_PATHS["runpod_api"] + "/graphql": runpod_graphql,
        LOOPBACK_PATHS["gcp_billing"] + "/v1/services/6F81-5844-456A/skus": gcp_billing_skus,
    }


def loopback_ingest(server: LoopbackServer, **overrides):
    """IngestSettings pointing every known source at the loopback server, with fast retries."""
    from assets.resources import IngestSettings

    base = {key: server.url + path for key, path in LOOPBACK_PATHS.items()}
    settings = {
        "base_urls": base,
        "retries": 1,
        "backoff_s": 0.01,
        "max_wait_s": 0.05,
        "read_timeout_s": 2.0,
        "connect_timeout_s": 2.0,
    }
    settings.update(overrides)
    return IngestSettings(**settings)


def refresh_current(con):
    """Rewrite today's price state from core.gpu_prices as a test wrote it (what core/gpu_prices does after a write)."""
    from assets.prices.market import prefer
    from warehouse import prices, snapshots

    current = prefer(snapshots.newest_slices(con, "core.gpu_prices"))
    prices.replace_current(con, current)
    return current


@pytest.fixture(scope="session")
def postgres():
    """A real, throwaway PostgreSQL server (tests/postgres.py) for the tests of the shared deployment."""
    from tests.postgres import start_postgres, stop_postgres

    server = start_postgres()
    yield server
    stop_postgres(server)

"""Connections: one writer at a time, short read-only readers."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from warehouse.migrate import migrate

DEFAULT_RELATIVE_PATH = Path("data") / "warehouse.duckdb"


class WarehouseMissing(RuntimeError):
    """Raised when a reader asks for a warehouse file that does not exist yet."""


def default_path() -> Path:
    """`GPUCOST_DB` if set, else data/warehouse.duckdb under the current directory."""
    return Path(os.environ.get("GPUCOST_DB") or DEFAULT_RELATIVE_PATH)


def _is_lock_conflict(exc: Exception) -> bool:
    return "lock" in str(exc).lower()


@contextmanager
def connect_writer(path: str | os.PathLike, wait_seconds: float = 120.0) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the warehouse read-write, migrated to the current schema.

    Another process holding the file (a reader left open, a second run) makes
    DuckDB refuse the lock; wait for it with backoff rather than fail at once.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait_seconds
    delay = 0.1
    while True:
        try:
            con = duckdb.connect(str(path))
            break
        except duckdb.IOException as exc:
            if not _is_lock_conflict(exc) or time.monotonic() + delay > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 5.0)
    try:
        con.execute("SET TimeZone = 'UTC'")
        migrate(con)
        yield con
    finally:
        con.close()


@contextmanager
def connect_reader(path: str | os.PathLike) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the warehouse read-only; keep the `with` block short so writers are not held up."""
    path = Path(path)
    if not path.exists():
        raise WarehouseMissing(f"no warehouse at {path}: run `gpucost run` (or `make run`) first")
    con = duckdb.connect(str(path), read_only=True)
    try:
        con.execute("SET TimeZone = 'UTC'")
        yield con
    finally:
        con.close()

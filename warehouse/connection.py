"""Connections: one writer at a time, short read-only readers."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from warehouse.migrate import migrate

# A reader is a person waiting at a terminal: wait out a short write, then say why not.
READER_WAIT_SECONDS = 5.0
# Warehouse files this process has already brought up to date: later writers skip even the fingerprint lookup.
_MIGRATED: set[Path] = set()


class WarehouseMissing(RuntimeError):
    """Raised when a reader asks for a warehouse file that does not exist yet."""


class WarehouseBusy(RuntimeError):
    """Raised when another process holds the warehouse file's lock for longer than we wait."""


def _is_lock_conflict(exc: Exception) -> bool:
    return "lock" in str(exc).lower()


def _lock_holder(exc: Exception) -> str:
    """Who holds the lock, shortly: DuckDB names the holder's full executable path and PID."""
    text = str(exc)
    found = re.search(r"lock is held in (.+?) \(PID (\d+)\)", text)
    if found:
        return f"lock held by {Path(found.group(1)).name}, PID {found.group(2)}"
    first = text.splitlines()[0] if text else type(exc).__name__
    return first if len(first) <= 120 else first[:117] + "..."


# A sandboxed reader touches nothing but the warehouse: no file reads or writes (read_csv, COPY ... TO), no
# extension installs or loads, no network; and the settings are locked so a query cannot lift it.
SANDBOX = {
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
}


def _connect(path: Path, read_only: bool, wait_seconds: float, config: dict | None = None) -> duckdb.DuckDBPyConnection:
    """Open the file, retrying with backoff while another process holds a conflicting lock."""
    deadline = time.monotonic() + wait_seconds
    delay = 0.1
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only, config=config or {})
        except duckdb.IOException as exc:
            if not _is_lock_conflict(exc):
                raise
            if time.monotonic() + delay > deadline:
                doing = "being written by" if read_only else "in use by"
                raise WarehouseBusy(
                    f"the warehouse {path} is {doing} another process ({_lock_holder(exc)}); "
                    "retry in a moment, when it has finished"
                ) from exc
            time.sleep(delay)
            delay = min(delay * 2, 5.0)


@contextmanager
def connect_writer(path: str | os.PathLike, wait_seconds: float = 120.0) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the warehouse read-write, migrated to the current schema.

    Another process holding the file (a reader left open, a second run) makes
    DuckDB refuse the lock; wait for it with backoff rather than fail at once.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = _connect(path, read_only=False, wait_seconds=wait_seconds)
    try:
        con.execute("SET TimeZone = 'UTC'")
        if path.resolve() not in _MIGRATED:
            migrate(con)
            _MIGRATED.add(path.resolve())
        yield con
    finally:
        con.close()


@contextmanager
def connect_reader(
    path: str | os.PathLike, wait_seconds: float | None = None, *, sandboxed: bool = True
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the warehouse read-only and sandboxed (SANDBOX); keep the `with` block short so writers are not held up.

    DuckDB lets no reader in while another process writes: wait a few seconds
    (READER_WAIT_SECONDS) for the write to finish, then raise WarehouseBusy.
    """
    path = Path(path)
    if not path.exists():
        raise WarehouseMissing(f"no warehouse at {path}: run `gpucost run` (or `make run`) first")
    wait = READER_WAIT_SECONDS if wait_seconds is None else wait_seconds
    con = _connect(path, read_only=True, wait_seconds=wait, config=SANDBOX if sandboxed else None)
    try:
        con.execute("SET TimeZone = 'UTC'")
        if sandboxed:
            con.execute("SET lock_configuration = true")  # no query can lift the sandbox
        yield con
    finally:
        con.close()

"""The read copy: a consistent copy of the warehouse, published after each run, that readers open instead.

DuckDB lets one process write a file or many read it, never both. Runs write the warehouse file; readers (the
CLI, the report, BI tools, notebooks) open the read copy beside it (`warehouse.read.duckdb`), which no process
ever opens read-write, so a reader never waits for a run and a reader left open never makes a run wait.

Publishing holds the writer lock throughout: CHECKPOINT (every committed change into the main file, the WAL
emptied), copy the file's bytes to a temp file, check the copy opens and is at the same schema version, then
rename it over the read copy. A rename is atomic: a reader opens either the old copy or the new one, whole;
one that has the old copy open keeps reading it. Holding the lock also orders publishers, so an older copy can
never replace a newer one.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from warehouse.connection import connect_writer


def default_read_copy(path: str | os.PathLike) -> Path:
    """data/warehouse.read.duckdb beside data/warehouse.duckdb."""
    path = Path(path).resolve()
    return path.with_name(f"{path.stem}.read{path.suffix or '.duckdb'}")


def readable(path: str | os.PathLike, read_copy: str | os.PathLike | None = None) -> Path:
    """The file a reader should open: the read copy once one was published, else the warehouse itself."""
    copy = Path(read_copy) if read_copy else default_read_copy(path)
    return copy if copy.exists() else Path(path)


@dataclass(frozen=True)
class Published:
    path: Path
    size_bytes: int
    seconds: float
    schema_version: str


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish_read_copy(path: str | os.PathLike, read_copy: str | os.PathLike | None = None) -> Published:
    """Copy the warehouse, as of its last commit, to the read copy in one atomic step (see the module docstring)."""
    from warehouse.migrate import schema_version

    started = time.monotonic()
    path = Path(path).resolve()
    target = Path(read_copy).resolve() if read_copy else default_read_copy(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    with connect_writer(path) as con:
        con.execute("CHECKPOINT")
        version = schema_version(con)
        try:
            shutil.copyfile(path, partial)
            _fsync(partial)
            check = duckdb.connect(str(partial), read_only=True)
            try:
                copied = schema_version(check)
            finally:
                check.close()
            if copied != version:
                raise RuntimeError(f"the read copy of {path} is at schema {copied}, the warehouse at {version}")
            os.replace(partial, target)
            _fsync(target.parent)
        finally:
            partial.unlink(missing_ok=True)
    return Published(target, target.stat().st_size, time.monotonic() - started, version)


def state_summary(con: duckdb.DuckDBPyConnection) -> dict:
    """What a reader checks a copy by: its schema version, how many ingest attempts it holds (never fewer in a
    later copy), and the slices whose row count differs from what meta.snapshots recorded in the same transaction
    (any would mean half a write)."""
    from warehouse.migrate import schema_version

    tables = [row[0] for row in con.execute("SELECT DISTINCT table_name FROM meta.snapshots ORDER BY 1").fetchall()]
    bad = 0
    for table in tables:
        bad += con.execute(
            "SELECT count(*) FROM (SELECT source, snapshot_date, row_count FROM meta.snapshots WHERE table_name = ?) s"
            f" LEFT JOIN (SELECT source, snapshot_date, count(*) AS n FROM {table} GROUP BY ALL) t"
            " USING (source, snapshot_date) WHERE coalesce(t.n, 0) <> s.row_count",
            [table],
        ).fetchone()[0]
    source_runs = con.execute("SELECT count(*) FROM meta.source_runs").fetchone()[0]
    return {"schema_version": schema_version(con), "source_runs": source_runs, "bad_slices": bad}

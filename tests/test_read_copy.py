"""The read copy: readers open a published copy, so a run holding the warehouse never makes them wait, and a reader
holding the copy open never makes a run (or the next publish) wait. Locks are real: another process holds files."""

import datetime as dt
import subprocess
import sys
import time

import duckdb
import polars as pl

import warehouse
from pipeline.cli import main
from pipeline.home import read_copy_path, readable_path
from tests.test_warehouse_busy import held
from warehouse.publish import state_summary

DAY = dt.date(2026, 3, 9)

READ_HOLDER = """
import sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
print("holding", flush=True)
sys.stdin.read()
"""


def write_lambda(path, rows: int) -> None:
    frame = pl.DataFrame({"source": ["lambda"] * rows, "snapshot_date": [DAY] * rows, "x": list(range(rows))})
    with warehouse.connect_writer(path) as con:
        con.execute("CREATE SCHEMA IF NOT EXISTS raw")
        con.execute("CREATE TABLE IF NOT EXISTS raw.t (source VARCHAR, snapshot_date DATE, x BIGINT)")
        warehouse.replace_snapshot(con, "raw.t", frame, source="lambda", snapshot_date=DAY)


def test_readers_open_the_published_copy_and_never_wait_for_a_writer(warehouse_path, capsys):
    write_lambda(warehouse_path, 3)
    assert readable_path() == warehouse_path  # nothing published yet: the warehouse itself
    published = warehouse.publish_read_copy(warehouse_path, read_copy_path())
    assert published.path == read_copy_path() == warehouse_path.with_name("warehouse.read.duckdb")
    assert readable_path() == published.path
    with held(warehouse_path):  # a run holds the warehouse read-write
        started = time.monotonic()
        assert main(["sql", "SELECT count(*) AS n FROM raw.t", "--json"]) == 0
        waited = time.monotonic() - started
    assert '"n": 3' in capsys.readouterr().out
    assert waited < warehouse.connection.READER_WAIT_SECONDS  # answered from the copy, not after a wait


def test_a_reader_holding_the_copy_open_blocks_neither_the_writer_nor_the_next_publish(warehouse_path):
    write_lambda(warehouse_path, 3)
    copy = warehouse.publish_read_copy(warehouse_path).path
    holder = subprocess.Popen(
        [sys.executable, "-c", READ_HOLDER, str(copy)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        started = time.monotonic()
        write_lambda(warehouse_path, 5)  # the writer opens its own file at once
        again = warehouse.publish_read_copy(warehouse_path)
        assert time.monotonic() - started < 5
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    con = duckdb.connect(str(again.path), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM raw.t").fetchone()[0] == 5
        assert state_summary(con)["bad_slices"] == 0
    finally:
        con.close()


def test_the_consistency_check_sees_a_slice_that_lost_rows_outside_its_transaction(warehouse_path):
    """The readers' check can fail: a slice whose rows differ from what meta.snapshots recorded is counted."""
    write_lambda(warehouse_path, 4)
    with warehouse.connect_writer(warehouse_path) as con:
        assert state_summary(con)["bad_slices"] == 0
        con.execute("DELETE FROM raw.t WHERE x = 0")
        assert state_summary(con)["bad_slices"] == 1

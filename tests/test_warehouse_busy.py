"""A warehouse another process is writing: readers wait a moment, then say so in one line (exit 2), never a traceback.

The lock is real: a second Python process holds the DuckDB file read-write, as a Dagster run does.
"""

import subprocess
import sys
import threading
from contextlib import contextmanager

import pytest

import warehouse
from pipeline.cli import main
from pipeline.home import warehouse_path

HOLDER = """
import sys, duckdb
con = duckdb.connect(sys.argv[1])
print("holding", flush=True)
sys.stdin.readline()  # hold the lock until told to let go
con.close()
sys.stdin.read()  # then stay alive until the test is done
"""


@contextmanager
def held(path):
    """A second process holding `path` read-write until its stdin gets a line (release) or closes (exit)."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        yield holder
    finally:
        holder.stdin.close()
        holder.wait(timeout=60)


def release(holder: subprocess.Popen) -> None:
    holder.stdin.write("\n")
    holder.stdin.flush()


def test_a_reader_waits_for_the_writer_to_finish(warehouse_path):
    with warehouse.connect_writer(warehouse_path):
        pass
    with held(warehouse_path) as holder:
        threading.Timer(1.0, release, [holder]).start()  # the writer finishes while the reader waits
        with warehouse.connect_reader(warehouse_path, wait_seconds=60) as con:
            assert con.execute("SELECT count(*) FROM meta.schema_migrations").fetchone()[0] > 0


def test_a_reader_gives_up_with_who_holds_the_lock(warehouse_path):
    with held(warehouse_path) as holder, pytest.raises(warehouse.WarehouseBusy) as busy:
        with warehouse.connect_reader(warehouse_path, wait_seconds=0.5):
            pass
    message = str(busy.value)
    assert (
        "is being written by another process" in message
        and f"PID {holder.pid}" in message
        and "retry in a moment" in message
    )
    assert "\n" not in message and "duckdb.org" not in message  # the holder, shortened: not DuckDB's whole paragraph


def test_a_writer_gives_up_with_the_same_error(warehouse_path):
    with held(warehouse_path) as holder:
        with pytest.raises(warehouse.WarehouseBusy, match=f"in use by another process .*PID {holder.pid}"):
            with warehouse.connect_writer(warehouse_path, wait_seconds=0.3):
                pass


@pytest.mark.parametrize(
    "args",
    [
        ["energy"],
        ["prices"],
        ["sql", "select 1"],
        ["scenario", "seed-gpt3-training"],
        ["estimate", "training", "--model", "GPT-3 175B", "--gpu", "H100"],
    ],
    ids=["energy", "prices", "sql", "scenario", "estimate"],
)
def test_every_reading_command_says_busy_in_one_line(args, capsys, monkeypatch):
    monkeypatch.setattr("warehouse.connection.READER_WAIT_SECONDS", 0.3)  # the real wait is a few seconds
    with held(warehouse_path()) as holder:
        code = main(args)
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and err.count("\n") == 1, err
    assert (
        err.startswith("gpucost: the warehouse ")
        and "being written by another process" in err
        and f"PID {holder.pid}" in err
    )
    assert "gpucost run" not in err and "Traceback" not in err

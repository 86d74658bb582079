"""Warehouse: migrations are idempotent, every table and view is documented, snapshots replace one day."""

import datetime as dt

import duckdb
import polars as pl
import pytest

import warehouse
from assets.sources import SOURCES
from warehouse import queries
from warehouse.migrate import available_migrations, expand_repeats


def test_migrations_apply_once_and_upgrade_in_place(warehouse_path):
    with warehouse.connect_writer(warehouse_path) as con:
        con.execute("INSERT INTO meta.source_runs (source, attempted_at, status) VALUES ('x', now(), 'live')")
        first = warehouse.schema_version(con)
    with warehouse.connect_writer(warehouse_path) as con:
        assert warehouse.migrate(con) == []  # nothing left to apply
        assert warehouse.schema_version(con) == first == available_migrations()[-1][0]
        assert con.execute("SELECT count(*) FROM meta.source_runs").fetchone()[0] == 1  # history kept


def test_an_older_warehouse_gets_only_the_missing_migrations(warehouse_path):
    names = [name for name, _ in available_migrations()]
    con = duckdb.connect(str(warehouse_path))
    con.execute(
        "CREATE SCHEMA meta; CREATE TABLE meta.schema_migrations (name VARCHAR PRIMARY KEY, applied_at TIMESTAMP NOT "
        "NULL DEFAULT now())"
    )
    con.execute(available_migrations()[0][1])
    con.execute("INSERT INTO meta.schema_migrations (name) VALUES (?)", [names[0]])
    con.execute("INSERT INTO meta.source_runs (source, attempted_at, status) VALUES ('old', now(), 'live')")
    con.close()
    with warehouse.connect_writer(warehouse_path) as con:
        assert [r[0] for r in con.execute("SELECT name FROM meta.schema_migrations ORDER BY name").fetchall()] == names
        assert con.execute("SELECT source FROM meta.source_runs").fetchall() == [("old",)]


def test_a_repeat_block_is_written_once_and_applied_per_value():
    block = "-- repeat {cloud} in aws gcp\nCREATE TABLE raw.x_{cloud} (a INT); -- {cloud}\n-- end repeat\n"
    sql = f"SELECT 1;\n{block}SELECT 2;\n"
    assert expand_repeats(sql) == (
        "SELECT 1;\nCREATE TABLE raw.x_aws (a INT); -- aws\nCREATE TABLE raw.x_gcp (a INT); -- gcp\nSELECT 2;\n"
    )
    assert expand_repeats("SELECT {cloud};\n") == "SELECT {cloud};\n"  # outside a block nothing is replaced
    # every source of the registry has its raw table after migrating (the per-cloud ones come from repeat blocks)
    con = duckdb.connect(":memory:")
    warehouse.migrate(con)
    tables = {f"{s}.{t}" for s, t in con.execute("SELECT schema_name, table_name FROM duckdb_tables()").fetchall()}
    assert {f"raw.{source.table}" for source in SOURCES} <= tables


TABLE_COMMENTS = """
    SELECT schema_name, table_name AS name, 'table' AS kind, comment FROM duckdb_tables()
    WHERE database_name = current_database()
    UNION ALL
    SELECT schema_name, view_name, 'view', comment FROM duckdb_views()
    WHERE database_name = current_database() AND NOT internal
    ORDER BY 1, 2
"""


def test_every_table_and_view_has_a_comment(warehouse_path):
    with warehouse.connect_writer(warehouse_path) as con:
        docs = queries.frame(con, TABLE_COMMENTS)
    assert {"raw", "core", "marts", "meta"} <= set(docs["schema_name"])
    undocumented = docs.filter(pl.col("comment").is_null() | (pl.col("comment") == ""))
    assert undocumented.is_empty(), undocumented


def test_replace_snapshot_touches_only_that_source_and_day(warehouse_path):
    def rows(source, day, price):
        return pl.DataFrame(
            {
                "source": [source],
                "provider": ["aws"],
                "region": ["us-east-1"],
                "instance_type": ["p5.48xlarge"],
                "gpu_name_raw": ["H100"],
                "gpu_model": ["H100-SXM"],
                "gpu_count": [8.0],
                "pricing": ["on_demand"],
                "price_basis": ["instance"],
                "price_per_hour_usd": [price],
                "price_per_gpu_hour_usd": [price / 8],
                "currency": ["USD"],
                "snapshot_date": [day],
                "fetched_at": [dt.datetime(2026, 1, 1)],
                "origin": ["live"],
            }
        )

    d1, d2 = dt.date(2026, 11, 29), dt.date(2026, 11, 30)
    with warehouse.connect_writer(warehouse_path) as con:
        warehouse.replace_snapshot(con, "core.gpu_prices", rows("a", d1, 55.04), source="a", snapshot_date=d1)
        warehouse.replace_snapshot(con, "core.gpu_prices", rows("a", d2, 56.00), source="a", snapshot_date=d2)
        warehouse.replace_snapshot(con, "core.gpu_prices", rows("b", d2, 60.00), source="b", snapshot_date=d2)
        warehouse.replace_snapshot(con, "core.gpu_prices", rows("a", d2, 57.00), source="a", snapshot_date=d2)
        got = queries.frame(con, "SELECT source, snapshot_date, price_per_hour_usd FROM core.gpu_prices ORDER BY 1, 2")
    assert got.rows() == [("a", d1, 55.04), ("a", d2, 57.00), ("b", d2, 60.00)]


def test_a_failed_write_leaves_the_last_good_data(warehouse_path):
    good = pl.DataFrame(
        {
            "source": ["s"],
            "attempted_at": [dt.datetime(2026, 1, 1)],
            "status": ["live"],
            "snapshot_date": [dt.date(2026, 1, 1)],
        }
    )
    with warehouse.connect_writer(warehouse_path) as con:
        warehouse.replace_snapshot(con, "meta.source_runs", good, source="s", snapshot_date=dt.date(2026, 1, 1))
        bad = good.with_columns(pl.lit(None, pl.String).alias("status"))  # violates NOT NULL mid-transaction
        with pytest.raises(duckdb.Error):
            warehouse.replace_snapshot(con, "meta.source_runs", bad, source="s", snapshot_date=dt.date(2026, 1, 1))
        assert con.execute("SELECT status FROM meta.source_runs").fetchall() == [("live",)]


def test_reader_is_read_only_and_says_when_there_is_no_warehouse(warehouse_path):
    with pytest.raises(warehouse.WarehouseMissing, match="gpucost run"), warehouse.connect_reader(warehouse_path):
        pass
    with warehouse.connect_writer(warehouse_path):
        pass
    with warehouse.connect_reader(warehouse_path) as con, pytest.raises(duckdb.Error, match="read-only"):
        con.execute("CREATE TABLE marts.x (a INT)")

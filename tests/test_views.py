"""Migrations hold tables; every view and macro lives in one file and is re-created from it; a current warehouse
skips all of it in one lookup."""

import re

import warehouse
from warehouse.migrate import available_migrations, is_current, migrate, view_files


def test_migrations_from_0500_create_no_view_or_macro():
    for name, sql in available_migrations():
        if name >= "0500":
            assert not re.search(r"CREATE\s+(OR\s+REPLACE\s+)?(VIEW|MACRO)", sql, re.I), name


def test_each_view_file_creates_the_object_it_is_named_after_and_comments_it():
    for name, sql in view_files():
        schema, obj = name.split(".")
        assert re.search(rf"CREATE OR REPLACE (VIEW|MACRO) {schema}\.{obj}\b", sql), name
        assert re.search(rf"COMMENT ON (VIEW|MACRO|MACRO TABLE) {schema}\.{obj}\b", sql), name


def test_a_current_warehouse_is_not_migrated_again(warehouse_path):
    with warehouse.connect_writer(warehouse_path) as con:
        assert is_current(con)
        assert migrate(con) == []  # one lookup: the fingerprint matches
        con.execute("UPDATE meta.schema_state SET fingerprint = 'older'")
        assert not is_current(con)
        assert migrate(con) == []  # no migration left to apply, but the views are re-created
        assert is_current(con)
        names = {
            r[0] for r in con.execute("SELECT view_name FROM duckdb_views() WHERE schema_name = 'marts'").fetchall()
        }
    assert {"latest_gpu_prices", "gpu_prices_by_place", "energy_by_region", "source_status"} <= names
    assert "gpu_prices_latest" not in names  # renamed: too close to latest_gpu_prices


def test_the_views_read_today_s_state_tables_not_the_history():
    views = dict(view_files())
    for name, sql in views.items():
        assert "core.gpu_prices\n" not in sql and "FROM core.gpu_prices " not in sql, name

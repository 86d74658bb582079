"""Every mart column says what it is: in DuckDB's catalog (for SQL and BI users) and on the Assets page."""

import duckdb
import polars as pl

from assets.metadata import table_metadata
from warehouse import columns
from warehouse.migrate import migrate


def mart_columns(con) -> pl.DataFrame:
    return con.execute("SELECT table_name, column_name, comment FROM duckdb_columns() WHERE schema_name = 'marts'").pl()


def test_every_mart_column_has_a_comment_after_migrating(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    migrate(con)
    found = mart_columns(con)
    assert found.height > 400
    missing = found.filter(pl.col("comment").is_null() | (pl.col("comment").str.len_chars() < 12))
    assert missing.is_empty(), f"describe these in warehouse/columns.csv: {missing.rows()}"
    priced = found.filter((pl.col("table_name") == "training_costs") & (pl.col("column_name") == "cloud_cost_usd"))
    assert priced["comment"][0] == columns.describe("training_costs", "cloud_cost_usd")


def test_the_glossary_names_only_columns_that_exist(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    migrate(con)
    found = mart_columns(con)
    pairs = set(found.select("table_name", "column_name").rows())
    names = set(found["column_name"])
    stale = [(t, c) for t, c in columns.glossary() if ((t, c) not in pairs if t != "*" else c not in names)]
    assert not stale, f"warehouse/columns.csv describes columns no mart has: {stale}"


def test_the_assets_page_shows_each_columns_description():
    frame = pl.DataFrame({"model": ["GPT-3 175B"], "cloud_cost_usd": [720_375.0]})
    schema = table_metadata(frame, "marts.training_costs")["dagster/column_schema"]
    described = {c.name: c.description for c in schema.columns}
    assert described == {c: columns.describe("training_costs", c) for c in frame.columns}
    assert all(described.values())
    # the glossary is for marts: a core table's same-named column is not given a mart's meaning
    core = table_metadata(frame, "core.gpu_prices")["dagster/column_schema"]
    assert all(c.description is None for c in core.columns)

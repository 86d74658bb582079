"""What each mart column means: one file (columns.csv) read by the warehouse and by the UI.

The descriptions are applied as DuckDB column comments after every migration (so `duckdb_columns()`, BI tools
and `gpucost sql` show them) and attached to each mart's `dagster/column_schema` (so the Assets page shows them).
A row with table `*` describes that column name in every mart; a row naming a table overrides it there.
"""

from __future__ import annotations

import csv
import io
from functools import cache
from importlib import resources

import duckdb

GLOSSARY = "columns.csv"


@cache
def glossary_text() -> str:
    """The glossary file as text (also hashed into the schema fingerprint: an edit re-applies the comments)."""
    return resources.files("warehouse").joinpath(GLOSSARY).read_text(encoding="utf-8")


@cache
def glossary() -> dict[tuple[str, str], str]:
    """(table or '*', column) -> description."""
    rows = csv.DictReader(io.StringIO(glossary_text()))
    return {(row["table"], row["column"]): row["description"].strip() for row in rows}


def describe(table: str, column: str) -> str | None:
    """The description of `column` in mart `table` (with or without its 'marts.' prefix), if the glossary has one."""
    table = table.removeprefix("marts.")
    known = glossary()
    return known.get((table, column)) or known.get(("*", column))


def descriptions(table: str, columns) -> dict[str, str]:
    """Column -> description for the given columns of one mart (those the glossary describes); the glossary is
    for marts only, so a core or raw table gets none."""
    if "." in table and not table.startswith("marts."):
        return {}
    return {c: d for c in columns if (d := describe(table, c))}


def apply_column_comments(con: duckdb.DuckDBPyConnection) -> int:
    """Comment every described column of every marts table and view; return how many were commented."""
    columns = con.execute(
        "SELECT table_name, column_name FROM duckdb_columns() WHERE schema_name = 'marts' ORDER BY ALL"
    ).fetchall()
    done = 0
    for table, column in columns:
        text = describe(table, column)
        if text:
            quoted = text.replace("'", "''")
            con.execute(f'COMMENT ON COLUMN marts."{table}"."{column}" IS \'{quoted}\'')
            done += 1
    return done

"""Versioned, idempotent migrations for tables; views and macros re-created from one file each.

Each file in migrations/ runs once, in name order, inside a transaction, and is recorded in
meta.schema_migrations. Never edit a migration that has shipped: add one. Migrations hold tables
only; every view and macro lives in its own file in views/ (its current SQL in one place) and is
re-created after migrating. A fingerprint of both folders, kept in meta.schema_state, lets a writer
skip all of it in one lookup when nothing changed.

Mart column descriptions (columns.csv) are applied as comments after the views.

Tables of one layout (one raw table per cloud of a catalog) are written once, between
`-- repeat {name} in a b c` and `-- end repeat`: the block is applied for each value in turn.
"""

from __future__ import annotations

import hashlib
import re
from functools import cache
from importlib import resources

import duckdb

from warehouse import columns
from warehouse.write import transaction

MIGRATIONS_PACKAGE = "warehouse.migrations"
VIEWS_PACKAGE = "warehouse.views"


def _sql_files(package: str) -> list[tuple[str, str]]:
    files = resources.files(package)
    return sorted(
        (f.name.removesuffix(".sql"), f.read_text(encoding="utf-8")) for f in files.iterdir() if f.name.endswith(".sql")
    )


_REPEAT = re.compile(r"^-- repeat \{(\w+)\} in ([\w ]+)\n(.*?)^-- end repeat\n", re.M | re.S)


def expand_repeats(sql: str) -> str:
    """Each `-- repeat {name} in a b c` ... `-- end repeat` block, once per value, with {name} replaced."""
    return _REPEAT.sub(
        lambda m: "".join(m[3].replace("{" + m[1] + "}", value) for value in m[2].split()),
        sql,
    )


def available_migrations() -> list[tuple[str, str]]:
    """(name, sql) of every migration file, in the order they apply, repeat blocks expanded."""
    return [(name, expand_repeats(sql)) for name, sql in _sql_files(MIGRATIONS_PACKAGE)]


def view_files() -> list[tuple[str, str]]:
    """(schema.name, sql) of every view and macro file."""
    return _sql_files(VIEWS_PACKAGE)


@cache
def schema_fingerprint() -> str:
    """A hash of every migration and view file: equal fingerprints mean an up-to-date schema."""
    digest = hashlib.sha256()
    for name, sql in (*available_migrations(), *view_files(), ("columns.csv", columns.glossary_text())):
        digest.update(name.encode() + b"\0" + sql.encode() + b"\0")
    return digest.hexdigest()[:16]


def _bookkeeping(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS meta")
    con.execute(
        "CREATE TABLE IF NOT EXISTS meta.schema_migrations ("
        " name VARCHAR PRIMARY KEY, applied_at TIMESTAMP NOT NULL DEFAULT now())"
    )
    con.execute(
        "COMMENT ON TABLE meta.schema_migrations IS "
        "'Warehouse migrations applied to this file, in order (see warehouse/migrations/).'"
    )
    con.execute("CREATE TABLE IF NOT EXISTS meta.schema_state (fingerprint VARCHAR NOT NULL, applied_at TIMESTAMP)")
    con.execute(
        "COMMENT ON TABLE meta.schema_state IS 'The fingerprint of the migrations and view files this warehouse "
        "was last brought up to date with (one row): a writer that finds its own fingerprint here skips migrating.'"
    )


def is_current(con: duckdb.DuckDBPyConnection) -> bool:
    """True when this warehouse was brought up to date with exactly these migrations and views."""
    try:
        row = con.execute("SELECT fingerprint FROM meta.schema_state").fetchone()
    except duckdb.CatalogException:
        return False
    return row is not None and row[0] == schema_fingerprint()


def apply_views(con: duckdb.DuckDBPyConnection) -> list[str]:
    """(Re-)create every view and macro.

    DuckDB binds a view when it is created, so a view reading another one must come after it: files are
    retried until every one is in, or a round makes no progress (then the first error names its file).
    """
    pending = dict(view_files())
    done: list[str] = []
    while pending:
        errors, before = {}, len(pending)
        for name, sql in list(pending.items()):
            try:
                con.execute(sql)
            except duckdb.CatalogException as exc:
                errors[name] = exc
            else:
                done.append(name)
                del pending[name]
        if len(errors) == before:
            name, exc = next(iter(errors.items()))
            raise RuntimeError(f"warehouse/views/{name}.sql: {str(exc).splitlines()[0]}") from exc
    return done


def migrate(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Apply every migration not yet applied, then re-create the views; return the migrations applied now."""
    if is_current(con):
        return []
    _bookkeeping(con)
    applied = {row[0] for row in con.execute("SELECT name FROM meta.schema_migrations").fetchall()}
    done = []
    for name, sql in available_migrations():
        if name in applied:
            continue
        with transaction(con):
            con.execute(sql)
            con.execute("INSERT INTO meta.schema_migrations (name) VALUES (?)", [name])
        done.append(name)
    with transaction(con):
        apply_views(con)
        columns.apply_column_comments(con)
        con.execute("DELETE FROM meta.schema_state")
        con.execute("INSERT INTO meta.schema_state VALUES (?, now())", [schema_fingerprint()])
    return done


def schema_version(con: duckdb.DuckDBPyConnection) -> str | None:
    row = con.execute("SELECT max(name) FROM meta.schema_migrations").fetchone()
    return row[0] if row else None

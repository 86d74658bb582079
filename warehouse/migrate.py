"""Versioned, idempotent migrations: an existing warehouse upgrades in place and keeps its history.

Each file in migrations/ runs once, in name order, inside a transaction, and is
recorded in meta.schema_migrations. Never edit a migration that has shipped: add one.
"""

from __future__ import annotations

from importlib import resources

import duckdb

from warehouse.write import transaction

MIGRATIONS_PACKAGE = "warehouse.migrations"


def available_migrations() -> list[tuple[str, str]]:
    """(name, sql) of every migration file, in the order they apply."""
    files = resources.files(MIGRATIONS_PACKAGE)
    return sorted(
        (f.name.removesuffix(".sql"), f.read_text(encoding="utf-8")) for f in files.iterdir() if f.name.endswith(".sql")
    )


def migrate(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Apply every migration not yet applied; return the names applied now."""
    con.execute("CREATE SCHEMA IF NOT EXISTS meta")
    con.execute(
        "CREATE TABLE IF NOT EXISTS meta.schema_migrations ("
        " name VARCHAR PRIMARY KEY, applied_at TIMESTAMP NOT NULL DEFAULT now())"
    )
    con.execute(
        "COMMENT ON TABLE meta.schema_migrations IS "
        "'Warehouse migrations applied to this file, in order (see warehouse/migrations/).'"
    )
    applied = {row[0] for row in con.execute("SELECT name FROM meta.schema_migrations").fetchall()}
    done = []
    for name, sql in available_migrations():
        if name in applied:
            continue
        with transaction(con):
            con.execute(sql)
            con.execute("INSERT INTO meta.schema_migrations (name) VALUES (?)", [name])
        done.append(name)
    return done


def schema_version(con: duckdb.DuckDBPyConnection) -> str | None:
    row = con.execute("SELECT max(name) FROM meta.schema_migrations").fetchone()
    return row[0] if row else None

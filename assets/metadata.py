"""Metadata every table asset attaches, so the Assets page shows schema, size and a preview."""

from __future__ import annotations

import hashlib

import dagster as dg
import polars as pl

OWNERS = ["team:gpucost"]


def column_schema(frame: pl.DataFrame, descriptions: dict[str, str] | None = None) -> dg.TableSchema:
    descriptions = descriptions or {}
    return dg.TableSchema(
        columns=[
            dg.TableColumn(name, str(dtype), description=descriptions.get(name)) for name, dtype in frame.schema.items()
        ]
    )


def markdown_preview(frame: pl.DataFrame, rows: int = 10) -> str:
    """A small markdown table of the first rows (numbers rounded so it reads at a glance)."""
    head = frame.head(rows).with_columns(pl.col(pl.Float64, pl.Float32).round(4))
    if head.is_empty():
        return "_no rows_"
    cells = head.cast(pl.String).fill_null("").rows()
    lines = ["| " + " | ".join(head.columns) + " |", "|" + "---|" * len(head.columns)]
    lines += ["| " + " | ".join(row) + " |" for row in cells]
    return "\n".join(lines)


def table_metadata(frame: pl.DataFrame, table: str, preview_rows: int = 10) -> dict:
    return {
        "dagster/table_name": table,
        "dagster/row_count": frame.height,
        "dagster/column_schema": column_schema(frame),
        "preview": dg.MetadataValue.md(markdown_preview(frame, preview_rows)),
    }


# Provenance, not content: when a row was fetched or computed, from which snapshot, live or bundled, how old.
VOLATILE_COLUMNS = ("snapshot_date", "fetched_at", "origin", "age_days", "computed_at")
VOLATILE_SUFFIXES = ("_snapshot_date", "_fetched_at", "_origin", "_age_days", "_age_years", "_computed_at")


def content_version(frame: pl.DataFrame, ignore: tuple[str, ...] = ()) -> str:
    """A data version from content alone: the same rows give the same version, whenever and however they were fetched.

    Provenance columns (VOLATILE_COLUMNS, VOLATILE_SUFFIXES) and `ignore` are left out, so a daily
    re-fetch of unchanged prices keeps its version and recomputes nothing downstream.
    """
    dropped = [c for c in frame.columns if c in ignore or c in VOLATILE_COLUMNS or c.endswith(VOLATILE_SUFFIXES)]
    kept = frame.drop(dropped)
    kept = kept.sort(kept.columns, nulls_last=True) if kept.height else kept
    return hashlib.sha256(kept.write_csv().encode()).hexdigest()[:16]

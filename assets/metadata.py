"""Metadata every table asset attaches, so the Assets page shows schema, size and a preview."""

from __future__ import annotations

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

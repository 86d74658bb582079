"""Metadata every table asset attaches, so the Assets page shows schema, size and a preview."""

from __future__ import annotations

import dagster as dg
import polars as pl

from warehouse.columns import descriptions

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
        "dagster/column_schema": column_schema(frame, descriptions(table, frame.columns)),
        "preview": dg.MetadataValue.md(markdown_preview(frame, preview_rows)),
    }


def check_specs(asset_key: dg.AssetKey, specs) -> list[dg.AssetCheckSpec]:
    """Dagster check specs for an asset from the domain's plain CheckSpecs (assets/checks.py)."""
    return [dg.AssetCheckSpec(s.name, asset=asset_key, description=s.description, blocking=s.blocking) for s in specs]


def check_result(outcome, asset_key: dg.AssetKey | None = None) -> dg.AssetCheckResult:
    """A plain CheckOutcome as Dagster shows it: passed, severity, one line, its facts and the rows at fault."""
    metadata = {}
    for name, value in outcome.facts.items():
        if isinstance(value, pl.DataFrame):
            metadata[name] = dg.MetadataValue.md(markdown_preview(value, rows=40))
        elif isinstance(value, bool | int | float | str):
            metadata[name] = value
        elif value is not None:
            metadata[name] = str(value)
    if outcome.sample is not None and not outcome.passed:
        metadata["sample"] = dg.MetadataValue.md(markdown_preview(outcome.sample, rows=30))
    return dg.AssetCheckResult(
        check_name=outcome.name,
        asset_key=asset_key,
        passed=outcome.passed,
        severity=dg.AssetCheckSeverity.WARN if outcome.warn else dg.AssetCheckSeverity.ERROR,
        description=None if outcome.passed else outcome.message,
        metadata=metadata,
    )


def facts_metadata(facts: dict) -> dict:
    """Step facts (numbers, strings, small frames) as typed metadata values."""
    out = {}
    for name, value in facts.items():
        if isinstance(value, pl.DataFrame):
            out[name] = dg.MetadataValue.md(markdown_preview(value, rows=40))
        elif isinstance(value, bool | int | float | str):
            out[name] = value
    return out

"""Plain-text tables for the terminal: aligned columns, money with separators."""

from __future__ import annotations

import datetime as dt

import polars as pl


def _cell(value, money: bool) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        if money:
            return f"${value:,.2f}" if abs(value) < 1000 else f"${value:,.0f}"
        return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.4g}"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return str(value)


def format_table(frame: pl.DataFrame, *, money_columns: tuple[str, ...] = ()) -> str:
    """Render a frame as an aligned text table; columns ending in _usd are shown as money."""
    if frame.is_empty():
        return "(no rows)"
    money = {c for c in frame.columns if c.endswith("_usd") or c in money_columns}
    cells = [[_cell(v, c in money) for c, v in zip(frame.columns, row)] for row in frame.rows()]
    numeric = {c for c, t in frame.schema.items() if t.is_numeric()}
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(frame.columns)]

    def line(values):
        return "  ".join(
            v.rjust(w) if c in numeric else v.ljust(w) for c, v, w in zip(frame.columns, values, widths)
        ).rstrip()

    return "\n".join([line(frame.columns), line(["-" * w for w in widths]), *(line(r) for r in cells)])

"""What a person reads in the terminal: one way to write a number, and aligned tables. No polars needed.

Money (a name ending in _usd or holding _usd_) has a $ and separators; years are written as years;
large numbers have separators, small ones four significant figures; nothing is ever Python's None.
"""

from __future__ import annotations

import datetime as dt

MISSING = "-"


def _is_year(name: str) -> bool:
    """`grid_year`, `year`: a calendar year (not `cost_per_year_usd` or `lifetime_years`)."""
    return name.rsplit("_", 1)[-1] == "year" and not name.endswith("per_year")


def is_money(name: str) -> bool:
    return name.endswith("_usd") or "_usd_" in name


def format_value(name: str, value) -> str:
    """One value for the terminal, by what its column name says it is."""
    if value is None:
        return MISSING
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if not isinstance(value, int | float):
        return str(value)
    if value != value:  # NaN
        return MISSING
    if _is_year(name) and float(value).is_integer():
        return str(int(value))
    if is_money(name):
        return f"${value:.4g}" if abs(value) < 1 else f"${value:,.2f}" if abs(value) < 1000 else f"${value:,.0f}"
    if abs(value) >= 1e15:
        return f"{value:.4g}"
    if abs(value) >= 100:
        return f"{value:,.0f}" if float(value).is_integer() or abs(value) >= 1e7 else f"{value:,.2f}"
    if isinstance(value, int):
        return str(value)
    return f"{value:.4g}"


def format_rows(columns: list[str], rows: list[tuple]) -> str:
    """An aligned text table: numbers to the right, text to the left, a rule under the header."""
    if not rows:
        return "(no rows)"
    cells = [[format_value(c, v) for c, v in zip(columns, row)] for row in rows]
    numeric = [
        all(isinstance(r[i], int | float) and not isinstance(r[i], bool) for r in rows if r[i] is not None)
        and any(r[i] is not None for r in rows)
        for i in range(len(columns))
    ]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]

    def line(values):
        return "  ".join(v.rjust(w) if n else v.ljust(w) for v, w, n in zip(values, widths, numeric)).rstrip()

    return "\n".join([line(columns), line(["-" * w for w in widths]), *(line(r) for r in cells)])


def format_table(frame) -> str:
    """A polars frame as an aligned text table (format_rows on its columns and rows)."""
    if frame.is_empty():
        return "(no rows)"
    return format_rows(frame.columns, frame.rows())

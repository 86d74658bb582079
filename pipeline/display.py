"""What a person reads in the terminal: one way to write a number, and tables that fit it. No polars needed.

Money (a name ending in _usd or holding _usd_) has a $ and separators; years are written as years;
large numbers have separators, small ones four significant figures; nothing is ever Python's None.
The same rows go out as JSON or CSV for machines (`--json`, `--csv`), every column, values unformatted.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import os
import shutil

MISSING = "-"
DEFAULT_WIDTH = 120  # a table printed to a file or a pipe fits this many columns
MAX_TEXT_CELL = 34  # longer names are cut with an ellipsis in text tables (JSON and CSV keep them whole)
MIN_TEXT_CELL = 14  # a table too wide for the terminal narrows its text columns to this before leaving columns out


def _is_year(name: str) -> bool:
    """`grid_year`, `year`: a calendar year (not `cost_per_year_usd` or `lifetime_years`)."""
    return name.rsplit("_", 1)[-1] == "year" and not name.endswith("per_year")


def is_money(name: str) -> bool:
    return name.endswith("_usd") or "_usd_" in name or name.startswith("usd_")


def money(value: float) -> str:
    """$0.3456, $12.50, $1,234, $1.2M: four significant figures below $1, cents below $1,000, whole dollars above."""
    if abs(value) < 1:
        return f"${value:.4g}"
    if abs(value) < 1000:
        return f"${value:,.2f}"
    return f"${value:,.0f}"


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
    if isinstance(value, list | tuple):
        numbers = all(isinstance(v, int | float) for v in value)  # "1,2,4,8": GPU counts stay narrow
        return (", " if not numbers else ",").join(format_value(name, v) for v in value) or MISSING
    if not isinstance(value, int | float):
        return str(value)
    if value != value or math.isinf(value):  # NaN, inf
        return MISSING
    if _is_year(name) and float(value).is_integer():
        return str(int(value))
    if is_money(name):
        return money(value)
    if abs(value) >= 1e15:
        return f"{value:.4g}"
    if abs(value) >= 100:
        return f"{value:,.0f}" if float(value).is_integer() or abs(value) >= 1e7 else f"{value:,.2f}"
    if isinstance(value, int) or float(value).is_integer():
        return str(int(value))
    return f"{value:.4g}"


def terminal_width() -> int:
    """The terminal's width, or DEFAULT_WIDTH when printing to a file or a pipe (COLUMNS overrides)."""
    if os.environ.get("COLUMNS", "").isdigit():
        return int(os.environ["COLUMNS"])
    return shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns if os.isatty(1) else DEFAULT_WIDTH


def _cut(text: str, limit: int = MAX_TEXT_CELL) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def format_rows(
    columns: list[str],
    rows: list[tuple],
    width: int | None = None,
    max_cell: int = MAX_TEXT_CELL,
    headers: list[str] | None = None,
    wrap_last: bool = False,
) -> str:
    """An aligned text table: numbers to the right, text to the left, a rule under the header. Values are
    formatted by their column's full name and shown under `headers` (shorter names) when given.

    With `width`, long text cells are cut and the rightmost columns that do not fit are left out
    (a last line names them); put the columns a reader needs first. `wrap_last` wraps the last column's text
    onto more lines instead (a source or a basis that must be read whole).
    """
    if wrap_last and width is not None and rows:
        return _wrapped_last(columns, rows, width, max_cell, headers or columns)
    if not rows:
        return "(no rows)"
    headers = headers or columns
    numeric = [
        all(isinstance(r[i], int | float) and not isinstance(r[i], bool) for r in rows if r[i] is not None)
        and any(r[i] is not None for r in rows)
        for i in range(len(columns))
    ]
    cells = [[format_value(c, v) for c, v in zip(columns, row)] for row in rows]
    if width is not None:
        cells = [[v if n else _cut(v, max_cell) for v, n in zip(r, numeric)] for r in cells]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    shown = len(columns)
    if width is not None:
        # too wide: keep as many leading columns as fit with text narrowed to MIN_TEXT_CELL, then narrow the
        # widest text columns of those only as far as needed
        floor = [w if n else min(w, max(MIN_TEXT_CELL, len(h))) for w, n, h in zip(widths, numeric, headers)]
        while shown > 1 and sum(floor[:shown]) + 2 * (shown - 1) > width:
            shown -= 1
        while sum(widths[:shown]) + 2 * (shown - 1) > width:
            widest = max(range(shown), key=lambda i: widths[i] - floor[i])
            if widths[widest] == floor[widest]:
                break
            widths[widest] -= 1
        cells = [[v if n else _cut(v, w) for v, w, n in zip(r, widths, numeric)] for r in cells]

    def line(values):
        return "  ".join(
            v.rjust(w) if n else v.ljust(w) for v, w, n in zip(values[:shown], widths[:shown], numeric[:shown])
        ).rstrip()

    lines = [line(headers), line(["-" * w for w in widths]), *(line(r) for r in cells)]
    if shown < len(columns):
        hidden = len(columns) - shown
        lines.append(
            f"({hidden} more column{'s' if hidden > 1 else ''}: {', '.join(headers[shown:])}; --json or --csv show all)"
        )
    return "\n".join(lines)


def _wrapped_last(columns, rows, width: int, max_cell: int, headers: list[str]) -> str:
    """format_rows without width limits on all but the last column, whose text wraps under itself."""
    import textwrap

    head = format_rows(columns[:-1], [r[:-1] for r in rows], None, max_cell, headers[:-1]).split("\n")
    left = max(len(line) for line in head)
    room = max(24, width - left - 2)
    last = [format_value(columns[-1], r[-1]) for r in rows]
    out = []
    for i, text in enumerate([headers[-1], "-" * min(room, max(len(t) for t in last)), *last]):
        parts = textwrap.wrap(text, room) or [""]
        prefix = head[i].ljust(left) if i < len(head) else " " * left
        out.append(f"{prefix}  {parts[0]}".rstrip())
        out += [" " * left + "  " + part for part in parts[1:]]
    return "\n".join(out)


def format_table(frame, width: int | None = None, max_cell: int = MAX_TEXT_CELL, headers: list[str] | None = None):
    """A polars frame as an aligned text table (format_rows on its columns and rows)."""
    if frame.is_empty():
        return "(no rows)"
    return format_rows(frame.columns, frame.rows(), width, max_cell, headers)


def wrap(text: str, width: int | None = None) -> str:
    """A paragraph wrapped to the terminal (blank lines and leading newlines kept)."""
    import textwrap

    width = width or terminal_width()

    def fill(line: str) -> str:
        indent = line[: len(line) - len(line.lstrip())]  # an indented line continues under its own text
        return textwrap.fill(line, width, initial_indent="", subsequent_indent=indent + "  " if indent else "")

    return "\n".join(fill(line) if line else line for line in text.split("\n"))


def _plain(value):
    """A value JSON and CSV can carry: dates as ISO text, NaN and inf as null."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, float) and (value != value or math.isinf(value)):
        return None
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def to_json(value) -> str:
    return json.dumps(_plain(value), indent=2, default=str)


def to_csv(columns: list[str], rows: list[tuple]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(
            ["" if v is None else json.dumps(_plain(v)) if isinstance(v, list | dict) else _plain(v) for v in row]
        )
    return out.getvalue().rstrip("\n")

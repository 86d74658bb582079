"""Numbers as the report prints them: money with its unit and three significant figures, dates as ISO days."""

from __future__ import annotations

import datetime as dt
import math

_SCALES = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k"))


def usd(value: float | None, unit: str = "", *, tick: bool = False) -> str:
    """$1.40M, $35.9B, $2.95, $0.0036: three significant figures, thousands as k/M/B/T; `unit` follows ("/GPU-h").
    An axis tick drops trailing zeros ($10, $1M)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    sign = "-" if value < 0 else ""
    value = abs(value)
    for scale, suffix in _SCALES:
        if value >= scale:
            return f"{sign}${_significant(value / scale, strip=tick)}{suffix}{unit}"
    return f"{sign}${_significant(value, strip=tick)}{unit}"


def _significant(value: float, digits: int = 3, strip: bool = False) -> str:
    if value == 0:
        return "0"
    decimals = max(0, digits - 1 - math.floor(math.log10(value)))
    text = f"{value:.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text and (strip or decimals > 2) else text


def number(value: float | None, unit: str = "", *, tick: bool = False) -> str:
    """4,102,568 GPUs, 1.26 months: whole numbers with separators, small ones to three significant figures."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    text = f"{value:,.0f}" if abs(value) >= 100 else _significant(abs(value), strip=tick) if value else "0"
    if value < 0 and abs(value) < 100:
        text = "-" + text
    return f"{text} {unit}".strip()


def day(value: dt.date | dt.datetime | str | None) -> str:
    if value is None:
        return "n/a"
    return value if isinstance(value, str) else value.strftime("%Y-%m-%d")


def place(provider: str | None, region: str | None, instance: str | None) -> str:
    """Where an offer is: 'nebius eu-north1 gpu-h100-sxm', '(every region)' for a region-less price."""
    return " ".join(str(v) for v in (provider, region or "(every region)", instance) if v) or "n/a"


def span(days: list) -> str:
    """'2025-09-17 to 2026-12-01', or the one day."""
    known = sorted(d for d in days if d is not None)
    if not known:
        return "no dates"
    first, last = day(known[0]), day(known[-1])
    return first if first == last else f"{first} to {last}"


def origins(values: list[str | None]) -> str:
    """What the data came from, in words: 'live', 'bundled snapshot:2026-05-20', or both, with the snapshot dates."""
    known = sorted({v for v in values if v})
    if not known:
        return "origin not recorded"
    live = "live" in known
    snapshots = [v for v in known if v.startswith("snapshot:")]
    parts = ["live"] if live else []
    if len(snapshots) == 1:
        parts.append(f"bundled {snapshots[0]}")
    elif snapshots:
        parts.append(f"bundled snapshots ({snapshots[0]} ... {snapshots[-1]}, {len(snapshots)} dates)")
    others = [v for v in known if v != "live" and not v.startswith("snapshot:")]
    parts += others
    return " + ".join(parts)


def log_ticks(low: float, high: float, money: bool = True) -> tuple[list[float], list[str]]:
    """Tick positions covering low..high and their labels, for a log axis that shows units: 1-2-5 steps over a
    range of up to three powers of ten, powers of ten beyond."""
    if low <= 0 or high <= 0:
        return [], []
    first, last = math.floor(math.log10(low)), math.ceil(math.log10(high))
    steps = (1, 2, 5) if last - first <= 3 else (1,)
    values = [m * 10.0**e for e in range(first, last + 1) for m in steps if low / 2 <= m * 10.0**e <= high * 2]
    return values, [usd(v, tick=True) if money else number(v, tick=True) for v in values]


def wrap(text: str, width: int = 150) -> str:
    """Break a long line at spaces with <br>, for Plotly titles (which never wrap by themselves)."""
    lines, line = [], ""
    for word in text.split(" "):
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return "<br>".join([*lines, line])

"""The overview report: read what the charts need over one short read-only connection, draw them, write one file.

`gpucost report` and the Dagster asset reports/overview both call `write_report`; neither holds the warehouse
while drawing (the reads take well under a second, the drawing happens after the connection is closed).
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from assets.checks import CheckOutcome, CheckSpec
from assets.costs.headline import HEADLINE_MODEL
from assets.reports import charts, units
from assets.reports.page import Card, render
from assets.versions import utc_now

REPORT_FILE = "report.html"
HEADLINE_GPU = "H100-SXM"
HEADLINE_SERVING_MODEL = "Llama 3.3 70B"
NOT_LIVE = {"snapshot": "from bundled snapshots", "stale": "stale (last good data kept)", "no data": "without data"}


def default_path(warehouse_path: str | os.PathLike) -> Path:
    """data/report.html beside the warehouse file it was drawn from."""
    return Path(warehouse_path).resolve().parent / REPORT_FILE


@dataclass(frozen=True)
class Inputs:
    """Every frame the charts read, as of one read-only connection."""

    daily: pl.DataFrame
    origins: pl.DataFrame
    specs: pl.DataFrame
    training_history: pl.DataFrame
    training_today: pl.DataFrame
    serving: pl.DataFrame
    seed: pl.DataFrame
    energy: pl.DataFrame
    freshness: pl.DataFrame


def read_inputs(con, model: str = HEADLINE_MODEL) -> Inputs:
    from assets.sources import SOURCES
    from warehouse import report

    return Inputs(
        daily=report.price_history(con),
        origins=report.price_origins(con),
        specs=report.gpu_specs(con),
        training_history=report.training_history(con, model),
        training_today=report.training_today(con, model),
        serving=report.serving_costs(con),
        seed=report.seed_figures(con),
        energy=report.energy_regions(con),
        freshness=report.source_freshness(con, [s.name for s in SOURCES]),
    )


@dataclass(frozen=True)
class Report:
    html: str
    charts: list[charts.Chart]
    cards: list[Card]


def _cards(inputs: Inputs, model: str) -> list[Card]:
    """The figures a reader wants first, each with where it came from."""
    cards = []
    if inputs.training_today.height:
        best = inputs.training_today.row(0, named=True)
        cards.append(
            Card(
                f"Training {model} once, cheapest eligible on-demand",
                units.usd(best["cloud_cost_usd"]),
                f"on {best['gpu_model']} via {best['price_provider']} at "
                f"{units.usd(best['price_per_gpu_hour_usd'], '/GPU-h')} (price of "
                f"{units.day(best['price_snapshot_date'])}, {best['price_origin']})",
            )
        )
    else:
        cards.append(Card(f"Training {model} once", "no estimate yet", "marts.training_costs has no on-demand row"))
    gpu = inputs.daily.filter((pl.col("gpu_model") == HEADLINE_GPU) & (pl.col("pricing") == "on_demand"))
    if gpu.height:
        last = gpu.sort("snapshot_date").row(-1, named=True)
        cards.append(
            Card(
                f"Cheapest on-demand {HEADLINE_GPU} GPU-hour",
                units.usd(last["cheapest_price_per_gpu_hour_usd"], "/GPU-h"),
                f"{units.place(last['cheapest_provider'], last['cheapest_region'], None)} on market day "
                f"{units.day(last['snapshot_date'])}; median {units.usd(last['median_price_per_gpu_hour_usd'])}",
            )
        )
    serving = inputs.serving.filter(pl.col("model") == HEADLINE_SERVING_MODEL).sort(
        "cost_per_million_tokens_blended_usd"
    )
    if serving.height:
        best = serving.row(0, named=True)
        cards.append(
            Card(
                f"Serving {HEADLINE_SERVING_MODEL}, per 1M tokens",
                units.usd(best["cost_per_million_tokens_blended_usd"]),
                f"blended, on {best['gpu_model']} ({best['precision']}) via {best['price_provider']}; "
                f"output {units.usd(best['cost_per_million_output_tokens_usd'])}/1M",
            )
        )
    status = inputs.freshness
    live = status.filter(pl.col("freshness") == "live").height
    oldest = status.sort("data_age_days", descending=True, nulls_last=True).head(1)
    note = ", ".join(
        f"{n} {NOT_LIVE[kind]}"
        for kind, n in status.group_by("freshness").len().sort("freshness").rows()
        if n and kind in NOT_LIVE
    )
    if oldest.height:
        note += f"; oldest: {oldest['source'][0]}, {units.number(oldest['data_age_days'][0], 'days')}"
    cards.append(Card("Sources with today's live data", f"{live} of {status.height}", note or "all live"))
    return cards


def build(inputs: Inputs, *, now: dt.datetime, source: str, model: str = HEADLINE_MODEL) -> Report:
    """Draw every chart and the page around them (no warehouse access: `inputs` holds all it needs)."""
    from plotly.offline import get_plotlyjs  # plotly.js as shipped in the pinned wheel, inlined once

    drawn = [
        charts.price_history(inputs.daily, inputs.origins, HEADLINE_GPU),
        charts.pflop_hour(inputs.daily, inputs.specs, inputs.origins),
        charts.training_cost(inputs.training_history, inputs.training_today, model),
        charts.serving_cost(inputs.serving),
        charts.seed_analysis(inputs.seed, money=True),
        charts.seed_analysis(inputs.seed, money=False),
        charts.energy(inputs.energy),
        charts.freshness(inputs.freshness),
    ]
    for chart in drawn:
        if chart.points == 0:  # say so on the chart rather than draw empty axes
            chart.figure.add_annotation(
                text="No rows yet: run `gpucost run` to fill the marts this chart reads.",
                xref="paper",
                yref="paper",
                x=0.5,
                y=0.5,
                showarrow=False,
                font={"size": 15, "color": "#8a4b00"},
            )
    cards = _cards(inputs, model)
    intro = (
        f"Run {now:%Y-%m-%d %H:%M} UTC. What training and serving AI models costs at the GPU prices and electricity "
        "tariffs the warehouse holds; every chart names its dates and whether its data are live or a bundled snapshot."
    )
    footer = (
        f"Drawn by `gpucost report` from {source} at {now:%Y-%m-%d %H:%M} UTC with plotly (inlined, works offline). "
        "Every figure is in the warehouse: `gpucost sql` reads the marts named under each chart."
    )
    page = render("gpucost: GPU and AI cost report", intro, cards, drawn, footer, get_plotlyjs())
    return Report(page, drawn, cards)


@dataclass(frozen=True)
class Written:
    path: Path
    size_bytes: int
    charts: list[charts.Chart]
    cards: list[Card]


def write_report(
    warehouse_path: str | os.PathLike, output: str | os.PathLike | None = None, *, now: dt.datetime | None = None
) -> Written:
    """Read the marts (one short read-only connection), draw, and write the page atomically (a reader of the old file
    never sees half a new one)."""
    import warehouse

    with warehouse.connect_reader(warehouse_path) as con:
        inputs = read_inputs(con)
    report = build(inputs, now=now or utc_now(), source=str(Path(warehouse_path).resolve()))
    path = Path(output).resolve() if output else default_path(warehouse_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(report.html, encoding="utf-8")
    partial.replace(path)
    return Written(path, path.stat().st_size, report.charts, report.cards)


def headline_markdown(written: Written) -> str:
    """The cards and the charts' point counts as a small markdown table (the asset's metadata preview)."""
    lines = ["| figure | value | where from |", "|---|---|---|"]
    lines += [f"| {c.label} | {c.value} | {c.note} |" for c in written.cards]
    lines += ["", "| chart | points | data |", "|---|---|---|"]
    lines += [f"| {c.title} | {c.points} | {c.provenance} |" for c in written.charts]
    return "\n".join(lines).replace("$", "\\$")


CHARTS_DRAWN = CheckSpec(
    "report_charts_have_data",
    "Every chart of the report has at least one data point: an empty chart means a mart it reads has no rows.",
    warn=True,
)


def charts_drawn(written: Written) -> CheckOutcome:
    empty = [c.title for c in written.charts if c.points == 0]
    return CHARTS_DRAWN.outcome(
        not empty, f"{len(empty)} chart(s) without data: {', '.join(empty)}", charts=len(written.charts)
    )

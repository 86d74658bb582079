"""The report's charts: one function per chart, polars frames in, a Plotly figure out, with its dates and origin.

Plotly rather than Altair: plotly.js ships inside the Python wheel, so the page inlines it once and works offline
with no second package (Altair's offline HTML needs vl-convert-python and its own bundled Vega); graph_objects takes
plain lists, so no pandas. Hover texts are formatted here (units.py) so every number on the page carries its unit.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import polars as pl

from assets.reports import units
from assets.reports.generations import pflop_hour_by_generation

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
PRICING_COLOURS = {"on_demand": "#1f6fb2", "spot": "#e07b1a"}
PRICING_NAMES = {"on_demand": "on-demand", "spot": "spot"}
STATS = (  # column, label, line dash
    ("cheapest_price_per_gpu_hour_usd", "cheapest", "solid"),
    ("p10_price_per_gpu_hour_usd", "p10", "dash"),
    ("median_price_per_gpu_hour_usd", "median", "dot"),
)
SHOWN_GPUS = 6
FRESHNESS_COLOURS = {"live": "#2e8b57", "stale": "#e0a21a", "snapshot": "#7d8ca3", "no data": "#c0392b"}


@dataclass(frozen=True)
class Chart:
    key: str  # the element id on the page
    title: str
    about: str  # one paragraph: what the chart shows and how to read it
    provenance: str  # the data's dates and origin, also drawn on the figure under its title
    figure: object  # plotly.graph_objects.Figure

    @property
    def points(self) -> int:
        """Data points drawn: x values of line and bar traces, filled cells of a heatmap."""
        total = 0
        for trace in self.figure.data:
            if trace.type == "heatmap":
                total += sum(v is not None for row in trace.z or () for v in row)
            else:
                total += len(trace.x or ())
        return total


def _layout(figure, title: str, provenance: str, height: int, top: int = 0, **extra) -> None:
    """The house look; the provenance goes under the title, wrapped, and the top margin grows to hold it (and `top`
    more pixels for a menu or a note above the plot)."""
    extra.setdefault("legend", {"orientation": "v", "yanchor": "top", "y": 1, "x": 1.01})
    subtitle = units.wrap(provenance)
    figure.update_layout(
        template="plotly_white",
        title={
            "text": title,
            "subtitle": {"text": subtitle, "font": {"size": 12, "color": "#5b6575"}},
            "x": 0.01,
            "y": 1,
            "yref": "container",
            "yanchor": "top",
            "pad": {"t": 14},
        },
        font={"family": FONT, "size": 13},
        height=height + top,
        margin={"l": 70, "r": 30, "t": 75 + 16 * subtitle.count("<br>") + top, "b": 60},
        hoverlabel={"font": {"family": FONT, "size": 12}, "align": "left"},
        **extra,
    )


def _go():
    import plotly.graph_objects as go  # a few hundred ms on first use: only when a report is drawn

    return go


def _days(column: pl.Series) -> list[str]:
    return [units.day(d) for d in column.to_list()]


def price_history(daily: pl.DataFrame, origins: pl.DataFrame, default_gpu: str = "H100-SXM") -> Chart:
    """Cheapest, p10 and median $/GPU-hour per market day for one GPU model at a time (a menu picks the model)."""
    go = _go()
    figure = go.Figure()
    models = sorted(daily["gpu_model"].unique().to_list())
    owners: list[str] = []  # the GPU model of each trace, for the menu's visibility masks
    if default_gpu not in models and models:
        default_gpu = daily.group_by("gpu_model").len().sort("len", "gpu_model", descending=[True, False])[0, 0]
    for model in models:
        for pricing in PRICING_NAMES:
            rows = daily.filter((pl.col("gpu_model") == model) & (pl.col("pricing") == pricing)).sort("snapshot_date")
            for column, label, dash in STATS:
                shown = rows.filter(pl.col(column).is_not_null())
                if shown.is_empty():
                    continue
                where = [
                    units.place(*r)
                    for r in shown.select("cheapest_provider", "cheapest_region", "cheapest_instance_type").rows()
                ]
                figure.add_trace(
                    go.Scatter(
                        x=_days(shown["snapshot_date"]),
                        y=shown[column].to_list(),
                        name=f"{PRICING_NAMES[pricing]} {label}",
                        mode="lines+markers",
                        line={
                            "color": PRICING_COLOURS[pricing],
                            "dash": dash,
                            "width": 2.5 if dash == "solid" else 1.5,
                        },
                        marker={"size": 5},
                        visible=model == default_gpu,
                        customdata=[
                            [units.usd(v, "/GPU-h"), w, o, p]
                            for v, w, o, p in zip(shown[column], where, shown["offers"], shown["providers"])
                        ],
                        hovertemplate=(
                            f"<b>{model}</b> {PRICING_NAMES[pricing]} {label}<br>%{{x}}: %{{customdata[0]}}<br>"
                            "cheapest: %{customdata[1]}<br>%{customdata[2]} offers, %{customdata[3]} providers"
                            "<extra></extra>"
                        ),
                    )
                )
                owners.append(model)
    buttons = [
        {"label": model, "method": "update", "args": [{"visible": [owner == model for owner in owners]}]}
        for model in models
    ]
    provenance = (
        f"Market days {units.span(daily['snapshot_date'].to_list())} "
        f"({daily['snapshot_date'].n_unique()} days, {len(models)} GPU models); "
        f"prices: {units.origins(origins['origin'].to_list())} (marts.gpu_prices_daily)"
    )
    _layout(
        figure,
        "GPU price history: $ per GPU-hour",
        provenance,
        520,
        top=40,
        updatemenus=[
            {
                "buttons": buttons,
                "active": models.index(default_gpu) if default_gpu in models else 0,
                "x": 0.0,
                "xanchor": "left",
                "y": 1.02,
                "yanchor": "bottom",
                "showactive": True,
            }
        ],
        xaxis={"title": {"text": "market day"}},
        yaxis={"title": {"text": "$ per GPU-hour"}, "tickprefix": "$", "rangemode": "tozero"},
    )
    return Chart(
        "price-history",
        "Price history per GPU model",
        "The cheapest, 10th-percentile and median price of one GPU-hour on each market day, on-demand (blue) and "
        "spot (orange), over every whole-instance offer the warehouse held that day. Pick the GPU model in the menu; "
        "hover a point for where the cheapest offer was.",
        provenance,
        figure,
    )


def pflop_hour(daily: pl.DataFrame, specs: pl.DataFrame, origins: pl.DataFrame) -> Chart:
    """The cheapest on-demand $ per PFLOP-hour of dense peak in each GPU generation, per market day."""
    go = _go()
    rows = pflop_hour_by_generation(daily.filter(pl.col("pricing") == "on_demand"), specs)
    figure = go.Figure()
    for (name,), group in rows.group_by("generation", maintain_order=True):
        figure.add_trace(
            go.Scatter(
                x=_days(group["snapshot_date"]),
                y=group["usd_per_pflop_hour"].to_list(),
                name=name,
                mode="lines+markers",
                marker={"size": 6},
                customdata=[
                    [units.usd(v, "/PFLOP-h"), g, units.usd(p, "/GPU-h"), units.number(t, "TFLOP/s"), pr]
                    for v, g, p, t, pr in group.select(
                        "usd_per_pflop_hour", "gpu_model", "price_per_gpu_hour_usd", "peak_tflops_dense", "provider"
                    ).rows()
                ],
                hovertemplate=(
                    f"<b>{name}</b><br>%{{x}}: %{{customdata[0]}}<br>on %{{customdata[1]}} at %{{customdata[2]}} "
                    "(%{customdata[3]} dense) from %{customdata[4]}<extra></extra>"
                ),
            )
        )
    values = rows["usd_per_pflop_hour"]
    ticks, labels = units.log_ticks(values.min(), values.max()) if rows.height else ([], [])
    provenance = (
        f"Market days {units.span(rows['snapshot_date'].to_list())}; on-demand prices: "
        f"{units.origins(origins['origin'].to_list())} (marts.gpu_prices_daily); dense BF16 peak (FP16 where a chip "
        "has none) from core.gpu_specs"
    )
    _layout(
        figure,
        "$ per PFLOP-hour by GPU generation (cheapest on-demand)",
        provenance,
        500,
        xaxis={"title": {"text": "market day"}},
        yaxis={"title": {"text": "$ per PFLOP-hour (log)"}, "type": "log", "tickvals": ticks, "ticktext": labels},
    )
    return Chart(
        "pflop-hour",
        "$ per PFLOP-hour by GPU generation",
        "What an hour of one PFLOP/s of dense peak compute costs on the cheapest on-demand offer of each generation: "
        "the GPU-hour price divided by the chip's dense peak, so generations compare on the work they can do. The "
        "generation is read from the GPU's name; hover for the GPU model and price behind each point.",
        provenance,
        figure,
    )


def _band(row: dict) -> tuple[float | None, float | None]:
    """How far the utilization band reaches above and below a run's cost (None when the row has no band)."""
    if row.get("cloud_cost_usd_high") is None or row.get("cloud_cost_usd_low") is None:
        return None, None
    return row["cloud_cost_usd_high"] - row["cloud_cost_usd"], row["cloud_cost_usd"] - row["cloud_cost_usd_low"]


def _training_over_time(go, figure, history: pl.DataFrame, today: pl.DataFrame, model: str) -> None:
    """A step line per GPU model through every state marts.headline_history kept, held until today's computation."""
    computed_at = today["computed_at"].max() if today.height else None
    band = {r["gpu_model"]: r for r in today.iter_rows(named=True)}
    best_gpu = today.row(0, named=True)["gpu_model"] if today.height else None
    shown = set(today["gpu_model"].head(SHOWN_GPUS).to_list())  # the cheapest few; the rest one click away
    for (gpu,), group in history.sort("computed_at").group_by("gpu_model", maintain_order=True):
        group = group.sort("computed_at")
        times = group["computed_at"].to_list()
        values = group["cloud_cost_usd"].to_list()
        prices = group["price_input"].to_list()
        held = (gpu is None and best_gpu is not None) or gpu in band
        if held and computed_at is not None and times[-1] < computed_at:  # the last state still holds today
            times, values, prices = [*times, computed_at], [*values, values[-1]], [*prices, prices[-1]]
        name = f"cheapest GPU ({best_gpu} today)" if gpu is None else gpu
        up, down = _band(band.get(best_gpu if gpu is None else gpu) or {})
        figure.add_trace(
            go.Scatter(
                x=[t.strftime("%Y-%m-%d %H:%M") for t in times],
                y=values,
                name=name,
                mode="lines+markers",
                line={"shape": "hv", "width": 4 if gpu is None else 1.5, "color": "#111" if gpu is None else None},
                marker={"size": 9 if gpu is None else 6},
                error_y=None
                if up is None
                else {
                    "type": "data",
                    "symmetric": False,
                    "array": [0] * (len(values) - 1) + [up],
                    "arrayminus": [0] * (len(values) - 1) + [down],
                    "thickness": 1,
                },
                visible=True if gpu is None or gpu in shown else "legendonly",
                customdata=[[units.usd(v), p] for v, p in zip(values, prices)],
                hovertemplate=(
                    f"<b>{model} on {name}</b><br>%{{x}} UTC: %{{customdata[0]}}<br>price: %{{customdata[1]}}"
                    "<extra></extra>"
                ),
            )
        )
    figure.update_layout(
        xaxis={"title": {"text": "computed at (UTC)"}, "type": "date", "range": _time_range(history, computed_at)}
    )


def _training_today(go, figure, today: pl.DataFrame, model: str) -> None:
    """Today's run per GPU model, cheapest first, with its utilization band: what exists before any history."""
    rows = today.sort("cloud_cost_usd")
    bands = [_band(r) for r in rows.iter_rows(named=True)]
    figure.add_trace(
        go.Scatter(
            x=rows["gpu_model"].to_list(),
            y=rows["cloud_cost_usd"].to_list(),
            name=f"today ({units.day(rows['computed_at'].max())})",
            mode="markers",
            marker={"size": 11, "color": "#1f6fb2"},
            error_y={
                "type": "data",
                "symmetric": False,
                "array": [b[0] or 0 for b in bands],
                "arrayminus": [b[1] or 0 for b in bands],
                "thickness": 1.5,
                "color": "#8fb3d9",
            },
            customdata=[
                [
                    units.usd(r["cloud_cost_usd"]),
                    units.usd(r["cloud_cost_usd_low"]),
                    units.usd(r["cloud_cost_usd_high"]),
                    units.place(r["price_provider"], r["price_region"], r["price_instance_type"]),
                    units.usd(r["price_per_gpu_hour_usd"], "/GPU-h"),
                    units.day(r["price_snapshot_date"]),
                    r["price_origin"],
                    units.number(r["gpu_hours"], "GPU-hours"),
                ]
                for r in rows.iter_rows(named=True)
            ],
            hovertemplate=(
                f"<b>{model} on %{{x}}</b>: %{{customdata[0]}} (band %{{customdata[1]}} to %{{customdata[2]}})<br>"
                "%{customdata[7]} on %{customdata[3]} at %{customdata[4]}<br>price of %{customdata[5]} "
                "(%{customdata[6]})<extra></extra>"
            ),
        )
    )
    figure.update_layout(xaxis={"title": {"text": "GPU model (cheapest eligible on-demand offer)"}, "type": "category"})


def training_cost(history: pl.DataFrame, today: pl.DataFrame, model: str) -> Chart:
    """`model`'s training cost on each GPU model's cheapest eligible on-demand offer: over time once the warehouse
    has kept more than one computed state, else today's figures alone, saying so on the chart."""
    go = _go()
    figure = go.Figure()
    states = history["computed_at"].n_unique()
    over_time = states > 1
    if over_time:
        _training_over_time(go, figure, history, today, model)
    else:
        _training_today(go, figure, today, model)
    costs = [
        v
        for column in ("cloud_cost_usd", "cloud_cost_usd_low", "cloud_cost_usd_high")
        for v in [*today[column].to_list(), *(history["cloud_cost_usd"].to_list() if over_time else [])]
        if v
    ]
    ticks, labels = units.log_ticks(min(costs), max(costs)) if costs else ([], [])
    provenance = (
        f"{states} computed state(s), {units.span(history['computed_at'].to_list())} (marts.headline_history); "
        f"today's prices dated {units.span(today['price_snapshot_date'].to_list())}, "
        f"{units.origins(today['price_origin'].to_list())} (marts.training_costs)"
    )
    annotations = []
    if not over_time:
        annotations.append(
            {
                "text": "Only today's figures exist yet: the warehouse keeps a new state each time a price or an "
                "assumption changes one (marts.headline_history),<br>and this chart becomes a line over time from "
                "the second state on. Bars: the utilization band (published runs' p10-p90).",
                "xref": "paper",
                "yref": "paper",
                "x": 0.0,
                "y": 1.0,
                "xanchor": "left",
                "yanchor": "bottom",
                "showarrow": False,
                "align": "left",
                "font": {"size": 12, "color": "#8a4b00"},
                "bgcolor": "#fff4e0",
            }
        )
    _layout(
        figure,
        f"{model} training cost on eligible offers (cheapest on-demand per GPU model)",
        provenance,
        540,
        top=45 if annotations else 0,
        annotations=annotations,
        yaxis={"title": {"text": "$ per training run (log)"}, "type": "log", "tickvals": ticks, "ticktext": labels},
    )
    return Chart(
        "training-cost",
        f"{model} training cost over time",
        f"One {model} training run (6ND + attention FLOPs at the end-to-end utilization of published runs) on the "
        "cheapest on-demand offer of each GPU model that can train it (whole nodes with a cluster fabric, or TPU "
        "slices). "
        + (
            "Step by step as the pipeline recomputed it; the thick line follows the cheapest GPU of all, and the bars "
            "on today's point span the utilization band. Other GPU models are in the legend (click to show)."
            if over_time
            else "The warehouse holds one computed state so far, so this shows today's figure per GPU model, cheapest "
            "first, with the utilization band; it turns into a line over time once a price or assumption changes."
        ),
        provenance,
        figure,
    )


def _time_range(history: pl.DataFrame, last: dt.datetime | None) -> list[str] | None:
    """The x range of a time series with room for the labels right of its last point (two days around one point)."""
    times = [t for t in [*history["computed_at"].to_list(), last] if t is not None]
    if not times:
        return None
    first, last = min(times), max(times)
    pad = max((last - first) * 0.25, dt.timedelta(days=2))
    return [(first - pad / 4).isoformat(sep=" "), (last + pad).isoformat(sep=" ")]


def serving_cost(serving: pl.DataFrame) -> Chart:
    """$ per 1M blended tokens, per reference model (rows) and GPU model (columns): the cheapest modeled way."""
    go = _go()
    models = sorted(serving["model"].unique().to_list())
    gpus = sorted(serving["gpu_model"].unique().to_list())
    cells = {(r["model"], r["gpu_model"]): r for r in serving.iter_rows(named=True)}
    z, text = [], []
    for model in models:
        z_row, text_row = [], []
        for gpu in gpus:
            cell = cells.get((model, gpu))
            if cell is None:
                z_row.append(None)
                text_row.append(f"{model} on {gpu}: no offer can host a replica")
                continue
            z_row.append(math.log10(cell["cost_per_million_tokens_blended_usd"]))
            text_row.append(
                f"<b>{model} on {gpu}</b> ({cell['precision']}, {cell['replica_gpus']} GPU(s) per replica)<br>"
                f"{units.usd(cell['cost_per_million_tokens_blended_usd'])} per 1M tokens blended "
                f"({units.number(cell['input_tokens'])} in + {units.number(cell['output_tokens'])} out per query)<br>"
                f"input {units.usd(cell['cost_per_million_input_tokens_usd'])}/1M, "
                f"output {units.usd(cell['cost_per_million_output_tokens_usd'])}/1M<br>"
                f"on {units.place(cell['price_provider'], None, cell['price_instance_type'])} at "
                f"{units.usd(cell['price_per_gpu_hour_usd'], '/GPU-h')}, "
                f"price of {units.day(cell['price_snapshot_date'])} ({cell['price_origin']})"
            )
        z.append(z_row)
        text.append(text_row)
    filled = [v for row in z for v in row if v is not None]
    low, high = (math.floor(min(filled)), math.ceil(max(filled))) if filled else (0, 1)
    figure = go.Figure(
        go.Heatmap(
            z=z,
            x=gpus,
            y=models,
            text=text,
            hovertemplate="%{text}<extra></extra>",
            colorscale="Viridis",
            zmin=low,
            zmax=high,
            xgap=1,
            ygap=1,
            colorbar={
                "title": {"text": "$ per 1M<br>tokens"},
                "tickvals": list(range(low, high + 1)),
                "ticktext": [units.usd(10.0**e, tick=True) for e in range(low, high + 1)],
            },
        )
    )
    provenance = (
        f"Prices dated {units.span(serving['price_snapshot_date'].to_list())}, "
        f"{units.origins(serving['price_origin'].to_list())}; modeled throughput (marts.inference_costs)"
    )
    _layout(
        figure,
        "Serving cost: $ per 1M tokens (cheapest on-demand, modeled)",
        provenance,
        max(420, 24 * len(models) + 220),
        xaxis={"title": {"text": "GPU model"}, "tickangle": -45},
        yaxis={"title": {"text": ""}, "autorange": "reversed"},
    )
    return Chart(
        "serving-cost",
        "Serving $ per 1M tokens per model and GPU",
        "For each reference model and GPU model, the cheapest modeled way to serve it on-demand (precision, replica "
        "size and batch chosen by the serving model to meet the latency targets) and what 1M tokens cost there, "
        "blended over one query's input and output tokens. Colour is on a log scale; an empty cell means no offer "
        "of that GPU can hold a replica. Hover a cell for input and output prices and the offer.",
        provenance,
        figure,
    )


def _seed_label(row: dict) -> str:
    return f"{row['scenario']}: {row['metric'].removesuffix('_usd').replace('_', ' ')}"


def seed_analysis(seed: pl.DataFrame, money: bool) -> Chart:
    """Each published figure of the seed analysis next to its recomputation and today's prices (log axis)."""
    go = _go()
    rows = seed.filter(pl.col("metric").str.ends_with("_usd") == money).sort("scenario", "metric", descending=True)
    fmt = (lambda v: units.usd(v)) if money else (lambda v, unit="": units.number(v))
    labels = [_seed_label(r) for r in rows.iter_rows(named=True)]
    series = (
        ("published_value", "published", "#444"),
        ("as_published_value", "recomputed from its stated assumptions", "#8fb3d9"),
        ("today_same_hardware_value", "today, same hardware", "#1f6fb2"),
        ("today_best_hardware_value", "today, best hardware", "#2e8b57"),
    )
    figure = go.Figure()
    for column, name, colour in series:
        kept = [(label, r) for label, r in zip(labels, rows.iter_rows(named=True)) if r[column] is not None]
        hover = []
        for _, r in kept:
            line = f"<b>{r['scenario']}</b> {r['metric']}<br>{name}: {fmt(r[column])}"
            if column == "published_value":
                line += f"<br>as written: {r['published_as_written']}<br>{r['published_source'] or ''}"
            elif column == "as_published_value":
                line += f"<br>{'matches' if r['matches_published'] else 'differs from'} the published figure"
            else:
                which = "same" if "same" in column else "best"
                line += (
                    f"<br>on {r[f'{which}_hardware_gpu_model']} via {r[f'{which}_hardware_price_provider']} at "
                    f"{units.usd(r[f'{which}_hardware_price_per_gpu_hour_usd'], '/GPU-h')}, price of "
                    f"{units.day(r[f'{which}_hardware_price_snapshot_date'])} ({r[f'{which}_hardware_price_origin']})"
                )
            hover.append(line)
        figure.add_trace(
            go.Bar(
                y=[label for label, _ in kept],
                x=[r[column] for _, r in kept],
                name=name,
                orientation="h",
                marker={"color": colour},
                hovertext=hover,
                hovertemplate="%{hovertext}<extra></extra>",
            )
        )
    values = [v for c, _, _ in series for v in rows[c].to_list() if v]
    ticks, tick_labels = units.log_ticks(min(values), max(values), money=money) if values else ([], [])
    today_days = (
        rows["same_hardware_price_snapshot_date"].to_list() + rows["best_hardware_price_snapshot_date"].to_list()
    )
    today_origins = rows["same_hardware_price_origin"].to_list() + rows["best_hardware_price_origin"].to_list()
    provenance = (
        f"Published figures as the seed analysis states them (2023); today's prices dated {units.span(today_days)}, "
        f"{units.origins(today_origins)} (marts.scenario_costs)"
    )
    what = "in dollars" if money else "in hardware and time (GPUs, servers, months, runs)"
    _layout(
        figure,
        f"The seed analysis as published vs today, {what}",
        provenance,
        max(380, 34 * len(labels) + 160),
        barmode="group",
        xaxis={
            "title": {"text": "$ (log)" if money else "count (log)"},
            "type": "log",
            "tickvals": ticks,
            "ticktext": tick_labels,
        },
        yaxis={"automargin": True},
    )
    return Chart(
        "seed-money" if money else "seed-hardware",
        f"Seed analysis {what}",
        "Every figure the seed analysis published (GPT-3 for ~$1.4M, ChatGPT's $694,444 a day, ...): as written, "
        "recomputed here from its own stated assumptions (a check that the maths is understood), and the same "
        "workload at today's cheapest prices on the same hardware and on today's best hardware that can run it.",
        provenance,
        figure,
    )


def energy(regions: pl.DataFrame) -> Chart:
    """Electricity price against grid carbon intensity, one point per cloud region, by provider."""
    go = _go()
    figure = go.Figure()
    for (provider,), group in regions.group_by("provider", maintain_order=True):
        hover = [
            f"<b>{r['provider']} {r['region']}</b> {r['display_name'] or ''} "
            f"({', '.join(v for v in (r['city'], r['state_code'], r['country_code']) if v)})<br>"
            f"electricity {units.usd(r['tariff_usd_per_kwh'], '/kWh')} ({r['tariff_source']}, {r['tariff_period']}"
            f"{', fallback' if r['tariff_is_fallback'] else ''}; {r['tariff_origin']})<br>"
            f"grid {units.number(r['grid_gco2_per_kwh'], 'gCO2e/kWh')} ({r['grid_source']}, {r['grid_year']}"
            f"{', fallback' if r['grid_is_fallback'] else ''}; {r['grid_origin']})<br>"
            f"PUE {units.number(r['pue'])}{'' if r['priced'] else ' (no GPU offer priced here)'}"
            for r in group.iter_rows(named=True)
        ]
        figure.add_trace(
            go.Scatter(
                x=group["tariff_usd_per_kwh"].to_list(),
                y=group["grid_gco2_per_kwh"].to_list(),
                name=provider,
                mode="markers",
                marker={
                    "size": 10,
                    "opacity": 0.8,
                    "symbol": ["circle-open" if f else "circle" for f in group["tariff_is_fallback"].to_list()],
                    "line": {"width": 1.5},
                },
                hovertext=hover,
                hovertemplate="%{hovertext}<extra></extra>",
            )
        )
    years = sorted({y for y in regions["grid_year"].to_list() if y})
    tariff_days = regions["tariff_period_start"].to_list() + regions["tariff_period_end"].to_list()
    provenance = (
        f"Tariff periods {units.span(tariff_days)}, {units.origins(regions['tariff_origin'].to_list())}; grid "
        f"carbon of {units.span([str(y) for y in years]) if years else 'no year'}, "
        f"{units.origins(regions['grid_origin'].to_list())} (marts.energy_by_region)"
    )
    _layout(
        figure,
        "Electricity price and grid carbon by cloud region",
        provenance,
        560,
        xaxis={"title": {"text": "electricity price, $ per kWh"}, "tickprefix": "$", "rangemode": "tozero"},
        yaxis={"title": {"text": "grid carbon intensity, gCO2e per kWh"}, "rangemode": "tozero"},
    )
    return Chart(
        "energy",
        "Electricity price and grid carbon by region",
        f"{regions.height} cloud regions with both a tariff and a grid carbon figure: the industrial (or commercial) "
        "electricity price where the region is, and how much CO2 its grid emits per kWh. An open marker is a "
        "fallback tariff (a wider area's price). Lower left is cheap and clean.",
        provenance,
        figure,
    )


def freshness(status: pl.DataFrame) -> Chart:
    """How old each source's data is, coloured by live, stale (last good data kept) or bundled snapshot."""
    go = _go()
    figure = go.Figure()
    order = status.sort("data_age_days", "source", descending=[False, True], nulls_last=False)["source"].to_list()
    for kind, colour in FRESHNESS_COLOURS.items():
        rows = status.filter(pl.col("freshness") == kind)
        if rows.is_empty():
            continue
        figure.add_trace(
            go.Bar(
                y=rows["source"].to_list(),
                x=rows["data_age_days"].fill_null(0).to_list(),
                name=kind,
                orientation="h",
                marker={"color": colour},
                hovertext=[
                    f"<b>{r['source']}</b>: {kind}<br>data of {units.day(r['data_snapshot_date'])} "
                    f"({units.number(r['data_age_days'], 'days')} old, {r['data_origin']}), "
                    f"{units.number(r['row_count'], 'rows')}<br>last attempt {r['last_attempt_at']} UTC: "
                    f"{r['last_status']}"
                    for r in rows.iter_rows(named=True)
                ],
                hovertemplate="%{hovertext}<extra></extra>",
            )
        )
    counts = dict(status.group_by("freshness").len().rows())
    summary = ", ".join(f"{counts.get(kind, 0)} {kind}" for kind in FRESHNESS_COLOURS if kind != "no data")
    provenance = (
        f"Data dated {units.span(status['data_snapshot_date'].to_list())}, "
        f"{units.origins(status['data_origin'].to_list())}; last attempts "
        f"{units.span(status['last_attempt_at'].to_list())}: {summary} (marts.source_status)"
    )
    _layout(
        figure,
        "Source freshness: age of each source's data in days",
        provenance,
        max(360, 19 * status.height + 160),
        barmode="stack",
        xaxis={"title": {"text": "age of the data, days"}, "rangemode": "tozero"},
        yaxis={"categoryorder": "array", "categoryarray": order, "automargin": True},
    )
    return Chart(
        "freshness",
        "Source freshness",
        "Every registered source: how many days old the data the warehouse holds for it are, and whether they are "
        "today's live data, a stale copy kept after a failed fetch, or the snapshot bundled in the repository "
        "(offline runs, or a source that never answered).",
        provenance,
        figure,
    )

"""The report as one HTML file: plotly.js inlined once, each chart's figure as JSON beside its section.

Nothing on the page is fetched: the script is inlined from the plotly wheel, the styles are in the head, and the
figures draw from their own JSON, so the file opens offline, from a mail attachment or a CI artifact alike.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from assets.reports.charts import Chart

PLOTLY_CONFIG = (
    '{"displaylogo": false, "responsive": true, "modeBarButtonsToRemove": ["lasso2d", "select2d"], '
    '"toImageButtonOptions": {"format": "png", "scale": 2}}'
)

STYLE = """
:root { color-scheme: light; }
body { margin: 0; font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; color: #1d2330;
       background: #f5f6f8; line-height: 1.45; }
header { background: #17324d; color: #fff; padding: 28px 0 22px; }
.wrap { max-width: 1180px; margin: 0 auto; padding: 0 24px; }
h1 { margin: 0 0 6px; font-size: 28px; letter-spacing: -0.01em; }
header p { margin: 0; color: #c9d6e3; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(240px, 1fr)); gap: 14px; margin: 22px 0 6px; }
.card { background: #fff; border-radius: 8px; padding: 14px 16px; box-shadow: 0 1px 3px rgba(0,0,0,.08); }
.card .label { font-size: 13px; color: #5b6575; }
.card .value { font-size: 24px; font-weight: 650; margin: 2px 0; }
.card .note { font-size: 12px; color: #5b6575; }
nav { margin: 16px 0 0; font-size: 14px; display: flex; flex-wrap: wrap; gap: 4px 16px; }
nav a { color: #1f6fb2; text-decoration: none; white-space: nowrap; }
section { background: #fff; border-radius: 8px; margin: 18px 0; padding: 18px 20px 8px;
          box-shadow: 0 1px 3px rgba(0,0,0,.08); }
section h2 { margin: 0 0 4px; font-size: 20px; }
section p { margin: 0 0 8px; color: #3b4456; max-width: 900px; }
.chart { width: 100%; }
footer { color: #5b6575; font-size: 13px; padding: 10px 0 30px; }
"""

RENDER = """
(function () {
  var config = %s;
  document.querySelectorAll('script.gpucost-figure').forEach(function (node) {
    var spec = JSON.parse(node.textContent);
    Plotly.newPlot(node.getAttribute('data-target'), spec.data, spec.layout, config);
  });
})();
"""


@dataclass(frozen=True)
class Card:
    label: str
    value: str
    note: str


def _figure_json(chart: Chart) -> str:
    """The figure as JSON safe inside a <script> element (no '<' can close it early)."""
    return chart.figure.to_json(validate=False).replace("<", "\\u003c")


def render(title: str, intro: str, cards: list[Card], charts: list[Chart], footer: str, plotly_js: str) -> str:
    e = html.escape
    card_html = "".join(
        f'<div class="card"><div class="label">{e(c.label)}</div><div class="value">{e(c.value)}</div>'
        f'<div class="note">{e(c.note)}</div></div>'
        for c in cards
    )
    nav = "".join(f'<a href="#{c.key}-section">{e(c.title)}</a>' for c in charts)
    sections = "".join(
        f'<section id="{c.key}-section"><h2>{e(c.title)}</h2><p>{e(c.about)}</p>'
        f'<div class="chart" id="{c.key}" data-points="{c.points}"></div>'
        f'<script type="application/json" class="gpucost-figure" data-target="{c.key}">{_figure_json(c)}</script>'
        "</section>"
        for c in charts
    )
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, '
        f'initial-scale=1"><title>{e(title)}</title><style>{STYLE}</style></head><body>'
        f'<header><div class="wrap"><h1>{e(title)}</h1><p>{e(intro)}</p></div></header>'
        f'<main class="wrap"><div class="cards">{card_html}</div><nav>{nav}</nav>{sections}'
        f"<footer>{e(footer)}</footer></main>"
        f"<script>{plotly_js}</script><script>{RENDER % PLOTLY_CONFIG}</script>"
        "</body></html>\n"
    )

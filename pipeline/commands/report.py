"""`gpucost report`: draw the warehouse as one self-contained HTML page (charts inlined, works offline)."""

from __future__ import annotations

import webbrowser

from pipeline.commands import subcommand


def print_wrapped(text: str) -> None:
    from pipeline.display import wrap

    print(wrap(text))


def cmd_report(args) -> int:
    from assets.reports.overview import default_path, write_report
    from pipeline.home import readable_path, warehouse_path

    # drawn from the read copy (never waits for a run); written where `gpucost run` writes it
    written = write_report(readable_path(), args.output or default_path(warehouse_path()))
    points = sum(c.points for c in written.charts)
    print(f"gpucost: report written to {written.path}")  # the path whole, on its own line, to copy
    print(f"  {written.size_bytes / 1e6:.1f} MB, {len(written.charts)} charts, {points:,} data points")
    for card in written.cards:
        print_wrapped(f"  {card.label}: {card.value}; {card.note}")
    empty = [c.title for c in written.charts if c.points == 0]
    if empty:
        print_wrapped(f"  no data yet for: {', '.join(empty)} (run `gpucost run` first)")
    if args.open and not webbrowser.open(written.path.as_uri()):
        print_wrapped(f"  no browser to open it here: open {written.path.as_uri()}")
    return 0


DESCRIPTION = """\
Draw the warehouse as one self-contained HTML file: GPU price history, $ per PFLOP-hour by generation,
GPT-3 training cost over time, serving $ per 1M tokens, the seed analysis as published vs today,
electricity price and grid carbon by region, source freshness. The page loads nothing from the network
(plotly.js is inlined), so it can be mailed or kept as a CI artifact."""

EXAMPLES = """\
gpucost report --open
gpucost report --output /tmp/gpucost.html
"""


def register(subparsers, name: str) -> None:
    report = subcommand(
        subparsers,
        name,
        "write one HTML page with charts of prices, costs, energy and source freshness (works offline)",
        DESCRIPTION,
        EXAMPLES,
    )
    report.add_argument("--open", action="store_true", help="open the page in the default browser when written")
    report.add_argument(
        "--output", metavar="PATH", help="where to write the page (default: report.html beside the warehouse)"
    )
    report.set_defaults(func=cmd_report)

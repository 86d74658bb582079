"""The HTML report as a person opens it: drawn from an offline run, loaded in headless Chromium, self-contained.

Chromium is driven over the DevTools protocol (tests/chromium.py), so a console error, an uncaught exception or a
resource that fails to load is caught, and each chart is asked how many points it holds and drew.
"""

import datetime as dt
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import dagster as dg
import polars as pl
import pytest

from assets.reports import charts, units
from assets.reports.defs import OVERVIEW, READS, overview
from assets.reports.generations import OTHER, generation, pflop_hour_by_generation
from assets.reports.overview import default_path, write_report
from assets.resources import WarehouseResource
from pipeline.cli import main
from tests.chromium import CHROMIUM, DevTools

needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (apt-get install chromium; .ci/run does)"
)
NOW = dt.datetime(2026, 12, 1, 12, 0)
# Per chart on the page: the points its figure holds (every trace) and the marks Plotly drew for the visible ones.
POINTS_JS = """
Array.from(document.querySelectorAll('.js-plotly-plot')).map(function (gd) {
  var held = gd.data.reduce(function (n, t) {
    if (t.type === 'heatmap') { return n + t.z.flat().filter(function (v) { return v !== null; }).length; }
    return n + (t.x ? t.x.length : 0);
  }, 0);
  var drawn = gd.querySelectorAll('.scatterlayer .point, .barlayer .point, .hm image').length;
  return {id: gd.id, held: held, drawn: drawn, expected: Number(gd.dataset.points)};
})
"""


@pytest.fixture(scope="module")
def written(offline_warehouse, tmp_path_factory):
    return write_report(offline_warehouse, tmp_path_factory.mktemp("report") / "report.html", now=NOW)


def copy_of(warehouse: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(warehouse, folder / "warehouse.duckdb"))


@needs_chromium
def test_the_report_loads_without_console_errors_and_every_chart_has_points(written, tmp_path):
    with DevTools(tmp_path / "chromium", width=1280, height=2400) as browser:
        visit = browser.load(written.path.as_uri())
        counts = browser.evaluate(POINTS_JS)
        shot = browser.screenshot(tmp_path / "report.png")
    assert visit.errors == []
    # nothing fetched but the file itself and the images Plotly makes in memory
    assert [u for u in visit.requests if not u.startswith(("file://", "data:"))] == []
    assert [c["id"] for c in counts] == [c.key for c in written.charts]
    for chart, count in zip(written.charts, counts):
        assert count["held"] == count["expected"] == chart.points > 0, count
        assert count["drawn"] > 0, count
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 50_000


BROKEN_PAGES = {
    "an uncaught exception": ("<script>window.noSuchFunction();</script>", "noSuchFunction"),
    "console.error": ("<script>console.error('chart data missing');</script>", "chart data missing"),
    "a script that fails to load": ('<script src="missing-plotly.js"></script>', "ERR_FILE_NOT_FOUND"),
}


@needs_chromium
@pytest.mark.parametrize("body, expected", BROKEN_PAGES.values(), ids=BROKEN_PAGES.keys())
def test_a_broken_page_is_caught(tmp_path, body, expected):
    page = tmp_path / "broken.html"
    page.write_text(f"<!DOCTYPE html><html><body><p>broken</p>{body}</body></html>")
    with DevTools(tmp_path / "chromium") as browser:
        visit = browser.load(page.as_uri())
    assert any(expected in error for error in visit.errors), visit.errors


class References(HTMLParser):
    """Every URL a script, stylesheet, image or frame on the page would load."""

    def __init__(self):
        super().__init__()
        self.urls, self.scripts = [], 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.scripts += tag == "script" and "src" not in attrs and attrs.get("type") != "application/json"
        for name in ("src", "href", "data"):
            if attrs.get(name) and tag in {"script", "link", "img", "iframe", "object", "embed", "source"}:
                self.urls.append(attrs[name])


def test_the_report_is_one_self_contained_file(written):
    page = written.path.read_text(encoding="utf-8")
    found = References()
    found.feed(page)
    assert found.urls == []  # no CDN, no stylesheet, no image: nothing outside the file
    assert not re.search(r"<(script|link)[^>]+(src|href)=[\"']?https?://", page)
    assert page.count("* plotly.js v") == 1  # the library inlined once, not per figure
    assert page.count('class="gpucost-figure"') == len(written.charts) == 8
    assert found.scripts == 2  # plotly.js and the few lines that draw each figure from its JSON
    assert 1_000_000 < written.size_bytes < 10_000_000


def test_each_chart_names_its_dates_and_origin_on_the_figure(written):
    for chart in written.charts:
        subtitle = chart.figure.layout.title.subtitle.text.replace("<br>", " ")
        assert subtitle == chart.provenance
        assert re.search(r"\d{4}-\d{2}-\d{2}", subtitle), chart.key
        assert "snapshot:" in subtitle or "live" in subtitle, chart.key  # the offline run: bundled snapshots
        assert re.search(r"marts\.\w+", subtitle), chart.key  # and the table it came from


def test_the_offline_training_chart_says_only_today_exists(written):
    training = next(c for c in written.charts if c.key == "training-cost")
    assert "1 computed state(s)" in training.provenance
    assert "Only today's figures exist yet" in training.figure.layout.annotations[0].text
    assert training.figure.layout.xaxis.type == "category"


def test_the_training_chart_is_a_line_over_time_once_history_has_two_states():
    t1, t2, t3 = dt.datetime(2026, 11, 1), dt.datetime(2026, 11, 20), dt.datetime(2026, 12, 1)
    history = pl.DataFrame(
        {
            "computed_at": [t1, t2, t1, t2],
            "cloud_cost_usd": [900_000.0, 800_000.0, 2_000_000.0, 1_900_000.0],
            "price_input": ["a: $3.00/GPU-h", "a: $2.70/GPU-h", "b: $2.00/GPU-h", "b: $1.90/GPU-h"],
            "gpu_model": [None, None, "H100-SXM", "H100-SXM"],
        }
    )
    today = pl.DataFrame(
        {
            "gpu_model": ["H100-SXM"],
            "cloud_cost_usd": [1_900_000.0],
            "cloud_cost_usd_low": [1_300_000.0],
            "cloud_cost_usd_high": [2_900_000.0],
            "price_snapshot_date": [dt.date(2026, 11, 20)],
            "price_origin": ["live"],
            "computed_at": [t3],
        }
    )
    chart = charts.training_cost(history, today, "GPT-3 175B")
    assert not chart.figure.layout.annotations
    lines = {trace.name: trace for trace in chart.figure.data}
    assert set(lines) == {"cheapest GPU (H100-SXM today)", "H100-SXM"}
    # each state, then the last one held until today's computation
    assert list(lines["H100-SXM"].y) == [2_000_000.0, 1_900_000.0, 1_900_000.0]
    assert lines["H100-SXM"].x[-1] == "2026-12-01 00:00" and lines["H100-SXM"].line.shape == "hv"
    assert list(lines["H100-SXM"].error_y.array)[-1] == pytest.approx(1_000_000.0)
    assert "2 computed state(s), 2026-11-01 to 2026-11-20" in chart.provenance and "live" in chart.provenance


def test_generations_and_dollars_per_pflop_hour():
    names = pl.DataFrame({"gpu_model": ["H100-SXM", "GH200", "A10G", "TPU-v5e", "MI300X", "B200", "X9000"]})
    assert names.select(generation())["literal"].to_list() == [
        "NVIDIA Hopper (2022)",
        "NVIDIA Hopper (2022)",
        "NVIDIA Ampere (2020)",
        "Google TPU v5e/v5p (2023)",
        "AMD CDNA 3 (2023)",
        "NVIDIA Blackwell (2024)",
        OTHER,  # a chip nobody mapped is shown, not dropped
    ]
    day = dt.date(2026, 12, 1)
    daily = pl.DataFrame(
        {
            "snapshot_date": [day, day],
            "pricing": ["on_demand", "on_demand"],
            "gpu_model": ["H100-SXM", "H200"],
            "cheapest_price_per_gpu_hour_usd": [2.0, 3.0],
            "cheapest_provider": ["a", "b"],
        }
    )
    specs = pl.DataFrame({"gpu_model": ["H100-SXM", "H200"], "tflops_bf16_dense": [1000.0, 1000.0]})
    best = pflop_hour_by_generation(daily, specs).row(0, named=True)
    assert best["generation"] == "NVIDIA Hopper (2022)" and best["gpu_model"] == "H100-SXM"
    assert best["usd_per_pflop_hour"] == pytest.approx(2.0)  # $2/GPU-h over 1 PFLOP/s


def test_money_and_counts_carry_their_units():
    assert units.usd(1_398_000) == "$1.40M" and units.usd(35.9e9) == "$35.9B" and units.usd(0.0036) == "$0.0036"
    assert units.usd(2.95, "/GPU-h") == "$2.95/GPU-h" and units.usd(None) == "n/a"
    assert units.usd(10, tick=True) == "$10" and units.usd(1e6, tick=True) == "$1M"
    assert units.number(4_102_568, "GPUs") == "4,102,568 GPUs" and units.number(1.259, "months") == "1.26 months"
    assert units.origins(["snapshot:2026-05-20", None]) == "bundled snapshot:2026-05-20"
    assert units.origins(["live", "snapshot:2026-05-20", "live"]) == "live + bundled snapshot:2026-05-20"


def test_the_report_reads_every_mart_it_depends_on():
    """The asset refreshes when what it draws changes: each table warehouse/report.py reads is an input of it."""
    source = (Path(__file__).resolve().parents[1] / "warehouse" / "report.py").read_text()
    tables = set(re.findall(r"(?:FROM|JOIN)\s+((?:marts|core)\.\w+)", source))
    written_by = {"marts.headline_history": "marts/cost_changes"}  # the cost_changes step appends the history
    views = {"marts.source_status"}  # a view over the ingest log: no asset, redrawn with the rest
    inputs = {key.to_user_string() for key in READS}
    assert tables - views, tables
    for table in tables - views:
        assert written_by.get(table, table.replace(".", "/")) in inputs, table


def test_the_overview_asset_writes_the_page_and_links_it(offline_warehouse, tmp_path):
    warehouse = copy_of(offline_warehouse, tmp_path / "data")
    before = warehouse.stat()
    # it reads the warehouse file: in the pool, so another run's process never writes while it opens it
    assert overview.op.pool == "warehouse"
    result = dg.materialize(
        [overview],
        resources={"warehouse": WarehouseResource(path=str(warehouse))},
        instance=dg.DagsterInstance.ephemeral(),
    )
    assert result.success
    (event,) = result.get_asset_materialization_events()
    metadata = event.materialization.metadata
    page = tmp_path / "data" / "report.html"
    assert metadata["path"].value == str(page) and page.stat().st_size == metadata["size_bytes"].value
    assert metadata["url"].value == page.as_uri()
    assert metadata["charts"].value == 8 and metadata["data_points"].value > 500
    preview = metadata["preview"].value
    assert "Training GPT-3 175B once" in preview and "\\$" in preview and "snapshot:" in preview
    (check,) = result.get_asset_check_evaluations()
    assert check.check_name == "report_charts_have_data" and check.passed
    after = warehouse.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)  # read, never written
    assert event.asset_key == OVERVIEW


def test_gpucost_report_writes_beside_the_warehouse_and_opens_it(offline_warehouse, tmp_path, monkeypatch, capsys):
    warehouse = copy_of(offline_warehouse, tmp_path / "data")
    monkeypatch.setenv("GPUCOST_DB", str(warehouse))
    opened = []
    monkeypatch.setattr("webbrowser.open", lambda url: opened.append(url) or True)
    assert main(["report", "--open"]) == 0
    page = default_path(warehouse)
    assert page == tmp_path / "data" / "report.html" and page.stat().st_size > 1_000_000
    assert opened == [page.as_uri()]
    out = capsys.readouterr().out
    assert f"report written to {page}" in out and "8 charts" in out and "$" in out
    assert main(["report", "--output", str(tmp_path / "elsewhere" / "r.html")]) == 0
    assert (tmp_path / "elsewhere" / "r.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_gpucost_report_without_a_warehouse_says_what_to_run(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("GPUCOST_DB", str(tmp_path / "none.duckdb"))
    assert main(["report"]) == 2
    assert "run `gpucost run`" in capsys.readouterr().err


def test_gpucost_run_redraws_the_report_when_and_only_when_what_it_reads_changed(server, warehouse_path):
    from pipeline.run import run_pipeline
    from tests.conftest import LOOPBACK_PATHS, loopback_ingest
    from tests.loopback import FIXTURES

    instance = dg.DagsterInstance.ephemeral()
    resources = {"warehouse": WarehouseResource(path=str(warehouse_path)), "ingest": loopback_ingest(server)}
    first = run_pipeline(resources=resources, instance=instance)
    page = default_path(warehouse_path)
    assert "reports/overview" in first.materialized and page.is_file()
    assert first.materialized.index("reports/overview") > first.materialized.index("marts/training_costs")
    drawn = page.stat().st_mtime_ns
    again = run_pipeline(resources=resources, instance=instance)
    assert "reports/overview" not in again.materialized and page.stat().st_mtime_ns == drawn
    server.behave(
        LOOPBACK_PATHS["skypilot"] + "/lambda/vms.csv",
        body=(FIXTURES / "skypilot" / "lambda_vms_2026-04-06.csv").read_bytes(),
    )
    changed = run_pipeline(resources=resources, instance=instance)
    assert "reports/overview" in changed.materialized and page.stat().st_mtime_ns > drawn

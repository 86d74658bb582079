"""`make bench`: how long the pipeline and its heavy steps take on this machine.

Timing goals live here, not in tests. Prints a markdown table for the README.
Synthetic rows (real rows repeated) are used only to measure throughput at the
size of the full live catalogs.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "skypilot" / "catalogs" / "v8"


def timed(fn, repeat: int = 3) -> float:
    """Median wall time of `repeat` calls, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench_offline_run(rows: list) -> None:
    from pipeline.cli import main

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["GPUCOST_DB"] = f"{tmp}/w.duckdb"
        os.environ["DAGSTER_HOME"] = f"{tmp}/home"
        Path(f"{tmp}/home").mkdir()
        devnull = open(os.devnull, "w")
        stdout, sys.stdout = sys.stdout, devnull
        try:
            first = timed(lambda: main(["run", "--offline"]), repeat=1)
            again = timed(lambda: main(["run", "--offline"]), repeat=2)
        finally:
            sys.stdout = stdout
            devnull.close()
    rows.append(("`gpucost run --offline`, empty warehouse (all sources, costs, checks; 2 in-process runs)", f"{first:.1f} s"))
    rows.append(("`gpucost run --offline`, warehouse already filled", f"{again:.1f} s"))


def bench_skypilot(rows: list) -> None:
    from assets.prices import skypilot
    from assets.prices.gpu_names import price_rows
    from assets.reference.files import GPU_ALIASES, GPU_SPECS

    payloads = {c: (FIXTURES / c / "vms.csv").read_bytes() for c in skypilot.CLOUDS}
    scale = 400  # ~40k catalog lines, the size of the live GPU catalogs
    big = {c: b.split(b"\n", 1)[0] + b"\n" + (b.split(b"\n", 1)[1] * scale) for c, b in payloads.items()}
    n_lines = sum(b.count(b"\n") for b in big.values())
    meta = [pl.lit("skypilot").alias("source"), pl.lit(dt.date.today()).alias("snapshot_date"),
            pl.lit(dt.datetime.now()).alias("fetched_at"), pl.lit("live").alias("origin")]
    parse_s = timed(lambda: skypilot.parse(big))
    raw = skypilot.parse(big).with_columns(meta)
    norm_s = timed(lambda: skypilot.normalize(raw))
    offers = skypilot.normalize(raw)
    aliases, specs = GPU_ALIASES.load(), GPU_SPECS.load()
    wide = pl.concat([offers.with_columns(pl.format("{}-{}", "instance_type", pl.lit(i)).alias("instance_type")) for i in range(2000)])
    canon_s = timed(lambda: price_rows(wide, aliases, specs))
    rows.append((f"SkyPilot parse, {n_lines:,} catalog lines (5 clouds)", f"{parse_s * 1000:.0f} ms"))
    rows.append((f"SkyPilot normalize (GCP host+GPU join, TPU chips, zones), {raw.height:,} rows", f"{norm_s * 1000:.0f} ms"))
    rows.append((f"Canonical GPU names + $/GPU-h + $/PFLOP-h, {wide.height:,} offers", f"{canon_s * 1000:.0f} ms"))


def bench_warehouse(rows: list) -> None:
    import warehouse

    n = 200_000
    frame = pl.DataFrame({
        "source": ["bench"] * n, "provider": ["aws"] * n, "region": ["us-east-1"] * n,
        "instance_type": [f"i{i}" for i in range(n)], "gpu_name_raw": ["H100"] * n, "gpu_model": ["H100-SXM"] * n,
        "gpu_count": [8.0] * n, "pricing": ["on_demand"] * n, "price_basis": ["instance"] * n,
        "price_per_hour_usd": [55.04] * n, "price_per_gpu_hour_usd": [6.88] * n, "currency": ["USD"] * n,
        "snapshot_date": [dt.date(2026, 11, 30)] * n, "fetched_at": [dt.datetime(2026, 11, 30)] * n, "origin": ["live"] * n,
    })
    with tempfile.TemporaryDirectory() as tmp, warehouse.connect_writer(f"{tmp}/w.duckdb") as con:
        write_s = timed(lambda: warehouse.replace_snapshot(con, "core.gpu_prices", frame, source="bench", snapshot_date=dt.date(2026, 11, 30)))
    rows.append((f"Warehouse replace_snapshot (delete day + insert), {n:,} price rows", f"{write_s * 1000:.0f} ms"))


def main() -> None:
    rows: list[tuple[str, str]] = []
    for bench in (bench_skypilot, bench_warehouse, bench_offline_run):
        bench(rows)
    cpu = platform.processor() or platform.machine()
    print(f"\n{dt.date.today()}, Python {platform.python_version()}, {os.cpu_count()} cores ({cpu}), median of 3 unless noted\n")
    print("| what | time |\n|---|---|")
    for what, value in rows:
        print(f"| {what} | {value} |")


if __name__ == "__main__":
    main()

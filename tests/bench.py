"""`make bench`: how long the pipeline and its heavy steps take on this machine.

Timing goals live here, not in tests. Prints a markdown table for the README.
Synthetic rows (real rows repeated) are used only to measure throughput at the
size of the full live catalogs.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "skypilot" / "skypilot-org" / "skypilot-catalog" / "master" / "catalogs" / "v8"


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
    rows.append(
        ("`gpucost run --offline`, empty warehouse (all sources, costs, checks; 2 in-process runs)", f"{first:.1f} s")
    )
    rows.append(("`gpucost run --offline`, warehouse already filled", f"{again:.1f} s"))


def bench_skypilot(rows: list) -> None:
    from assets.prices import skypilot
    from assets.prices.gpu_names import price_rows
    from assets.reference.files import GPU_ALIASES, GPU_SPECS

    payloads = {c: (FIXTURES / c / "vms.csv").read_bytes() for c in skypilot.CLOUDS}
    scale = 400  # ~40k catalog lines, the size of the live GPU catalogs
    big = {c: b.split(b"\n", 1)[0] + b"\n" + (b.split(b"\n", 1)[1] * scale) for c, b in payloads.items()}
    n_lines = sum(b.count(b"\n") for b in big.values())
    meta = [
        pl.lit("skypilot").alias("source"),
        pl.lit(dt.date.today()).alias("snapshot_date"),
        pl.lit(dt.datetime.now()).alias("fetched_at"),
        pl.lit("live").alias("origin"),
    ]
    parse_s = timed(lambda: skypilot.parse(big))
    raw = skypilot.parse(big).with_columns(meta)
    norm_s = timed(lambda: skypilot.normalize(raw))
    offers = skypilot.normalize(raw)
    aliases, specs = GPU_ALIASES.load(), GPU_SPECS.load()
    wide = pl.concat(
        [
            offers.with_columns(pl.format("{}-{}", "instance_type", pl.lit(i)).alias("instance_type"))
            for i in range(2000)
        ]
    )
    canon_s = timed(lambda: price_rows(wide, aliases, specs))
    rows.append((f"SkyPilot parse, {n_lines:,} catalog lines (5 clouds)", f"{parse_s * 1000:.0f} ms"))
    rows.append(
        (f"SkyPilot normalize (GCP host+GPU join, TPU chips, zones), {raw.height:,} rows", f"{norm_s * 1000:.0f} ms")
    )
    rows.append((f"Canonical GPU names + $/GPU-h + $/PFLOP-h, {wide.height:,} offers", f"{canon_s * 1000:.0f} ms"))


def bench_warehouse(rows: list) -> None:
    import warehouse

    n = 200_000
    frame = pl.DataFrame(
        {
            "source": ["bench"] * n,
            "provider": ["aws"] * n,
            "region": ["us-east-1"] * n,
            "instance_type": [f"i{i}" for i in range(n)],
            "gpu_name_raw": ["H100"] * n,
            "gpu_model": ["H100-SXM"] * n,
            "gpu_count": [8.0] * n,
            "pricing": ["on_demand"] * n,
            "price_basis": ["instance"] * n,
            "price_per_hour_usd": [55.04] * n,
            "price_per_gpu_hour_usd": [6.88] * n,
            "currency": ["USD"] * n,
            "snapshot_date": [dt.date(2026, 11, 30)] * n,
            "fetched_at": [dt.datetime(2026, 11, 30)] * n,
            "origin": ["live"] * n,
        }
    )
    with tempfile.TemporaryDirectory() as tmp, warehouse.connect_writer(f"{tmp}/w.duckdb") as con:
        write_s = timed(
            lambda: warehouse.replace_snapshot(
                con, "core.gpu_prices", frame, source="bench", snapshot_date=dt.date(2026, 11, 30)
            )
        )
    rows.append((f"Warehouse replace_snapshot (delete day + insert), {n:,} price rows", f"{write_s * 1000:.0f} ms"))


def bench_aws_stream(rows: list) -> None:
    """The heaviest live fetch: a region's AWS price list (hundreds of MB), streamed and filtered as it arrives."""
    import resource

    from assets.http import HttpClient
    from assets.prices import aws

    fixture = (
        (ROOT / "tests/fixtures/aws/offers/v1.0/aws/AmazonEC2/current/us-east-1/index.csv").read_bytes().split(b"\n")
    )
    head, gpu_rows = fixture[:6], [line for line in fixture[6:] if line]
    # The live file is mostly non-GPU rows: filler made from a real row with a general-purpose instance type and
    # description, so the stream filter drops it (about 1 GPU row in 200, as in the real price lists).
    filler = gpu_rows[0].replace(b"p3.2xlarge", b"m7i.large").replace(b"GPU instance", b"General purpose")
    assert gpu_rows[0].count(b"p3.2xlarge") and not aws._line_filter()(filler), (
        "the filler must be a row the filter drops"
    )
    block = b"\n".join([filler] * 200 * len(gpu_rows) + gpu_rows) + b"\n"
    target = 200 * 1024 * 1024
    with tempfile.TemporaryDirectory() as tmp:
        region_dir = Path(tmp) / "current" / "us-east-1"
        region_dir.mkdir(parents=True)
        with open(region_dir / "index.csv", "wb") as out:
            out.write(b"\n".join(head) + b"\n")
            for _ in range(target // len(block) + 1):
                out.write(block)
        size_mb = (region_dir / "index.csv").stat().st_size / 1e6
        # the server runs in its own process (python -m http.server streams the file), so RSS here is the client's alone
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        server = subprocess.Popen(
            [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", tmp],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.environ[aws.REGIONS_ENV] = "us-east-1"
        try:
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    time.sleep(0.1)
            before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            fetch_s = timed(lambda: aws.fetch(HttpClient("aws"), {"aws": f"http://127.0.0.1:{port}/current"}), repeat=1)
            after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        finally:
            server.terminate()
            server.wait()
            del os.environ[aws.REGIONS_ENV]
    rows.append(
        (
            f"AWS price list streamed over loopback HTTP and filtered to its GPU rows, {size_mb:,.0f} MB (1 GPU row in "
            "200)",
            f"{fetch_s:.1f} s, peak RSS +{max(after - before, 0):,.0f} MB",
        )
    )


def main() -> None:
    rows: list[tuple[str, str]] = []
    for bench in (
        bench_aws_stream,
        bench_skypilot,
        bench_warehouse,
        bench_offline_run,
    ):  # AWS first: its peak RSS is measured
        bench(rows)
    cpu = platform.processor() or platform.machine()
    print(
        f"\n{dt.date.today()}, Python {platform.python_version()}, {os.cpu_count()} cores ({cpu}), median of 3 unless "
        "noted\n"
    )
    print("| what | time |\n|---|---|")
    for what, value in rows:
        print(f"| {what} | {value} |")


if __name__ == "__main__":
    main()

"""AWS price list filter speed: ours against polars' raw scan of the same file, and the whole fetch over HTTP.

`python -m tests.bench_aws` prints the rows; `bench_aws_filter(rows)` appends them for `make bench`. Run it first
in a process: peak RSS (ru_maxrss) only rises. Synthetic rows (real rows repeated) measure throughput at the size
of a live region's file.
"""

from __future__ import annotations

import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests/fixtures/aws/offers/v1.0/aws/AmazonEC2/current/us-east-1/index.csv"
TARGET_BYTES = 500 * 1024**2
REGION = "us-east-1"


def _timed(fn, repeat: int) -> tuple[float, object]:
    """Median wall time of `repeat` calls in seconds, and the last call's result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_price_list(path: Path, target_bytes: int = TARGET_BYTES) -> int:
    """A synthetic price list of about target_bytes: the fixture's preamble and header, then its real rows, each
    with 200 non-GPU fillers (a real row made a general-purpose m7i.large with no GPU). Returns the row count."""
    from assets.prices import aws

    lines = FIXTURE.read_bytes().split(b"\n")
    head, real = lines[:6], [line for line in lines[6:] if line]
    first = pl.read_csv(b"\n".join([lines[5], real[0]]), infer_schema=False)
    assert first["Instance Type"][0] == "p3.2xlarge"
    retype = [
        pl.col(c).str.replace_all("p3.2xlarge", "m7i.large", literal=True) for c in ("Instance Type", "usageType")
    ]
    filler_frame = first.with_columns(
        *retype,
        pl.col("PriceDescription").str.replace_all("p3.2xlarge", "m7i.large", literal=True),
        pl.lit("General purpose").alias("Instance Family"),
        pl.lit(None, pl.String).alias("GPU"),
    )
    assert filler_frame.filter(aws.candidate_rows(first.columns)).is_empty(), "the filler must be a row we drop"
    filler = filler_frame.write_csv(include_header=False, quote_style="non_numeric").encode().rstrip(b"\n")
    block = b"\n".join([filler] * 200 * len(real) + real) + b"\n"
    repeats = target_bytes // len(block) + 1
    with open(path, "wb") as out:
        out.write(b"\n".join(head) + b"\n")
        for _ in range(repeats):
            out.write(block)
    return repeats * (201 * len(real))


def _serve(directory: str) -> tuple[subprocess.Popen, int]:
    """`python -m http.server` in its own process, so the RSS measured here is the client's alone."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", directory],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    return server, port


def bench_aws_filter(rows: list) -> None:
    """(a) polars' raw scan + filter and (b) our filter (the one fetch uses) on one local file, (c) fetch over HTTP."""
    from assets.http import HttpClient
    from assets.prices import aws

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "current" / REGION / "index.csv"
        path.parent.mkdir(parents=True)
        n_rows = write_price_list(path)
        size_mb = path.stat().st_size / 1e6
        condition = aws.candidate_rows(pl.scan_csv(path, skip_rows=5, infer_schema=False).collect_schema().names())

        # (c) first: ru_maxrss is the process's peak so far, and the raw scan below holds far more than fetch
        server, port = _serve(tmp)
        previous = os.environ.get(aws.REGIONS_ENV)
        os.environ[aws.REGIONS_ENV] = REGION
        try:
            before = _peak_rss_mb()
            fetch_s, payloads = _timed(
                lambda: aws.fetch(HttpClient("aws"), {"aws": f"http://127.0.0.1:{port}/current"}), repeat=1
            )
            fetch_rss = _peak_rss_mb() - before
        finally:
            server.terminate()
            server.wait()
            if previous is None:
                del os.environ[aws.REGIONS_ENV]
            else:
                os.environ[aws.REGIONS_ENV] = previous

        def ours() -> bytes:
            with open(path, "rb") as f:
                return aws.filter_price_list(REGION, iter(partial(f.read, 1 << 20), b""))

        ours_s, filtered = _timed(ours, repeat=3)
        raw_s, raw = _timed(
            lambda: pl.scan_csv(path, skip_rows=5, infer_schema=False).filter(condition).collect(), repeat=3
        )
        kept = filtered.count(b"\n") - 6
        assert payloads[REGION] == filtered, "fetch over HTTP and the local filter must keep the same bytes"
        assert kept == raw.height > 0, f"our filter kept {kept} rows, polars' raw scan {raw.height}"

    raw_rate, ours_rate = n_rows / raw_s, n_rows / ours_s
    label = f"{size_mb:,.0f} MB, {n_rows:,} rows, {kept:,} kept"
    rows.append(
        (
            f"AWS price list, polars raw `scan_csv().filter().collect()` from local disk ({label})",
            f"{raw_rate:,.0f} rows/s ({raw_s:.1f} s)",
        )
    )
    rows.append(
        (
            "AWS price list, our filter (`aws.filter_price_list`, as fetch uses it) on the same file",
            f"{ours_rate:,.0f} rows/s ({ours_s:.1f} s), {ours_rate / raw_rate:.0%} of raw",
        )
    )
    rows.append(
        (
            f"AWS price list, `aws.fetch` over loopback HTTP (python -m http.server), {size_mb:,.0f} MB",
            f"{fetch_s:.1f} s, peak RSS +{max(fetch_rss, 0):,.0f} MB",
        )
    )


def main() -> None:
    rows: list[tuple[str, str]] = []
    bench_aws_filter(rows)
    print("| what | value |\n|---|---|")
    for what, value in rows:
        print(f"| {what} | {value} |")


if __name__ == "__main__":
    main()

"""`make bench`: speed and memory goals, as ratios against a baseline measured in the same run.

Timing goals live here, not in tests (the machine may be busy; ratios against a baseline taken in
the same run stay meaningful). Prints a markdown table for the README. Synthetic rows (real rows
repeated or jittered) are used only to measure cost at sizes the bundled data does not reach, and
only in temporary warehouses.

    python -m tests.bench [--quick]     (--quick: 30 days of history instead of 365, fewer repeats)
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def child_cpu(argv: list[str], env: dict) -> tuple[float, float]:
    """(wall, CPU) seconds of one command, its CPU from the kernel's account of finished children."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def median(runs: list[tuple[float, float]], which: int) -> float:
    return statistics.median(r[which] for r in runs)


def environment(tmp: Path, name: str) -> dict:
    home = tmp / f"{name}-home"
    home.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("GPUCOST_")}
    return {**env, "GPUCOST_DB": str(tmp / f"{name}.duckdb"), "DAGSTER_HOME": str(home)}


def gpucost(*args: str) -> list[str]:
    return [str(BIN / "gpucost"), *args]


def bench_cli_latency(rows: list, tmp: Path, repeat: int) -> None:
    """Read-only commands next to the interpreter starting and doing nothing (goal: at most 0.5 s each)."""
    env = environment(tmp, "latency")
    child_cpu(gpucost("run", "--offline"), env)
    commands = {
        "`python -c pass`": [sys.executable, "-c", "pass"],
        "`gpucost --help`": gpucost("--help"),
        '`gpucost sql "select 1"`': gpucost("sql", "select 1"),
        "`gpucost prices`": gpucost("prices"),
        "`gpucost estimate training --model 'GPT-3 175B' --gpu H100`": gpucost(
            "estimate", "training", "--model", "GPT-3 175B", "--gpu", "H100"
        ),
    }
    for label, argv in commands.items():
        runs = [child_cpu(argv, env) for _ in range(repeat)]
        wall = median(runs, 0)
        goal = " (goal <= 0.5 s: met)" if wall <= 0.5 else " (goal <= 0.5 s: MISSED)"
        verdict = "" if label.startswith("`python") else goal
        rows.append((f"read-only CLI: {label}", f"{wall:.2f} s wall, {median(runs, 1):.2f} s CPU{verdict}"))


def bench_runs(rows: list, tmp: Path, repeat: int) -> None:
    """`gpucost run --offline` (Dagster, in-process) against tests/plain_run.py doing the same work without it."""
    plain = [
        child_cpu([sys.executable, "-m", "tests.plain_run", "--offline"], environment(tmp, f"plain{i}"))
        for i in range(repeat)
    ]
    firsts, seconds = [], []
    for i in range(repeat):
        env = environment(tmp, f"run{i}")
        firsts.append(child_cpu(gpucost("run", "--offline"), env))
        seconds.append(child_cpu(gpucost("run", "--offline"), env))
    p, f, s = median(plain, 1), median(firsts, 1), median(seconds, 1)
    rows.append(("plain script (tests/plain_run.py --offline), empty warehouse", f"{p:.1f} s CPU (baseline)"))
    rows.append(
        ("`gpucost run --offline`, empty warehouse", f"{f:.1f} s CPU = {f / p:.2f}x the plain script (goal <= 1.5x)")
    )
    rows.append(
        ("`gpucost run --offline` again, nothing changed", f"{s:.1f} s CPU = {s / f:.2f}x the first run (goal <= 0.3x)")
    )


def add_history(db: str, days: int, variants: int) -> int:
    """Synthetic history: `days` earlier days per source before its real snapshot, `variants` jittered copies of each
    current offer a day (real prices walked +-5%). meta.snapshots learns every slice as replace_snapshot would have,
    written on its own day."""
    import duckdb

    con = duckdb.connect(db)
    try:
        con.execute(
            f"""
            INSERT INTO core.gpu_prices BY NAME
            SELECT p.* EXCLUDE (first_party, preferred, reported_by, snapshot_date, instance_type,
                                price_per_hour_usd, price_per_gpu_hour_usd),
                   (p.snapshot_date - d.i::INTEGER) AS snapshot_date,
                   p.instance_type || '~' || v.j AS instance_type,
                   p.price_per_hour_usd * (1 + 0.05 * sin(d.i * 0.37 + v.j)) AS price_per_hour_usd,
                   p.price_per_gpu_hour_usd * (1 + 0.05 * sin(d.i * 0.37 + v.j)) AS price_per_gpu_hour_usd
            FROM core.gpu_prices_current p, range(1, {days + 1}) d(i), range({variants}) v(j)
            ORDER BY snapshot_date
            """
        )
        con.execute(
            """
            INSERT OR IGNORE INTO meta.snapshots
            SELECT 'core.gpu_prices', source, snapshot_date, count(*), snapshot_date::TIMESTAMP + INTERVAL 7 HOUR
            FROM core.gpu_prices GROUP BY ALL
            """
        )
        return con.execute("SELECT count(*) FROM core.gpu_prices").fetchone()[0]
    finally:
        con.close()


def bench_history(rows: list, tmp: Path, year_days: int) -> None:
    """A year of history must cost a run nothing: the run at 1, 30 and 365 days, and every README query."""
    from tests.readme import readme_queries

    cpus = {}
    for days in sorted({1, 30, year_days}):
        env = environment(tmp, f"history{days}")
        child_cpu(gpucost("run", "--offline"), env)
        total = add_history(env["GPUCOST_DB"], days, variants=135)
        runs = [child_cpu(gpucost("run", "--offline", "--force"), env) for _ in range(2)]
        cpus[days] = (median(runs, 1), total)
    base = cpus[1][0]
    for days, (cpu, total) in cpus.items():
        rows.append(
            (
                f"`gpucost run --offline --force` with {days} day(s) of history ({total:,} price rows)",
                f"{cpu:.1f} s CPU = {cpu / base:.2f}x the 1-day run (goal within 1.2x)",
            )
        )
    import duckdb

    env = environment(tmp, f"history{year_days}")
    con = duckdb.connect(env["GPUCOST_DB"], read_only=True)
    try:
        times = []
        for sql in readme_queries():
            start = time.perf_counter()
            con.execute(sql).fetchall()
            times.append((time.perf_counter() - start, sql))
    finally:
        con.close()
    worst, worst_sql = max(times)
    over = sum(1 for t, _ in times if t > 0.1)
    rows.append(
        (
            f"every README query ({len(times)}) on {cpus[year_days][1]:,} price rows",
            f"median {statistics.median(t for t, _ in times) * 1000:.0f} ms, worst {worst * 1000:.0f} ms "
            f"({'goal <= 100 ms: met' if not over else f'{over} over 100 ms'})",
        )
    )


def bench_steps(rows: list) -> None:
    """The heavy pure steps at the size of the live catalogs."""
    import polars as pl

    from assets.prices import skypilot
    from assets.prices.gpu_names import price_rows
    from assets.reference.files import GPU_ALIASES, GPU_SPECS
    from tests.conftest import fixture_dir

    payloads = {c: (fixture_dir("skypilot") / c / "vms.csv").read_bytes() for c in skypilot.CLOUDS}
    # a catalog's last line may lack its newline: repeat whole lines only
    big = {
        c: b.split(b"\n", 1)[0] + b"\n" + (b.split(b"\n", 1)[1].rstrip(b"\n") + b"\n") * 400
        for c, b in payloads.items()
    }
    meta = [
        pl.lit("skypilot").alias("source"),
        pl.lit(dt.date.today()).alias("snapshot_date"),
        pl.lit(dt.datetime.now()).alias("fetched_at"),
        pl.lit("live").alias("origin"),
    ]
    start = time.perf_counter()
    raw = skypilot.parse(big).with_columns(meta)
    parse_s = time.perf_counter() - start
    start = time.perf_counter()
    offers = skypilot.normalize(raw)
    norm_s = time.perf_counter() - start
    wide = pl.concat(
        [
            offers.with_columns(pl.format("{}-{}", "instance_type", pl.lit(i)).alias("instance_type"))
            for i in range(2000)
        ]
    )
    aliases, specs = GPU_ALIASES.load(), GPU_SPECS.load()
    start = time.perf_counter()
    price_rows(wide, aliases, specs)
    canon_s = time.perf_counter() - start
    rows.append((f"SkyPilot parse + normalize, {raw.height:,} catalog rows", f"{(parse_s + norm_s) * 1000:.0f} ms"))
    rows.append((f"canonical GPU names + $/GPU-h + $/PFLOP-h, {wide.height:,} offers", f"{canon_s * 1000:.0f} ms"))


class Progress(list):
    """The result rows, each also told on stderr as it is measured (a long bench that fails late loses nothing)."""

    def append(self, row: tuple[str, str]) -> None:
        super().append(row)
        print(f"bench: {row[0]}: {row[1]}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench")
    parser.add_argument("--quick", action="store_true", help="30 days of history instead of 365, one repeat")
    args = parser.parse_args(argv)
    repeat = 1 if args.quick else 3
    rows = Progress()
    from tests.bench_aws import bench_aws_filter

    bench_aws_filter(rows)  # first: its peak RSS is a process-wide figure that only rises
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        bench_cli_latency(rows, tmp, repeat=5 if not args.quick else 2)
        bench_runs(rows, tmp, repeat)
        bench_history(rows, tmp, 30 if args.quick else 365)
    bench_steps(rows)
    cpu = platform.processor() or platform.machine()
    print(f"\n{dt.date.today()}, Python {platform.python_version()}, {os.cpu_count()} cores ({cpu})\n")
    print("| what | measured |\n|---|---|")
    for what, value in rows:
        print(f"| {what} | {value} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

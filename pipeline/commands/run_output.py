"""What `gpucost run` tells a person while it works and when it ends: a line per source as it finishes, a
progress bar on each recompute round, then the headline, how old every source's data is, and what failed."""

from __future__ import annotations

import sys
import time

import polars as pl

from pipeline.display import format_table, format_value, terminal_width, to_csv, to_json, wrap

HEADLINE_COLUMNS = {  # column -> header, in the order a reader needs them (the rightmost go first when narrow)
    "gpu_model": "gpu",
    "cloud_cost_usd": "gpt3_usd",
    "cloud_cost_usd_low": "low_usd",
    "cloud_cost_usd_high": "high_usd",
    "price_per_gpu_hour_usd": "usd_gpu_h",
    "provider": "provider",
    "instance_type": "instance",
    "source": "source",
    "price_date": "price_date",
    "region": "region",
}
CELL = 24  # instance names are cut to this in the headline (the full name: --json, or gpucost prices --gpu)
SERVING_COLUMNS = {
    "model": "model",
    "gpu_model": "gpu",
    "precision": "prec",
    "replica_gpus": "gpus",
    "cost_per_million_input_tokens_usd": "in_usd_1m",
    "cost_per_million_output_tokens_usd": "out_usd_1m",
    "cost_per_million_tokens_blended_usd": "blend_usd_1m",
    "provider": "provider",
    "instance_type": "instance",
}


def _say(text: str = "") -> None:
    print(wrap(text), flush=True)


class Progress:
    """Lines as the run goes: each source when it finishes, each recompute round with a bar (stderr, a terminal
    only); silent when disabled (--quiet, --json, --csv)."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.shows_bars = enabled and sys.stderr.isatty()
        self.bar = None
        self.started = time.monotonic()

    def start(self, warehouse: str, *, offline: bool) -> None:
        if not self.enabled:
            return
        where = " (offline: bundled snapshots only)" if offline else ""
        _say(f"gpucost: warehouse {warehouse}{where}")
        _say(
            "Ingest: every source at once, each within its deadline; one that fails keeps its last good data"
            + ("" if offline else " (a first run with no data starts from the snapshot bundled in the repo)")
            + ". Each source as it finishes (+ seconds since the start):"
        )

    def source(self, outcome) -> None:
        """One ingest outcome (assets.ingest.IngestOutcome), as one line."""
        if not self.enabled:
            return
        name = outcome.source.name
        if outcome.skipped:
            line = f"  {name:<24} skipped  {outcome.skipped}"
        elif outcome.failed:
            line = f"  {name:<24} failed   +{outcome.seconds:5.1f} s  {_first_line(outcome.error, name)}"
        else:
            result = outcome.result
            rows = f"{result.frame.height:,} rows"
            origin = "" if result.origin == "live" else f"  ({result.origin.replace(':', ' of ')})"
            line = f"  {name:<24} {result.status:<8} +{outcome.seconds:5.1f} s  {rows:>12}{origin}"
        _say(line[: max(terminal_width(), 40)])

    def round(self, what: str, keys) -> None:
        if not self.enabled or what == "ingest":
            return
        self.close()
        names = sorted(k.to_user_string() for k in keys)
        shown = ", ".join(names[:4]) + (f", and {len(names) - 4} more" if len(names) > 4 else "")
        _say(f"{what.capitalize()}: {len(names)} asset(s) whose inputs changed: {shown}")
        if self.shows_bars:
            from tqdm import tqdm

            self.bar = tqdm(total=len(names), desc=what, unit="asset", leave=False, file=sys.stderr)

    def asset_done(self, key) -> None:
        if self.bar is not None:
            self.bar.set_postfix_str(key.to_user_string(), refresh=False)
            self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def _first_line(message: str | None, name: str) -> str:
    text = (message or "failed").strip().splitlines()[0]
    return text.removeprefix(f"{name}: ")


def _headline(headline: pl.DataFrame, columns: dict[str, str]) -> pl.DataFrame:
    return headline.select([pl.col(c).alias(h) for c, h in columns.items() if c in headline.columns])


def freshness(status: pl.DataFrame, intervals: dict[str, int]) -> pl.DataFrame:
    """Per source: how old its data is, the age it may reach (its publishing interval + 1 day), and whether it is
    past it."""
    allowed = pl.col("source").replace_strict(intervals, default=None, return_dtype=pl.Int64)
    return status.with_columns(allowed.alias("allowed_age_days")).with_columns(
        (pl.col("data_age_days").is_null() | (pl.col("data_age_days") > pl.col("allowed_age_days"))).alias(
            "past_interval"
        )
    )


def read_summary() -> dict[str, pl.DataFrame]:
    from assets.costs.headline import HEADLINE_MODEL
    from assets.sources import SOURCES
    from pipeline.commands import reader
    from warehouse import costs, queries

    with reader() as con:
        frames = {
            "training": costs.headline_training(con, HEADLINE_MODEL),
            "serving": costs.headline_serving(con),
            "sources": queries.source_status(con, [s.name for s in SOURCES]),
        }
    frames["sources"] = freshness(frames["sources"], {s.name: s.expected_interval.days + 1 for s in SOURCES})
    return frames


def print_summary(summary, code: int, *, strict: bool, report_hint: str) -> None:
    from assets.costs.headline import HEADLINE_MODEL

    frames = read_summary()
    width = terminal_width()
    training, serving, sources = frames["training"], frames["serving"], frames["sources"]
    if training.height:
        first = training.row(0, named=True)
        band = f"{first['mfu_low']:.2f}-{first['mfu_high']:.2f}"
        _say(
            f"\n{HEADLINE_MODEL}, one training run (300B tokens) on the cheapest on-demand offer per GPU model that "
            f"can train it (whole nodes with a cluster fabric, or TPU slices); utilization {first['mfu']:.2f} "
            f"(band {band}, from published runs):\n"
        )
        print(format_table(_headline(training, HEADLINE_COLUMNS), width, CELL))
    else:
        _say(f"\nNo GPU model has both a price that can train {HEADLINE_MODEL} and a dense peak yet.")
    if serving.height:
        first = serving.row(0, named=True)
        _say(
            f"\nServing, the cheapest on-demand way per reference model ({first['input_tokens']:,.0f} input + "
            f"{first['output_tokens']:,.0f} output tokens per query, at least "
            f"{first['target_tokens_per_second_per_user']:g} tokens/s per user), $ per 1M tokens:\n"
        )
        print(format_table(_headline(serving, SERVING_COLUMNS), width, CELL))
    _say("\n" + freshness_text(sources))
    _say(report_hint)
    _say(outcome_text(summary, code, strict))


def freshness_text(sources: pl.DataFrame) -> str:
    """Every source's data age, in a few lines: how many are live today, and each one past its interval."""
    live = sources.filter((pl.col("last_status") == "live") & ~pl.col("past_interval"))
    lines = [f"Data age: {live.height} of {sources.height} sources live and within their publishing interval."]
    old = sources.filter(pl.col("past_interval") | (pl.col("last_status") != "live")).sort(
        "data_age_days", descending=True, nulls_last=True
    )
    snapshot = old.filter(pl.col("data_origin").str.starts_with("snapshot"))
    if snapshot.height:
        ages = snapshot["data_age_days"]
        lines.append(
            f"  {snapshot.height} hold only the snapshot bundled in the repo, {ages.min():,}-{ages.max():,} days old "
            "(run without --offline, where the network is reachable, to refresh them)."
        )
    for row in old.filter(~pl.col("data_origin").str.starts_with("snapshot").fill_null(False)).iter_rows(named=True):
        age = "no data" if row["data_age_days"] is None else f"data {row['data_age_days']:,} days old"
        allowed = format_value("allowed_age_days", row["allowed_age_days"])
        lines.append(f"  {row['source']}: {age} (allowed {allowed}); last attempt {row['last_status']}")
    past = old.filter(pl.col("past_interval"))
    if past.height:
        lines.append(
            f"  Warning: {past.height} source(s) are past their publishing interval: the figures above use "
            "their last good data."
        )
    return "\n".join(lines)


def outcome_text(summary, code: int, strict: bool) -> str:
    """What failed, in full (each source's or reference file's own message), and what the exit status means."""
    lines = []
    for name, message in summary.failed_ingest.items():
        lines.append(f"Failed: {name}: {_first_line(message, name)} (its last good data was kept)")
    failed_checks = sorted(name for name, passed in summary.checks.items() if not passed)
    stale = [name for name in failed_checks if name.endswith("_fresh")]
    others = [name for name in failed_checks if not name.endswith("_fresh")]
    if stale:
        lines.append(f"Freshness checks that did not pass: {len(stale)} (the sources past their interval above).")
    if others:
        lines.append(f"Checks that did not pass: {', '.join(others)} (details: `make ui`, or the asset's checks tab).")
    for step, message in summary.failed_downstream.items():
        lines.append(f"Failed: {step}: {message}")
    if summary.failed_ingest and code == 0:
        lines.append(
            "The ingest run shows as failed in the Dagster UI because a source or reference file failed; the costs "
            "above were computed from the last good data, so this command exits 0 (--strict: exit 1)."
        )
    return "\n" + "\n".join(lines) if lines else ""


def summary_json(summary, code: int) -> str:
    frames = read_summary()
    return to_json(
        {
            "exit_status": code,
            "materialized": summary.materialized,
            "failed_sources": summary.failed_ingest,
            "failed_steps": summary.failed_downstream,
            "checks": summary.checks,
            "runs": [{"run_id": r, "what": w, "success": s} for r, w, s in summary.runs],
            "headline_training": frames["training"].to_dicts(),
            "headline_serving": frames["serving"].to_dicts(),
            "sources": frames["sources"].to_dicts(),
        }
    )


def summary_rows(summary) -> str:
    """The headline as CSV (every column)."""
    training = read_summary()["training"]
    return to_csv(training.columns, training.rows())

"""The `gpucost` command line."""

from __future__ import annotations

import argparse
import json
import os
import sys

from pipeline.commands import UsageError, one_line_errors, reader, register_all
from pipeline.display import format_rows, format_table
from pipeline.home import ensure_dagster_home, project_dir


def cmd_run(args) -> int:
    import dagster as dg

    from pipeline.environment import unknown_url_settings
    from pipeline.resources import build_resources
    from pipeline.run import config_override, run_pipeline

    if args.mfu is not None and not 0 < args.mfu <= 1:
        raise UsageError(f"--mfu must be in (0, 1], got {args.mfu}")
    ensure_dagster_home()
    for problem in unknown_url_settings():
        print(f"gpucost: warning: {problem}", file=sys.stderr)
    resources = build_resources(offline=args.offline or None)
    run_config = config_override("mfu", args.mfu) if args.mfu is not None else None
    print(
        "gpucost: warehouse "
        f"{resources['warehouse'].path}{' (offline: bundled snapshots only)' if args.offline else ''}",
        flush=True,
    )
    if not args.offline:
        print(
            "gpucost: fetching every source live; one that cannot be reached keeps its last good data "
            "(or, on a first run, starts from the snapshot bundled in the repo)...",
            flush=True,
        )
    summary = run_pipeline(
        force=args.force,
        resources=resources,
        instance=dg.DagsterInstance.get(),
        run_config=run_config,
        log_level="DEBUG" if args.verbose else "CRITICAL",
    )
    print_report()
    if summary.failed_ingest:
        print(f"\nFailed steps: {', '.join(summary.failed_ingest)} (the warehouse kept their last good data).")
    failed_checks = sorted(name for name, passed in summary.checks.items() if not passed)
    if failed_checks:
        print(f"\nChecks that did not pass: {', '.join(failed_checks)} (details in the Dagster UI, `make ui`).")
    if not summary.costs_ok:
        for step, message in summary.failed_downstream.items():
            print(f"\nFailed: {step}: {message}", file=sys.stderr)
        return 1
    return 1 if args.strict and summary.failed_ingest else 0


def print_report() -> None:
    import polars as pl

    from assets.costs.headline import HEADLINE_MODEL
    from assets.sources import SOURCES
    from warehouse import costs, queries

    with reader() as con:
        headline = costs.headline_training(con, HEADLINE_MODEL)
        serving = costs.headline_serving(con)
        status = queries.source_status(con, [s.name for s in SOURCES])
    if headline.height:
        first = headline.row(0, named=True)
        mfu = f"MFU {first['mfu']:.2f}, band {first['mfu_low']:.2f}-{first['mfu_high']:.2f}"
    else:
        mfu = "no GPU model has both a price and a dense peak yet"
    print(
        f"\nCheapest on-demand offer per GPU model that can train {HEADLINE_MODEL} (whole nodes with a cluster fabric, "
        f"or TPU slices), and one run on it (300B tokens, 6ND + attention FLOPs; {mfu}, end to end, from "
        "published runs; low/high = at the band's high/low end):\n"
    )
    print(
        format_table(
            headline.select(
                "gpu_model",
                "price_per_gpu_hour_usd",
                "provider",
                "region",
                "instance_type",
                "interconnect",
                "origin",
                pl.col("gpu_hours").round(0),
                pl.col("cloud_cost_usd").alias("gpt3_training_usd"),
                pl.col("cloud_cost_usd_low").alias("low_usd"),
                pl.col("cloud_cost_usd_high").alias("high_usd"),
            ),
        )
    )
    if serving.height:
        first = serving.row(0, named=True)
        print(
            f"\nServing, cheapest on-demand way per reference model ({first['input_tokens']:,.0f} input + "
            f"{first['output_tokens']:,.0f} output tokens per query, at least "
            f"{first['target_tokens_per_second_per_user']:g} tokens/s per user; $ per 1M tokens):\n"
        )
        print(
            format_table(
                serving.select(
                    "model",
                    "gpu_model",
                    "precision",
                    "provider",
                    "instance_type",
                    pl.col("replica_gpus").alias("gpus"),
                    pl.col("cost_per_million_input_tokens_usd").round(3).alias("usd_per_1m_input"),
                    pl.col("cost_per_million_output_tokens_usd").round(3).alias("usd_per_1m_output"),
                    pl.col("cost_per_million_tokens_blended_usd").round(3).alias("usd_per_1m_blended"),
                ),
            )
        )
    live = status.filter(pl.col("last_status") == "live").height
    print(f"\nSources: {live} live, {status.height - live} not (stale data is kept and marked):\n")
    print(
        format_table(
            status.select(
                "source",
                "last_status",
                "data_origin",
                "data_snapshot_date",
                "data_age_days",
                "row_count",
                "stale",
            )
        )
    )
    not_live = status.filter(pl.col("last_status") != "live")
    offline = not_live.filter(pl.col("last_message").str.contains("offline mode"))
    if offline.height:
        print(
            f"  {offline.height} source(s) read from the bundled snapshots (offline mode): "
            + ", ".join(offline["source"])
        )
    for row in not_live.filter(~pl.col("last_message").str.contains("offline mode")).iter_rows(named=True):
        print(f"  {row['last_message']}")


def cmd_sql(args) -> int:
    import duckdb

    from warehouse import queries

    try:
        with reader() as con:
            columns, rows = queries.read_only_rows(con, args.query)
    except duckdb.PermissionException as exc:
        raise UsageError(
            "read-only, and reads nothing but the warehouse: "
            + str(exc).splitlines()[0].removeprefix("Permission Error: ")
        ) from exc
    except duckdb.Error as exc:
        raise UsageError(f"query failed: {str(exc).splitlines()[0]}") from exc
    except (queries.NoResultSet, queries.WriteRefused) as exc:
        raise UsageError(str(exc)) from exc
    if args.json:
        print(json.dumps([dict(zip(columns, row)) for row in rows], default=str, indent=2))
    else:
        print(format_rows(columns, rows))
    return 0


def cmd_ui(args) -> int:
    home = ensure_dagster_home()
    print(
        f"gpucost: Dagster UI on http://{args.host}:{args.port} (DAGSTER_HOME={home}); schedule and automation sensor "
        "start RUNNING",
        flush=True,
    )
    workspace = project_dir() / "workspace.yaml"
    target = ["-w", str(workspace)] if workspace.exists() else ["-m", "pipeline.definitions"]
    command = ["dagster", "dev", *target, "-h", args.host, "-p", str(args.port)]
    executable = os.path.join(os.path.dirname(sys.executable), "dagster")
    os.execv(executable, command)
    return 0  # not reached


def cmd_validate(args) -> int:
    import dagster as dg

    from pipeline.definitions import defs

    dg.Definitions.validate_loadable(defs)
    graph = defs.resolve_asset_graph()
    print(
        f"gpucost: definitions valid: {len(list(graph.get_all_asset_keys()))} assets, "
        f"{len(list(defs.resolve_all_job_defs()))} jobs, schedules and sensors load."
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = one_line_errors(
        argparse.ArgumentParser(prog="gpucost", description="What does it cost, today, to train or serve an AI model?")
    )
    sub = parser.add_subparsers(dest="command", required=True)

    run = one_line_errors(sub.add_parser("run", help="materialize everything in-process and print the headline table"))
    run.add_argument("--offline", action="store_true", help="use the bundled snapshots, never the network")
    run.add_argument(
        "--mfu",
        type=float,
        help="model FLOPs utilization for every cost mart that assumes one (training_costs, model_validation, "
        "inference_costs; "
        "default: derived from published training runs). A run-level override: it holds for this run only, and the "
        "next automatic recompute "
        "(schedule or automation sensor) uses the default again",
    )
    run.add_argument("--verbose", action="store_true", help="show Dagster's full event log on the console")
    run.add_argument("--force", action="store_true", help="recompute every asset, not only those whose inputs changed")
    run.add_argument("--strict", action="store_true", help="exit 1 if any source failed, even when costs were computed")
    run.set_defaults(func=cmd_run)

    sql = one_line_errors(sub.add_parser("sql", help="run a read-only SQL query on the warehouse"))
    sql.add_argument("query")
    sql.add_argument("--json", action="store_true", help="print rows as JSON")
    sql.set_defaults(func=cmd_sql)

    ui = one_line_errors(sub.add_parser("ui", help="start the Dagster UI and daemon (what `make ui` runs)"))
    ui.add_argument("--host", default="127.0.0.1")
    ui.add_argument("--port", type=int, default=3000)
    ui.set_defaults(func=cmd_ui)

    validate = one_line_errors(sub.add_parser("validate", help="load and validate the Dagster definitions"))
    validate.set_defaults(func=cmd_validate)

    register_all(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except UsageError as exc:
        print(f"gpucost: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # a known failure mode deserves one line, not a traceback
        from warehouse import WarehouseBusy, WarehouseMissing

        if isinstance(exc, (WarehouseBusy, WarehouseMissing)):
            print(f"gpucost: {exc}", file=sys.stderr)
            return 2
        raise


if __name__ == "__main__":
    sys.exit(main())

"""`gpucost run`: fetch every source, recompute what changed, and print the headline (or JSON / CSV)."""

from __future__ import annotations

import sys

from pipeline.commands import UsageError, add_output_flags, subcommand

DESCRIPTION = """\
Fetch every price and energy source at once (each within its deadline), reload edited reference
files, then recompute only the assets whose inputs changed, in-process, recorded in the Dagster
instance (.dagster_home/). A source that cannot be reached keeps its last good data and is marked
stale; on a first run with no data it starts from the snapshot bundled in the repo."""

EXAMPLES = """\
gpucost run                   live where reachable; prints each source as it finishes, then the headline
gpucost run --offline         bundled snapshots only, never the network
gpucost run --mfu 0.45        one run at another utilization (the next automatic recompute uses the default)
gpucost run --quiet --json    the run's summary, the headline and every source's freshness as JSON
"""

REPORT_HINT = "Charts of all of this: `gpucost report --open` (data/report.html)."


def publish_if_changed(database: str, *, changed: bool) -> None:
    """Publish the read copy readers open, when the run wrote the warehouse (or no copy exists yet)."""
    import warehouse
    from pipeline.home import read_copy_path

    if changed or not read_copy_path().exists():
        warehouse.publish_read_copy(database, read_copy_path())


def cmd_run(args) -> int:
    import dagster as dg

    from pipeline.commands.run_output import Progress, print_summary, summary_json, summary_rows
    from pipeline.environment import unknown_url_settings
    from pipeline.home import ensure_dagster_home
    from pipeline.resources import build_resources
    from pipeline.run import Stopped, config_override, run_pipeline, stop_on_signals
    from pipeline.runlock import WarehouseBusy

    if args.mfu is not None and not 0 < args.mfu <= 1:
        raise UsageError(f"--mfu must be in (0, 1], got {args.mfu}")
    machine = args.json or args.csv
    quiet = args.quiet or machine
    ensure_dagster_home()
    for problem in unknown_url_settings():
        print(f"gpucost: warning: {problem}", file=sys.stderr)
    resources = build_resources(offline=args.offline or None)
    progress = Progress(enabled=not quiet)
    progress.start(resources["warehouse"].path, offline=resources["ingest"].offline)
    instance = dg.DagsterInstance.get()

    def note(line: str) -> None:  # waits and freed slots go to stderr, even with --quiet or --json
        print(f"gpucost run: {line}", file=sys.stderr, flush=True)

    try:
        with stop_on_signals(instance, on_note=note) as stop:
            summary = run_pipeline(
                force=args.force,
                resources=resources,
                instance=instance,
                run_config=config_override("mfu", args.mfu) if args.mfu is not None else None,
                log_level="DEBUG" if args.verbose else "CRITICAL",
                on_round=progress.round,
                on_source=progress.source,
                on_asset=progress.asset_done if progress.shows_bars else None,
                on_note=note,
                stop=stop,
            )
    except Stopped as stopped:
        progress.close()
        note(f"stopped by {stopped}: the run was canceled; the warehouse keeps every write that completed")
        return stopped.exit_code
    except WarehouseBusy as busy:
        progress.close()
        note(str(busy))
        return 75  # EX_TEMPFAIL: try again later
    progress.close()
    publish_if_changed(resources["warehouse"].path, changed=bool(summary.materialized))
    code = 1 if not summary.costs_ok or (args.strict and summary.failed_ingest) else 0
    if args.json:
        print(summary_json(summary, code))
    elif args.csv:
        print(summary_rows(summary))
    else:
        print_summary(summary, code, strict=args.strict, report_hint=REPORT_HINT)
    return code


def register(subparsers, name: str) -> None:
    run = subcommand(
        subparsers, name, "fetch every source, recompute what changed, print the headline", DESCRIPTION, EXAMPLES
    )
    run.add_argument("--offline", action="store_true", help="use the bundled snapshots, never the network")
    run.add_argument(
        "--mfu",
        type=float,
        help="model FLOPs utilization for every cost mart that assumes one (training_costs, model_validation, "
        "inference_costs; default: derived from published training runs). A run-level override: it holds for this "
        "run only, and the next automatic recompute (schedule or automation sensor) uses the default again",
    )
    run.add_argument("--force", action="store_true", help="recompute every asset, not only those whose inputs changed")
    run.add_argument("--strict", action="store_true", help="exit 1 if any source failed, even when costs were computed")
    run.add_argument("--quiet", action="store_true", help="no progress lines, only the summary at the end")
    run.add_argument("--verbose", action="store_true", help="show Dagster's full event log on the console")
    add_output_flags(run)
    run.set_defaults(func=cmd_run)

"""`gpucost ui` (the Dagster UI and daemon) and `gpucost validate` (the definitions load)."""

from __future__ import annotations

import os
import sys

from pipeline.commands import subcommand
from pipeline.home import ensure_dagster_home, project_dir


def ui_commands(host: str, port: int) -> dict[str, list[str]]:
    """The webserver and the daemon, as two processes a supervisor keeps up (not `dagster dev`, which dies with its
    daemon)."""
    workspace = project_dir() / "workspace.yaml"
    target = ["-w", str(workspace)] if workspace.exists() else ["-m", "pipeline.definitions"]
    bin_dir = os.path.dirname(sys.executable)
    return {
        "Dagster webserver": [os.path.join(bin_dir, "dagster-webserver"), *target, "-h", host, "-p", str(port)],
        "Dagster daemon": [os.path.join(bin_dir, "dagster-daemon"), "run", *target],
    }


def cmd_ui(args) -> int:
    from pipeline.supervise import Supervisor

    home = ensure_dagster_home()
    print(
        f"gpucost: Dagster UI on http://{args.host}:{args.port} (DAGSTER_HOME={home}); schedule and automation sensor "
        "start RUNNING. The webserver and the daemon are supervised: one that exits is restarted, and this says so.",
        flush=True,
    )
    return Supervisor(ui_commands(args.host, args.port)).run()


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


def register(subparsers, name: str) -> None:
    if name == "validate":
        parser = subcommand(
            subparsers,
            name,
            "load and validate the Dagster definitions",
            "Load every asset, check, job, schedule and sensor the way the UI does, and say how many there are.",
            "gpucost validate",
        )
        parser.set_defaults(func=cmd_validate)
        return
    parser = subcommand(
        subparsers,
        name,
        "start the Dagster UI and daemon (what `make ui` runs)",
        "Serve the Dagster UI (lineage from a headline cost back to the price rows, runs, checks) and run the daemon "
        "that fires the daily schedule and the automation sensor.",
        "gpucost ui\ngpucost ui --port 3001\nmake ui PORT=3001",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=3000, help="port (default 3000)")
    parser.set_defaults(func=cmd_ui)

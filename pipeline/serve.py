"""`make serve`: the Dagster webserver and daemon as two processes against the shared instance (deploy/dagster.yaml).

    python -m pipeline.serve [--home DIR] [--host 127.0.0.1] [--port 3000]

The same as running, with DAGSTER_HOME holding deploy/dagster.yaml,
    dagster-daemon run -w workspace.yaml
    dagster-webserver -w workspace.yaml -h HOST -p PORT
as two services (systemd units, containers). This wrapper only starts both, stops both on SIGTERM/SIGINT, and
stops the other when one dies, so a half-up deployment never lingers. It imports no Dagster.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from pipeline.home import project_dir

PG_SETTINGS = ("DAGSTER_PG_HOST", "DAGSTER_PG_PORT", "DAGSTER_PG_USERNAME", "DAGSTER_PG_PASSWORD", "DAGSTER_PG_DB")


def prepare_home(home: Path) -> Path:
    """A DAGSTER_HOME whose dagster.yaml is the repository's deploy/dagster.yaml (linked, so edits apply)."""
    home = home.resolve()
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.symlink_to(project_dir() / "deploy" / "dagster.yaml")
    nux = home / ".nux" / "nux.yaml"
    nux.parent.mkdir(exist_ok=True)
    nux.write_text("seen: 1\n")
    return home


def commands(host: str, port: int) -> dict[str, list[str]]:
    bin_dir = Path(sys.executable).parent
    workspace = str(project_dir() / "workspace.yaml")
    return {
        "daemon": [str(bin_dir / "dagster-daemon"), "run", "-w", workspace],
        "webserver": [str(bin_dir / "dagster-webserver"), "-w", workspace, "-h", host, "-p", str(port)],
    }


def _default_signals() -> None:
    # a shell's `cmd &` leaves SIGINT ignored, and Dagster stops on SIGINT/SIGTERM: give the children the default
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.serve", description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", default=str(project_dir() / ".dagster_home_team"), help="DAGSTER_HOME to use")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=3000)
    args = parser.parse_args(argv)
    missing = [name for name in PG_SETTINGS if name not in os.environ]
    if missing:
        print(f"serve: set {', '.join(missing)} (the PostgreSQL that deploy/dagster.yaml uses)", file=sys.stderr)
        return 2
    env = {**os.environ, "DAGSTER_HOME": str(prepare_home(Path(args.home)))}
    children = {
        name: subprocess.Popen(argv, env=env, cwd=project_dir(), preexec_fn=_default_signals)
        for name, argv in commands(args.host, args.port).items()
    }
    print(
        f"serve: daemon pid {children['daemon'].pid}, webserver pid {children['webserver'].pid} on "
        f"http://{args.host}:{args.port} (DAGSTER_HOME={env['DAGSTER_HOME']})",
        flush=True,
    )
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    signal.signal(signal.SIGINT, lambda *_: stopping.append(True))
    code = 0
    while not stopping:
        died = [name for name, child in children.items() if child.poll() is not None]
        if died:
            print(f"serve: {died[0]} exited ({children[died[0]].returncode}); stopping the rest", file=sys.stderr)
            code = 1
            break
        time.sleep(0.5)
    for child in children.values():
        if child.poll() is None:
            child.terminate()
    for child in children.values():
        try:
            child.wait(timeout=30)
        except subprocess.TimeoutExpired:
            child.kill()
    return code


if __name__ == "__main__":
    sys.exit(main())

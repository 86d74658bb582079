"""`make ui` survives its daemon: the supervisor restarts a process that exits, says so, and stops them all on SIGTERM.

Real processes (sleepers standing in for the webserver and the daemon, which take 10-20 s to start), real signals.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from pipeline.runlock import pid_alive

ROOT = Path(__file__).resolve().parents[1]
SLEEPER = [sys.executable, "-c", "import time; time.sleep(600)"]


def _supervise(tmp_path: Path, commands: dict, **options) -> tuple[subprocess.Popen, Path]:
    log = tmp_path / "supervisor.log"
    code = (
        "import sys; from pipeline.supervise import Supervisor\n"
        f"sys.exit(Supervisor({commands!r}, poll_s=0.1, **{options!r}).run())"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stderr=log.open("w"))
    return proc, log


def _pids(log: Path, name: str, count: int, timeout: float = 15.0) -> list[int]:
    deadline = time.monotonic() + timeout
    while True:
        found = [int(p) for p in re.findall(rf"started the {name} \(pid (\d+)\)", log.read_text())]
        if len(found) >= count:
            return found
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.05)


def test_a_killed_daemon_is_restarted_and_said_so_while_the_webserver_stays_up(tmp_path):
    proc, log = _supervise(tmp_path, {"webserver": SLEEPER, "daemon": SLEEPER})
    try:
        [web] = _pids(log, "webserver", 1)
        [daemon] = _pids(log, "daemon", 1)
        os.kill(daemon, signal.SIGKILL)
        second = _pids(log, "daemon", 2)[1]
        assert second != daemon and pid_alive(second) and pid_alive(web)
        assert "gpucost ui: the daemon exited (code -9); restarting it (restart 1)" in log.read_text()
        sent = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0 and time.monotonic() - sent < 5
        time.sleep(0.2)
        assert not pid_alive(web) and not pid_alive(second)  # nothing left behind
    finally:
        proc.kill()


def test_a_process_that_keeps_dying_is_given_up_on_loudly_and_the_other_stays_up(tmp_path):
    failing = [sys.executable, "-c", "raise SystemExit(3)"]
    proc, log = _supervise(tmp_path, {"webserver": SLEEPER, "daemon": failing}, max_restarts=2)
    try:
        [web] = _pids(log, "webserver", 1)
        deadline = time.monotonic() + 15
        while "not restarting it again" not in log.read_text():
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.05)
        assert "the daemon exited (code 3) 3 times within 60 s: not restarting it again" in log.read_text()
        assert pid_alive(web) and proc.poll() is None
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)


def test_make_ui_takes_a_port_and_gpucost_ui_supervises_webserver_and_daemon():
    from pipeline.commands.ui import ui_commands

    dry = subprocess.run(["make", "-n", "ui", "PORT=3001"], cwd=ROOT, capture_output=True, text=True, check=True)
    assert "gpucost ui --host 127.0.0.1 --port 3001" in dry.stdout
    commands = ui_commands("127.0.0.1", 3001)
    assert [Path(argv[0]).name for argv in commands.values()] == ["dagster-webserver", "dagster-daemon"]
    assert commands["Dagster webserver"][-4:] == ["-h", "127.0.0.1", "-p", "3001"]
    assert all(Path(argv[0]).exists() for argv in commands.values())

"""Keep a few long-running processes up: restart any that exits, say so, and stop them all on SIGTERM/SIGINT.

`dagster dev` shut the UI down with its daemon, silently. `gpucost ui` runs the webserver and the daemon
as two supervised processes instead: a daemon that dies is restarted (with a line saying so), and one
that keeps dying within seconds is given up on, loudly, while the UI stays up. No Dagster here.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

# A process that exits this often within the window is broken, not unlucky: stop restarting it.
MAX_RESTARTS = 5
RESTART_WINDOW_S = 60.0
STOP_TIMEOUT_S = 10.0


@dataclass
class Child:
    name: str
    argv: Sequence[str]
    process: subprocess.Popen | None = None
    restarts: list[float] = field(default_factory=list)
    given_up: bool = False


def _say(line: str) -> None:
    print(f"gpucost ui: {line}", file=sys.stderr, flush=True)


class Supervisor:
    """Start every command; restart one that exits (backing off), until stopped."""

    def __init__(
        self,
        commands: Mapping[str, Sequence[str]],
        *,
        say: Callable[[str], None] = _say,
        poll_s: float = 0.5,
        max_restarts: int = MAX_RESTARTS,
        window_s: float = RESTART_WINDOW_S,
    ):
        self.children = [Child(name, list(argv)) for name, argv in commands.items()]
        self.say = say
        self.poll_s = poll_s
        self.max_restarts = max_restarts
        self.window_s = window_s
        self.stopping = False

    def _start(self, child: Child) -> None:
        # same process group: a Ctrl-C or a kill of the group reaches the children too, never orphaning them
        child.process = subprocess.Popen(child.argv)
        self.say(f"started the {child.name} (pid {child.process.pid})")

    def _check(self, child: Child) -> None:
        if child.given_up or child.process is None or child.process.poll() is None:
            return
        code = child.process.returncode
        now = time.monotonic()
        child.restarts = [t for t in child.restarts if now - t < self.window_s] + [now]
        if len(child.restarts) > self.max_restarts:
            child.given_up = True
            self.say(
                f"the {child.name} exited (code {code}) {len(child.restarts)} times within {self.window_s:g} s: not "
                f"restarting it again; see its output above, fix the cause, then restart `make ui`"
            )
            return
        self.say(f"the {child.name} exited (code {code}); restarting it (restart {len(child.restarts)})")
        self._start(child)

    def stop(self, *_args) -> None:
        self.stopping = True

    def run(self) -> int:
        """Supervise until SIGTERM/SIGINT (or every child given up on); returns the exit code."""
        previous = {sig: signal.signal(sig, self.stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            for child in self.children:
                self._start(child)
            while not self.stopping:
                for child in self.children:
                    self._check(child)
                if all(child.given_up for child in self.children):
                    return 1
                time.sleep(self.poll_s)
            return 0
        finally:
            self.shutdown()
            for sig, old in previous.items():
                signal.signal(sig, old)

    def shutdown(self) -> None:
        """SIGTERM every child still running, then SIGKILL what is left after STOP_TIMEOUT_S."""
        running = [c.process for c in self.children if c.process is not None and c.process.poll() is None]
        for process in running:
            process.terminate()
        deadline = time.monotonic() + STOP_TIMEOUT_S
        for process in running:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

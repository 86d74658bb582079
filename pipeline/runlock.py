"""One `gpucost run` per warehouse at a time, held by an OS file lock the kernel releases when the process dies.

Dagster's pool slots are rows in the instance database: a run killed with SIGKILL never gives its slot
back, and the next run waited for it forever. An flock(2) on `<warehouse>.run.lock` cannot leak that way;
the file also says who holds it (pid, start time), so a waiting run can say for whom it waits.
No Dagster here.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import time
from collections.abc import Callable
from pathlib import Path

# How long a run waits for another run of the same warehouse before giving up (GPUCOST_RUN_WAIT_S).
DEFAULT_WAIT_S = 1800.0
POLL_S = 0.2


class WarehouseBusy(RuntimeError):
    """Another run held the warehouse for longer than this run was allowed to wait."""


def lock_path(warehouse: str | Path) -> Path:
    return Path(f"{warehouse}.run.lock")


def pid_alive(pid: int) -> bool:
    """Whether a process with this pid exists on this host (a zombie counts as dead: it holds no lock)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][:1] != "Z"
    except (OSError, IndexError):
        return True


def holder(path: Path) -> dict:
    """Who the lock file says holds it: {"pid", "started_at", ...}, or {} when it is empty or unreadable."""
    try:
        return json.loads(path.read_text() or "{}")
    except (OSError, ValueError):
        return {}


def describe(who: dict) -> str:
    if not who:
        return "another gpucost run"
    return f"gpucost run pid {who.get('pid')} (started {who.get('started_at', '?')})"


def wait_setting(environ=os.environ) -> float:
    value = environ.get("GPUCOST_RUN_WAIT_S")
    return float(value) if value else DEFAULT_WAIT_S


class RunLock:
    """Hold the warehouse's run lock: `with RunLock(path, on_wait=print):` waits (bounded) and says for whom, once."""

    def __init__(self, warehouse: str | Path, *, wait_s: float | None = None, on_wait: Callable[[str], None] = None):
        self.path = lock_path(warehouse)
        self.wait_s = wait_setting() if wait_s is None else wait_s
        self.on_wait = on_wait
        self._file = None

    def __enter__(self) -> RunLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+")  # noqa: SIM115 (held for the lifetime of the run)
        deadline = time.monotonic() + self.wait_s
        told = False
        try:
            while True:
                try:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    who = describe(holder(self.path))
                    if time.monotonic() >= deadline:
                        raise WarehouseBusy(
                            f"the warehouse is still in use by {who} after waiting {self.wait_s:g} s "
                            "(GPUCOST_RUN_WAIT_S); try again when it has finished"
                        ) from None
                    if not told and self.on_wait is not None:
                        self.on_wait(f"waiting for {who} to finish with {self.path.name.removesuffix('.run.lock')}")
                        told = True
                    time.sleep(POLL_S)
        except BaseException:
            handle.close()
            raise
        handle.seek(0)
        handle.truncate()
        started = dt.datetime.now().astimezone().isoformat(timespec="seconds")
        handle.write(json.dumps({"pid": os.getpid(), "started_at": started}))
        handle.flush()
        self._file = handle
        return self

    def __exit__(self, *exc) -> None:
        if self._file is not None:
            self._file.seek(0)
            self._file.truncate()
            self._file.close()  # closing the descriptor releases the lock
            self._file = None

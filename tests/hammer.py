"""A reader process that opens a warehouse file read-only over and over until told to stop, and counts what it saw.

    python -m tests.hammer FILE STOP_FILE RESULT_JSON [PAUSE_S] [probe]

Each read opens FILE with no wait at all (`wait_seconds=0`: a lock conflict is a failure, not a retry) and checks
the copy: schema at the newest migration, no slice whose row count differs from what meta.snapshots recorded
(half a write), and never fewer ingest attempts than the previous read saw (an older copy put back). Each
published copy is a new file (a new inode), so the inodes seen count the copies read. Imports no
Dagster, so it starts in a fraction of a second. `probe` only opens and closes (the control reader of the file
runs write: it must not hold that file longer than a moment). It stops by itself when its parent is gone.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from warehouse import WarehouseBusy, connect_reader
from warehouse.migrate import available_migrations
from warehouse.publish import state_summary


def main(path: str, stop: str, out: str, pause: float = 0.0, probe: bool = False) -> None:
    newest = available_migrations()[-1][0]
    seen = {"reads": 0, "busy": 0, "errors": [], "partial": [], "went_back": 0, "max_open_s": 0.0, "copies": set()}
    last, parent = -1, os.getppid()
    while not Path(stop).exists() and os.getppid() == parent:
        if not Path(path).exists():
            time.sleep(0.05)
            continue
        started = time.monotonic()
        try:
            inode = Path(path).stat().st_ino
            with connect_reader(path, wait_seconds=0) as con:
                state = None if probe else state_summary(con)
        except WarehouseBusy:
            seen["busy"] += 1
            continue
        except Exception as exc:  # anything else a reader could meet: a torn file, a missing table
            seen["errors"].append(f"{type(exc).__name__}: {str(exc)[:200]}")
            continue
        finally:
            seen["max_open_s"] = max(seen["max_open_s"], time.monotonic() - started)
            time.sleep(pause)
        seen["reads"] += 1
        if state is None:
            continue
        if state["schema_version"] != newest or state["bad_slices"]:
            seen["partial"].append(state)
        if state["source_runs"] < last:
            seen["went_back"] += 1
        last = state["source_runs"]
        seen["copies"].add(inode)
    seen["copies"] = sorted(seen["copies"])
    Path(out).write_text(json.dumps(seen))


if __name__ == "__main__":
    main(*sys.argv[1:4], float(sys.argv[4]) if len(sys.argv) > 4 else 0.0, sys.argv[5:6] == ["probe"])

"""The Dagster UI as a person sees it: `gpucost ui` serves the costs lineage, popup dismissed.

Needs Debian's chromium (`.ci/run` installs it). Starts the real webserver and daemon (two
supervised processes) on a free port with a temp DAGSTER_HOME.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from pipeline.cli import main

CHROMIUM = shutil.which("chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1600,4800",
    "--virtual-time-budget=15000",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def ui(tmp_path):
    assert main(["run", "--offline"]) == 0  # something to show: one materialization of everything
    port = free_port()
    log = open(tmp_path / "ui.log", "w")
    gpucost = str(Path(sys.executable).parent / "gpucost")
    proc = subprocess.Popen(
        [gpucost, "ui", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=os.environ.copy(),
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(url + "/server_info", timeout=2)
                break
            except OSError:
                assert proc.poll() is None, (tmp_path / "ui.log").read_text()[-2000:]
                time.sleep(1)
        else:
            pytest.fail("dagster dev did not answer within 120 s")
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium; .ci/run does)")
def test_costs_lineage_page_shows_the_assets(ui, tmp_path):
    page = f"{ui}/locations/gpucost/asset-groups/costs/lineage"
    profile = ["--user-data-dir=" + str(tmp_path / "chromium")]
    shot = tmp_path / "costs-lineage.png"
    subprocess.run(
        [CHROMIUM, *CHROMIUM_FLAGS, *profile, f"--screenshot={shot}", page], capture_output=True, timeout=90, check=True
    )
    assert shot.stat().st_size > 10_000
    dom = subprocess.run(
        [CHROMIUM, *CHROMIUM_FLAGS, *profile, "--dump-dom", page],
        capture_output=True,
        timeout=90,
        check=True,
        text=True,
    ).stdout
    # the group's own assets and the inputs they are drawn from (the graph is tall: a tall window shows it whole)
    for name in (
        "training_costs",
        "inference_costs",
        "scenario_costs",
        "model_validation",
        "inference_validation",
        "cost_exclusions",
        "gpu_prices",
        "gpu_specs",
        "energy_by_region",
    ):
        assert name in dom, name
    assert "Join the Dagster community" not in dom  # the first-visit popup was pre-dismissed

"""Rooms import what they need: sources, costmodel, warehouse and the CLI's read-only commands never load Dagster."""

import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("assets", "costmodel", "warehouse", "pipeline")
# Modules that are Dagster definitions or their building blocks: everything else must import without Dagster.
DAGSTER_MODULES = {
    "assets.automation",
    "assets.ingest_defs",
    "assets.metadata",
    "assets.resources",
    "pipeline.automation",
    "pipeline.definitions",
    "pipeline.jobs",
    "pipeline.publish",
    "pipeline.resources",
    "pipeline.run",
    "pipeline.schedules",
}


def dagster_free_modules() -> list[str]:
    names = []
    for package in PACKAGES:
        for info in pkgutil.walk_packages([str(ROOT / package)], prefix=f"{package}."):
            name = info.name
            leaf = name.rsplit(".", 1)[-1]
            if ".snapshots" in name or ".data" in name or name in DAGSTER_MODULES:
                continue
            if leaf == "defs" or leaf.endswith("_defs"):
                continue
            names.append(name)
    return sorted(names)


def run_python(code: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env={**os.environ, **(env or {})}
    )


def test_pure_modules_import_without_dagster():
    modules = dagster_free_modules()
    assert "assets.prices.aws" in modules and "costmodel.training" in modules and "pipeline.cli" in modules
    code = "import importlib, sys\n"
    code += "".join(f"importlib.import_module({m!r})\n" for m in modules)
    code += "loaded = sorted(m for m in sys.modules if m == 'dagster' or m.startswith('dagster.'))\nprint(loaded[:3])\n"
    result = run_python(code)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "[]", f"a pure module imported Dagster: {result.stdout}"


READ_ONLY = [
    ["--help"],
    ["sql", "select 1 as one"],
    ["sql", "--help"],
    ["prices"],
    ["prices", "--gpu", "H100"],
    ["energy"],
    ["estimate", "training", "--model", "GPT-3 175B", "--gpu", "H100"],
    ["estimate", "inference", "--model", "Llama 3.3 70B", "--gpu", "H100"],
    ["scenario", "--list"],
    ["scenario", "seed-gpt3-training"],
    ["report"],
    ["gpus"],
    ["models"],
    ["prices", "--gpus", "8", "--csv"],
    ["energy", "--region", "us-east-1"],
    ["run", "--help"],
    [],
]


@pytest.mark.parametrize("argv", READ_ONLY, ids=[" ".join(a) for a in READ_ONLY])
def test_read_only_commands_never_import_dagster(argv, offline_warehouse):
    code = (
        "import sys\nfrom pipeline.cli import main\n"
        f"try:\n    code = main({argv!r})\nexcept SystemExit as exit_:\n    code = exit_.code or 0\n"
        "print('EXIT', code, 'dagster' in sys.modules, file=sys.stderr)\n"
    )
    result = run_python(code, {"GPUCOST_DB": str(offline_warehouse)})
    last = result.stderr.strip().splitlines()[-1]
    assert last == f"EXIT {2 if not argv else 0} False", f"{argv}: {result.stderr[-1500:]}"  # no arguments: usage, 2

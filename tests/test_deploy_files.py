"""deploy/: what can be checked without Docker, Kubernetes or helm. The instance config validates against Dagster's
schema, the Helm values and the Dockerfile name settings, files, extras and modules that exist, and the code
location loads from exactly the files the Dockerfile copies."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
DEPLOY = ROOT / "deploy"


def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) per instruction, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n\s*", " ", (DEPLOY / "Dockerfile").read_text())
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


def env_names_read(*files: str) -> set[str]:
    """Environment variables the code reads (os.environ.get / os.environ[...])."""
    names = set()
    for file in files:
        names |= set(re.findall(r"os\.environ(?:\.get\(|\[)\"([A-Z_]+)\"", (ROOT / file).read_text()))
    return names


def test_the_shared_instance_config_validates_and_matches_the_single_user_one(tmp_path, monkeypatch):
    from dagster._core.instance.config import dagster_instance_config

    from pipeline.serve import PG_SETTINGS
    from tests.postgres import PostgresServer

    config = yaml.safe_load((DEPLOY / "dagster.yaml").read_text())
    pg = config["storage"]["postgres"]["postgres_db"]
    read = {value["env"] for value in pg.values() if isinstance(value, dict)}
    # the names the file reads are the ones `make serve` asks for and the test server provides
    assert read == set(PG_SETTINGS) == set(PostgresServer(tmp_path, 1).env)
    assert config["run_coordinator"]["class"] == "QueuedRunCoordinator"
    assert config["run_launcher"]["class"] == "DefaultRunLauncher"
    single = yaml.safe_load((ROOT / "dagster.yaml").read_text())
    for key in ("concurrency", "retention", "run_retries"):
        assert config[key] == single[key], key
    assert config["concurrency"]["pools"]["default_limit"] == 1
    assert config["run_monitoring"]["free_slots_after_run_end_seconds"] > 0
    # Dagster's own schema check of the file (it resolves the env vars, connects to nothing)
    shutil.copy(DEPLOY / "dagster.yaml", tmp_path / "dagster.yaml")
    for name in PG_SETTINGS:
        monkeypatch.setenv(name, "5432" if name.endswith("PORT") else "x")
    checked, _ = dagster_instance_config(str(tmp_path))
    assert checked["storage"]["postgres"]["postgres_db"]["scheme"] == "postgresql+psycopg2"


def test_the_helm_values_name_the_code_location_settings_and_pool_the_code_uses():
    from assets.resources import WAREHOUSE_POOL

    values = yaml.safe_load((DEPLOY / "helm" / "values.yaml").read_text())
    (deployment,) = values["dagster-user-deployments"]["deployments"]
    args = deployment["dagsterApiGrpcArgs"]
    assert args[args.index("-m") + 1] == PYPROJECT["tool"]["dagster"]["module_name"]
    assert deployment["image"]["tag"] == PYPROJECT["project"]["version"]
    env = {item["name"]: item["value"] for item in deployment["env"]}
    assert set(env) <= env_names_read("pipeline/home.py", "pipeline/resources.py"), set(env)
    mounts = {m["mountPath"] for m in deployment["volumeMounts"]}
    assert all(any(value.startswith(m + "/") for m in mounts) for value in env.values())
    launcher = values["runLauncher"]
    assert launcher["type"] == "K8sRunLauncher"
    assert launcher["config"]["k8sRunLauncher"]["volumeMounts"] == deployment["volumeMounts"]
    assert values["postgresql"]["enabled"] is False and values["postgresql"]["postgresqlHost"]
    daemon = values["dagsterDaemon"]
    shared = yaml.safe_load((DEPLOY / "dagster.yaml").read_text())
    assert daemon["runCoordinator"]["type"] == "QueuedRunCoordinator"
    assert (
        daemon["runCoordinator"]["config"]["queuedRunCoordinator"]["maxConcurrentRuns"]
        == shared["concurrency"]["runs"]["max_concurrent_runs"]
    )
    monitoring = daemon["runMonitoring"]
    assert (
        monitoring["enabled"]
        and monitoring["freeSlotsAfterRunEndSeconds"] == (shared["run_monitoring"]["free_slots_after_run_end_seconds"])
    )
    assert values["concurrency"]["pools"]["defaultLimit"] == 1 and WAREHOUSE_POOL == "warehouse"
    assert values["retention"]["schedule"]["purgeAfterDays"] == shared["retention"]["schedule"]["purge_after_days"]


def test_the_dockerfile_copies_files_that_exist_and_installs_extras_pyproject_defines():
    steps = dockerfile()
    assert steps[0][0] == "FROM" and steps[0][1].startswith("python:3.11")
    assert PYPROJECT["project"]["requires-python"] == ">=3.11,<3.12"
    copied = []
    for instruction, args in steps:
        if instruction == "COPY":
            *sources, _ = shlex.split(args)
            for source in sources:
                assert (ROOT / source).exists(), source
                copied.append(source)
    # every package setuptools installs is in the image
    for pattern in PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"]:
        assert pattern.rstrip("*") in copied, pattern
    assert "pyproject.toml" in copied and PYPROJECT["project"]["readme"] in copied
    (install,) = [args for instruction, args in steps if instruction == "RUN" and "pip install" in args]
    extras = re.search(r"'\.\[([\w,]+)\]'", install).group(1).split(",")
    optional = PYPROJECT["project"]["optional-dependencies"]
    assert set(extras) <= set(optional) and "dev" not in extras
    assert any(dep.startswith("dagster-postgres==") for extra in extras for dep in optional[extra])
    assert any(dep.startswith("dagster-k8s==") for extra in extras for dep in optional[extra])
    env = dict(re.findall(r"(\w+)=(\S+)", next(args for instruction, args in steps if instruction == "ENV")))
    assert set(env) - {k for k in env if k.startswith(("PYTHON", "PIP_"))} <= env_names_read("pipeline/home.py")
    (cmd,) = [args for instruction, args in steps if instruction == "CMD"]
    assert yaml.safe_load(cmd)[:3] == ["dagster", "api", "grpc"]
    assert PYPROJECT["tool"]["dagster"]["module_name"] in yaml.safe_load(cmd)


def test_the_code_location_loads_from_only_the_files_the_dockerfile_copies(tmp_path):
    """The COPY steps replayed into an empty directory, then the image's import: a file the image lacks fails here."""
    context = tmp_path / "opt" / "gpucost"
    context.mkdir(parents=True)
    for instruction, args in dockerfile():
        if instruction == "COPY":
            *sources, _ = shlex.split(args)
            for source in sources:
                src = ROOT / source
                if src.is_dir():
                    shutil.copytree(src, context / source, ignore=shutil.ignore_patterns("__pycache__"))
                else:
                    shutil.copy(src, context / source)
    code = (
        "import dagster as dg, pipeline, assets\n"
        "from pipeline.definitions import defs\n"
        "dg.Definitions.validate_loadable(defs)\n"
        "print(pipeline.__file__, assets.__file__, len(list(defs.assets)))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(context), "GPUCOST_DB": str(tmp_path / "data" / "warehouse.duckdb")}
    result = subprocess.run([sys.executable, "-c", code], cwd=context, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    pipeline_file, assets_file, count = result.stdout.split()
    assert pipeline_file.startswith(str(context)) and assets_file.startswith(str(context))
    assert int(count) > 10

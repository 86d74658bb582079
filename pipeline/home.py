"""Where gpucost keeps state: the warehouse file and a project-local DAGSTER_HOME."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def project_dir() -> Path:
    """The repository when running from a checkout (editable install), else the current directory."""
    return PROJECT_ROOT if (PROJECT_ROOT / "pyproject.toml").exists() else Path.cwd()


def warehouse_path() -> Path:
    """`GPUCOST_DB`, else data/warehouse.duckdb in the project, as an absolute path."""
    configured = os.environ.get("GPUCOST_DB")
    return Path(configured).resolve() if configured else project_dir() / "data" / "warehouse.duckdb"


def read_copy_path() -> Path:
    """`GPUCOST_READ_DB`, else warehouse.read.duckdb beside the warehouse: the file readers and BI tools open."""
    from warehouse.publish import default_read_copy

    configured = os.environ.get("GPUCOST_READ_DB")
    return Path(configured).resolve() if configured else default_read_copy(warehouse_path())


def readable_path() -> Path:
    """What a read-only command opens: the published read copy, else (before the first publish) the warehouse."""
    from warehouse.publish import readable

    return readable(warehouse_path(), read_copy_path())


def ensure_dagster_home() -> Path:
    """Point DAGSTER_HOME at .dagster_home/ (unless set), using the repo's dagster.yaml, UI popup pre-dismissed."""
    home = Path(os.environ.get("DAGSTER_HOME") or project_dir() / ".dagster_home").resolve()
    os.environ["DAGSTER_HOME"] = str(home)
    home.mkdir(parents=True, exist_ok=True)
    config, repo_config = home / "dagster.yaml", project_dir() / "dagster.yaml"
    if repo_config.exists() and not config.exists():
        config.symlink_to(repo_config)
    nux = home / ".nux" / "nux.yaml"
    if not nux.exists():
        nux.parent.mkdir(exist_ok=True)
        nux.write_text("seen: 1\n")
    return home

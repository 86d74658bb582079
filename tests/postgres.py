"""A throwaway PostgreSQL server for tests: initdb into a temp dir, listen on a free loopback port, stop, delete.

Real PostgreSQL (Debian's `postgresql` package, which `.ci/run` installs), never a mock. PostgreSQL refuses to
run as root, so as root the server runs as `nobody`, in a data directory that user owns.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

UNPRIVILEGED = "nobody"


def pg_bin(name: str) -> str | None:
    """A PostgreSQL server binary: Debian keeps them in /usr/lib/postgresql/<major>/bin, off PATH."""
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(p.split("/")[4]))
    return found[-1] if found else shutil.which(name)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class PostgresServer:
    data_dir: Path
    port: int
    username: str = "gpucost"
    password: str = "gpucost-test"
    db_name: str = "dagster"

    @property
    def env(self) -> dict[str, str]:
        """The settings deploy/dagster.yaml reads."""
        return {
            "DAGSTER_PG_HOST": "127.0.0.1",
            "DAGSTER_PG_PORT": str(self.port),
            "DAGSTER_PG_USERNAME": self.username,
            "DAGSTER_PG_PASSWORD": self.password,
            "DAGSTER_PG_DB": self.db_name,
        }


def _as_server_user(argv: list[str]) -> list[str]:
    return ["runuser", "-u", UNPRIVILEGED, "--", *argv] if os.geteuid() == 0 else argv


def _run(argv: list[str], what: str) -> None:
    result = subprocess.run(_as_server_user(argv), capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise RuntimeError(f"{what} failed ({result.returncode}): {result.stderr.strip() or result.stdout.strip()}")


def start_postgres() -> PostgresServer:
    """initdb (password auth, scram) into a fresh temp dir and start the server on a free loopback port."""
    initdb, pg_ctl = pg_bin("initdb"), pg_bin("pg_ctl")
    if not initdb or not pg_ctl:
        raise RuntimeError("PostgreSQL is not installed: `apt-get install postgresql` (.ci/run does it)")
    # under /tmp, not pytest's tmp dir: that one is private to root, and the server user must reach its files
    root = Path(tempfile.mkdtemp(prefix="gpucost-pg-"))
    server = PostgresServer(data_dir=root / "data", port=free_port())
    (root / "pwfile").write_text(server.password + "\n")
    if os.geteuid() == 0:
        shutil.chown(root, UNPRIVILEGED)
        shutil.chown(root / "pwfile", UNPRIVILEGED)
    _run(
        [initdb, "-D", str(server.data_dir), "-U", server.username, f"--pwfile={root / 'pwfile'}"]
        + ["--auth=scram-sha-256", "--encoding=UTF8", "--locale=C.UTF-8"],
        "initdb",
    )
    options = f"-c listen_addresses=127.0.0.1 -p {server.port} -k {root} -c fsync=off -c max_connections=200"
    _run([pg_ctl, "-D", str(server.data_dir), "-o", options, "-l", str(root / "server.log"), "-w", "start"], "pg_ctl")
    createdb = pg_bin("createdb")
    env = {**os.environ, "PGPASSWORD": server.password}
    subprocess.run(
        [createdb, "-h", "127.0.0.1", "-p", str(server.port), "-U", server.username, server.db_name],
        check=True,
        env=env,
        timeout=60,
    )
    return server


def stop_postgres(server: PostgresServer) -> None:
    try:
        _run([pg_bin("pg_ctl"), "-D", str(server.data_dir), "-m", "fast", "-w", "stop"], "pg_ctl stop")
    finally:
        shutil.rmtree(server.data_dir.parent, ignore_errors=True)

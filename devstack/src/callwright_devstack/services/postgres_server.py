"""A real, throwaway PostgreSQL cluster for the database tier (Debian's postgresql package).

`CALLWRIGHT_TEST_POSTGRES_URL` points the tests at an existing server instead.
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg

from callwright_devstack.launch import Process, Service
from callwright_devstack.ports import free_tcp_port
from callwright_devstack.required import service_missing

_db_counter = itertools.count()


def _pg_bin(name: str) -> str | None:
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    return candidates[0] if candidates else shutil.which(name)


def _as_postgres(cmd: list[str]) -> list[str]:
    # PostgreSQL refuses to run as root; CI and these machines run as root.
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


@dataclass
class PostgresServer(Service):
    port: int = field(default_factory=free_tcp_port)
    _datadir: str | None = None
    _process: Process | None = None

    @staticmethod
    def available() -> bool:
        if _pg_bin("initdb") is None or _pg_bin("postgres") is None:
            return False
        if os.geteuid() == 0:
            return subprocess.run(["id", "postgres"], capture_output=True).returncode == 0
        return True

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{database}"

    def start(self, timeout: float = 90.0) -> None:
        initdb, postgres, pg_isready = _pg_bin("initdb"), _pg_bin("postgres"), _pg_bin("pg_isready")
        assert initdb and postgres and pg_isready
        self._datadir = tempfile.mkdtemp(prefix="callwright-pg-")
        if os.geteuid() == 0:
            shutil.chown(self._datadir, "postgres", "postgres")
        subprocess.run(
            _as_postgres(
                [initdb, "-D", self._datadir, "-U", "postgres", "--auth=trust", "-E", "UTF8"]
            ),
            check=True,
            capture_output=True,
        )
        self._process = Process(
            _as_postgres(
                [
                    postgres,
                    "-D",
                    self._datadir,
                    "-p",
                    str(self.port),
                    "-h",
                    "127.0.0.1",
                    "-k",
                    self._datadir,
                    "-c",
                    "fsync=off",
                    "-c",
                    "max_connections=200",
                ]
            ),
            log_path=Path(self._datadir) / "postgres.log",
        )
        self._process.start()

        def ready() -> bool:
            check = [pg_isready, "-h", "127.0.0.1", "-p", str(self.port)]
            return subprocess.run(check, capture_output=True).returncode == 0

        self._process.wait_ready(ready, within=timeout, what="postgres", poll=0.2)

    def stop(self) -> None:
        if self._process is not None:
            self._process.stop()
        if self._datadir:
            shutil.rmtree(self._datadir, ignore_errors=True)


@contextmanager
def running_postgres() -> Iterator[PostgresServer]:
    """A throwaway PostgreSQL cluster of a fixture's own."""
    if not PostgresServer.available():
        service_missing("PostgreSQL (apt-get install postgresql)")
    with PostgresServer() as server:
        yield server


async def fresh_postgres_url(server: PostgresServer) -> str:
    """A new, empty database on `server` (not migrated)."""
    name = f"callwright_test_{next(_db_counter)}"
    conn = await asyncpg.connect(host="127.0.0.1", port=server.port, user="postgres")
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return server.url(name)

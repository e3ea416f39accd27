"""A real, throwaway PostgreSQL cluster for the database tier (Debian's postgresql package).

`CALLWRIGHT_TEST_POSTGRES_URL` points the tests at an existing server instead.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field

from tests.support.ports import free_tcp_port


def _pg_bin(name: str) -> str | None:
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    return candidates[0] if candidates else shutil.which(name)


def _as_postgres(cmd: list[str]) -> list[str]:
    # PostgreSQL refuses to run as root; CI and these machines run as root.
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


@dataclass
class PostgresServer:
    port: int = field(default_factory=free_tcp_port)
    _datadir: str | None = None
    _process: subprocess.Popen[bytes] | None = None

    @staticmethod
    def available() -> bool:
        if _pg_bin("initdb") is None or _pg_bin("postgres") is None:
            return False
        if os.geteuid() == 0:
            return subprocess.run(["id", "postgres"], capture_output=True).returncode == 0
        return True

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{database}"

    def start(self, timeout: float = 30.0) -> None:
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
        self._process = subprocess.Popen(
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
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready = subprocess.run(
                [pg_isready, "-h", "127.0.0.1", "-p", str(self.port)], capture_output=True
            )
            if ready.returncode == 0:
                return
            time.sleep(0.2)
        self.stop()
        raise RuntimeError("postgres did not become ready")

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self._process.kill()
        if self._datadir:
            shutil.rmtree(self._datadir, ignore_errors=True)

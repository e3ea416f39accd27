"""A `callwright` command (`issuer`, `web`) run as a real process on a free loopback port.

For what only a process of its own can show: its memory (VmRSS) while it is attacked, and
what it refuses at start-up. It runs in `cwd` (a test's tmp_path by default) with only the
environment given, so it never reads the developer's `.env`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Self

from tests.support.ports import free_tcp_port


class CallwrightProcess:
    def __init__(self, *args: str, env: dict[str, str], log: Path, cwd: Path) -> None:
        self.port = free_tcp_port()
        self._command = [sys.executable, "-m", "callwright.cli", *args, "--port", str(self.port)]
        self._env = {"PATH": os.environ.get("PATH", ""), **env}
        self._log = log
        self._cwd = cwd
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self._process is not None
        return self._process.pid

    def start(self, timeout: float = 30.0) -> None:
        with open(self._log, "ab") as out:
            self._process = subprocess.Popen(
                self._command, env=self._env, cwd=self._cwd, stdout=out, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=1):
                    return
            except OSError:
                if self._process.poll() is not None:
                    raise RuntimeError(f"{self._command[3]} exited; see {self._log}") from None
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"{self._command[3]} did not start; see {self._log}")

    def rss_bytes(self) -> int:
        """The process's resident memory, from /proc/<pid>/status."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        raise RuntimeError("no VmRSS line")

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

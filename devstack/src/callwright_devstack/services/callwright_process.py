"""A `callwright` command run as a real process.

`CallwrightProcess` (`issuer`, `web`) serves on a free loopback port: for what only a
process of its own can show (its memory while it is attacked, what it refuses at
start-up) and for what is measured as deployed (the benchmarks). It runs in `cwd` with
only the environment given, so it never reads the developer's `.env`. `run_cli` runs
one admin command and returns the JSON object it prints.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from callwright_devstack.launch import Process, Service, answers_http
from callwright_devstack.ports import free_tcp_port

CLI = (sys.executable, "-m", "callwright.cli")


class CallwrightProcess(Service):
    def __init__(self, *args: str, env: dict[str, str], log: Path, cwd: Path) -> None:
        self.port = free_tcp_port()
        self._name = args[0]
        self._process = Process(
            [*CLI, *args, "--port", str(self.port)],
            env={"PATH": os.environ.get("PATH", ""), **env},
            inherit_env=False,
            log_path=log,
            cwd=cwd,
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        return self._process.pid

    # Generous: a busy machine (another suite, a CPU hog) once took over 30 s.
    def start(self, timeout: float = 120.0) -> None:
        self._process.start()
        self._process.wait_ready(
            lambda: answers_http(f"{self.url}/healthz"),
            within=timeout,
            what=f"callwright {self._name}",
        )

    def rss_bytes(self) -> int:
        """The process's resident memory, from /proc/<pid>/status."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        raise RuntimeError("no VmRSS line")

    def stop(self) -> None:
        self._process.stop()


def run_cli(database_url: str, *args: str) -> dict[str, Any]:
    """Run the real `callwright` command in a subprocess; return the JSON object it prints."""
    env = {**os.environ, "DATABASE_URL": database_url}
    done = subprocess.run(
        [*CLI, *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result

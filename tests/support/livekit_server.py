"""A real `livekit-server --dev` for tests, started from the repository's livekit.yaml."""

from __future__ import annotations

import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from callwright.livekit_config import LIVEKIT_BINARY, dev_config, dump
from tests.support.ports import free_tcp_port, free_udp_port

TEST_API_KEY = "devkey"
TEST_API_SECRET = "callwright-test-secret-0123456789abcdefghij"


@dataclass
class LiveKitServer:
    webhook_url: str | None = None
    api_key: str = TEST_API_KEY
    api_secret: str = TEST_API_SECRET
    port: int = field(default_factory=free_tcp_port)
    log_path: Path | None = None
    _process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 20.0, attempts: int = 3) -> None:
        """Start the server; when a port was taken before it could bind (it then exits,
        with status 0), try again on fresh ports rather than fail the test."""
        for attempt in range(1, attempts + 1):
            output = self._launch()
            if self._ready_within(timeout):
                return
            if self._process is not None:  # still running, never answered
                self.stop()
                raise RuntimeError(f"livekit-server did not become ready: {output()}")
            if "address already in use" not in output() or attempt == attempts:
                raise RuntimeError(f"livekit-server exited: {output()}")
            self.port = free_tcp_port()

    def _launch(self) -> Callable[[], str]:
        """Start the process; returns what reads the end of this launch's output."""
        config = dev_config(
            port=self.port,
            rtc_tcp_port=free_tcp_port(),
            rtc_udp_port=free_udp_port(),
            api_key=self.api_key,
            api_secret=self.api_secret,
            webhook_url=self.webhook_url,
        )
        log_path = self.log_path or Path(tempfile.mkstemp(prefix="livekit-", suffix=".log")[1])
        offset = log_path.stat().st_size if log_path.exists() else 0  # a shared log's past
        with open(log_path, "ab") as log:  # the child keeps its own descriptor
            self._process = subprocess.Popen(
                [str(LIVEKIT_BINARY), "--dev", "--config-body", dump(config)],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        return lambda: log_path.read_bytes()[offset:][-800:].decode(errors="replace")

    def _ready_within(self, timeout: float) -> bool:
        """True once the server answers; False at the deadline or when it exits (then
        `_process` is None)."""
        assert self._process is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                self._process = None
                return False
            try:
                with urllib.request.urlopen(self.http_url, timeout=1) as response:
                    if response.status == 200:
                        return True
            except OSError:
                time.sleep(0.1)
        return False

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None

    @staticmethod
    def available() -> bool:
        return LIVEKIT_BINARY.exists()

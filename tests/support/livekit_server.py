"""A real `livekit-server --dev` for tests, started from the repository's livekit.yaml."""

from __future__ import annotations

import subprocess
import tempfile
import time
import urllib.request
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
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                assert self._process is not None
                if self._process.poll() is not None:
                    break
                try:
                    with urllib.request.urlopen(self.http_url, timeout=1) as response:
                        if response.status == 200:
                            return
                except OSError:
                    time.sleep(0.1)
            else:
                self.stop()
                raise RuntimeError(f"livekit-server did not become ready: {_tail(*output)}")
            returncode = self._process.returncode
            self._process = None
            if "address already in use" not in _tail(*output) or attempt == attempts:
                raise RuntimeError(f"livekit-server exited with {returncode}: {_tail(*output)}")
            self.port = free_tcp_port()

    def _launch(self) -> tuple[Path, int]:
        config = dev_config(
            port=self.port,
            rtc_tcp_port=free_tcp_port(),
            rtc_udp_port=free_udp_port(),
            api_key=self.api_key,
            api_secret=self.api_secret,
            webhook_url=self.webhook_url,
        )
        output = self.log_path or Path(tempfile.mkstemp(prefix="livekit-", suffix=".log")[1])
        offset = output.stat().st_size if output.exists() else 0
        with open(output, "ab") as log:  # the child keeps its own descriptor
            self._process = subprocess.Popen(
                [str(LIVEKIT_BINARY), "--dev", "--config-body", dump(config)],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        return output, offset

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


def _tail(log: Path, offset: int, size: int = 800) -> str:
    """The end of what this launch wrote (a shared log holds earlier runs before it)."""
    try:
        return log.read_bytes()[offset:][-size:].decode(errors="replace")
    except OSError:
        return "(no output)"

"""A real `livekit-server --dev` for tests, started from the repository's livekit.yaml;
with `redis_address`, one node of several sharing that Redis."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from callwright_devstack.checkout import ARTIFACTS
from callwright_devstack.launch import LaunchError, Process, Service, answers_http, wait_until
from callwright_devstack.livekit_config import LIVEKIT_BINARY, dev_config, dump
from callwright_devstack.ports import free_tcp_port, free_udp_port
from callwright_devstack.required import service_missing

TEST_API_KEY = "devkey"
TEST_API_SECRET = "callwright-test-secret-0123456789abcdefghij"


@dataclass
class LiveKitServer(Service):
    webhook_url: str | None = None
    api_key: str = TEST_API_KEY
    api_secret: str = TEST_API_SECRET
    port: int = field(default_factory=free_tcp_port)
    log_path: Path | None = None
    redis_address: str | None = None
    node_id: str | None = None
    _process: Process | None = None

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0, attempts: int = 3) -> None:
        """Start the server; when a port was taken before it could bind (it then exits,
        with status 0), try again on fresh ports rather than fail the test."""
        for attempt in range(1, attempts + 1):
            output = self._launch()
            if self._ready_within(timeout):
                self.node_id = _node_id(output())
                return
            if self._process is not None:  # still running, never answered
                self.stop()
                raise RuntimeError(f"livekit-server did not become ready: {output()[-800:]}")
            if "address already in use" not in output() or attempt == attempts:
                raise RuntimeError(f"livekit-server exited: {output()[-800:]}")
            self.port = free_tcp_port()

    def _launch(self) -> Callable[[], str]:
        """Start the process; returns what reads this launch's output."""
        config = dev_config(
            port=self.port,
            rtc_tcp_port=free_tcp_port(),
            rtc_udp_port=free_udp_port(),
            api_key=self.api_key,
            api_secret=self.api_secret,
            webhook_url=self.webhook_url,
            redis_address=self.redis_address,
        )
        log_path = self.log_path or Path(tempfile.mkstemp(prefix="livekit-", suffix=".log")[1])
        offset = log_path.stat().st_size if log_path.exists() else 0  # a shared log's past
        self._process = Process(
            [str(LIVEKIT_BINARY), "--dev", "--config-body", dump(config)], log_path=log_path
        )
        self._process.start()
        return lambda: log_path.read_bytes()[offset:].decode(errors="replace")

    def _ready_within(self, timeout: float) -> bool:
        """True once the server answers; False at the deadline or when it exits (then
        `_process` is None)."""
        process = self._process
        assert process is not None
        try:
            wait_until(
                lambda: answers_http(self.http_url),
                within=timeout,
                what="livekit-server",
                alive=process.running,
            )
        except LaunchError:
            if not process.running():
                self._process = None
            return False
        return True

    def kill(self) -> None:
        """SIGKILL, like a crashed host: no drain, no unregistering from Redis."""
        if self._process is not None:
            self._process.kill()
        self._process = None

    def stop(self) -> None:
        if self._process is not None:
            self._process.stop(timeout=10)
        self._process = None

    @staticmethod
    def available() -> bool:
        return LIVEKIT_BINARY.exists()


def _node_id(output: str) -> str | None:
    """The node's id from its "starting LiveKit server" line (rooms map to it in Redis)."""
    for line in output.splitlines():
        if "starting LiveKit server" in line and "{" in line:
            node: str | None = json.loads(line[line.index("{") :]).get("nodeID")
            return node
    return None


@contextmanager
def running_livekit(
    log_name: str, *, webhook_url: str | None = None, redis_address: str | None = None
) -> Iterator[LiveKitServer]:
    """A livekit-server of a fixture's own, logging to artifacts/<log_name>; with
    `redis_address`, a node of the cluster sharing that Redis."""
    if not LiveKitServer.available():
        service_missing("livekit-server (make tools installs it into .tools/bin)")
    with LiveKitServer(
        webhook_url=webhook_url, log_path=ARTIFACTS / log_name, redis_address=redis_address
    ) as server:
        yield server

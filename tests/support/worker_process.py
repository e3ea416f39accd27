"""A real `callwright worker start` process, wired to test services by environment."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from callwright_shared.settings import CallwrightSettings
from tests.emulators import DeepgramEmulator, GeminiLiveEmulator, OpenAIEmulator
from tests.support.ports import free_tcp_port

OPENAI_KEY = "sk-test-callwright"
DEEPGRAM_KEY = "dg-test-callwright"
GOOGLE_KEY = "g-test-callwright"


@dataclass
class WorkerProcess:
    env: dict[str, str]
    log_path: Path
    port: int = field(default_factory=free_tcp_port)
    mode: str = "start"
    _process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60.0, *, wait: bool = True) -> None:
        """Start the worker; with `wait`, return once it has registered with LiveKit."""
        self.ready_file.unlink(missing_ok=True)
        env = {
            **os.environ,
            **self.env,
            "CALLWRIGHT_WORKER_PORT": str(self.port),
            "CALLWRIGHT_WORKER_READY_FILE": str(self.ready_file),
            "PYTHONUNBUFFERED": "1",
        }
        with open(self.log_path, "ab") as log:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "callwright.cli", "worker", self.mode],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        if wait:
            self.wait_registered(timeout)

    def wait_registered(self, timeout: float = 60.0) -> None:
        assert self._process is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(
                    f"worker exited with {self._process.returncode}; see {self.log_path}"
                )
            if self.registered():
                return
            time.sleep(0.2)
        self.kill()
        raise RuntimeError(f"worker did not register; see {self.log_path}")

    @property
    def ready_file(self) -> Path:
        return self.log_path.with_name(f"{self.log_path.name}.{self.port}.ready")

    def registered(self) -> bool:
        """Registered with LiveKit: the worker writes its ready file on registration (the
        dev runner waits for the same file). The health endpoint alone answers 200 before
        registration, and a job dispatched before it is only served once re-dispatched."""
        return self.ready_file.exists()

    @property
    def pid(self) -> int:
        assert self._process is not None
        return self._process.pid

    def terminate(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.send_signal(signal.SIGTERM)

    def wait(self, timeout: float) -> int | None:
        assert self._process is not None
        try:
            return self._process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def kill(self) -> None:
        if self._process is not None and self._process.poll() is None:
            os.killpg(self._process.pid, signal.SIGKILL)
            self._process.wait()

    def stop(self, timeout: float = 20.0) -> None:
        if self._process is None or self._process.poll() is not None:
            return
        self.terminate()
        if self.wait(timeout) is None:
            self.kill()


def worker_env(
    settings: CallwrightSettings,
    openai: OpenAIEmulator,
    deepgram: DeepgramEmulator,
    **overrides: str,
) -> dict[str, str]:
    """A worker wired to the test services and to the provider emulators (to Gemini's
    with `**gemini_env(...)` among the overrides)."""
    return {
        "CALLWRIGHT_ENV": "test",
        "DATABASE_URL": settings.database_url,
        "LIVEKIT_URL": settings.livekit_url,
        "LIVEKIT_API_KEY": settings.livekit_api_key,
        "LIVEKIT_API_SECRET": settings.livekit_api_secret.get_secret_value(),
        "LIVEKIT_AGENT_NAME": settings.livekit_agent_name,
        "OPENAI_API_KEY": OPENAI_KEY,
        "OPENAI_BASE_URL": openai.base_url,
        "DEEPGRAM_API_KEY": DEEPGRAM_KEY,
        "DEEPGRAM_BASE_URL": deepgram.base_url,
        "GOOGLE_API_KEY": "",
        "CALLWRIGHT_WORKER_DRAIN_TIMEOUT_SECONDS": "60",
        # A caller who leaves ends the call after this grace (a rejoin may come): short,
        # so the many tests that hang up do not each wait the 20 s default.
        "CALLWRIGHT_REJOIN_GRACE_SECONDS": "3",
        # The agents' tools may call the tests' servers on loopback when the settings say so.
        "CALLWRIGHT_TOOLS_ALLOW_PRIVATE_NETWORKS": str(settings.tools_allow_private_networks),
        **overrides,
    }


def gemini_env(gemini: GeminiLiveEmulator) -> dict[str, str]:
    """Settings that point a worker at the Gemini emulator. The SDK dials wss only: the
    worker trusts the emulator's certificate through SSL_CERT_FILE (a bundle that keeps
    certifi's roots, so its other HTTPS clients are unaffected)."""
    return {
        "GOOGLE_API_KEY": GOOGLE_KEY,
        "GOOGLE_BASE_URL": gemini.base_url,
        "SSL_CERT_FILE": str(gemini.ca_bundle),
    }

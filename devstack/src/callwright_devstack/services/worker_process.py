"""A real `callwright worker start` process, wired to test services by environment."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import SecretStr

from callwright_devstack.emulators import DeepgramEmulator, GeminiLiveEmulator, OpenAIEmulator
from callwright_devstack.launch import Process
from callwright_devstack.ports import free_tcp_port
from callwright_shared.agents.providers import DEEPGRAM, GOOGLE, OPENAI
from callwright_shared.settings import CallwrightSettings

OPENAI_KEY = "sk-test-callwright"
DEEPGRAM_KEY = "dg-test-callwright"
GOOGLE_KEY = "g-test-callwright"


@dataclass
class WorkerProcess:
    env: dict[str, str]
    log_path: Path
    port: int = field(default_factory=free_tcp_port)
    mode: str = "start"
    _process: Process | None = None

    def start(self, timeout: float = 180.0, *, wait: bool = True) -> None:
        """Start the worker; with `wait`, return once it has registered with LiveKit."""
        self.ready_file.unlink(missing_ok=True)
        # A process group of its own: a kill reaches its job processes too.
        self._process = Process(
            [sys.executable, "-m", "callwright.cli", "worker", self.mode],
            env={
                **self.env,
                "CALLWRIGHT_WORKER_PORT": str(self.port),
                "CALLWRIGHT_WORKER_READY_FILE": str(self.ready_file),
                "PYTHONUNBUFFERED": "1",
            },
            log_path=self.log_path,
            own_group=True,
        )
        self._process.start()
        if wait:
            self.wait_registered(timeout)

    def wait_registered(self, timeout: float = 180.0) -> None:
        assert self._process is not None
        self._process.wait_ready(
            self.registered, within=timeout, what="the worker's registration", poll=0.2
        )

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
        if self._process is not None:
            self._process.terminate()

    def wait(self, timeout: float) -> int | None:
        assert self._process is not None
        return self._process.wait(timeout)

    def kill(self) -> None:
        if self._process is not None:
            self._process.kill()

    def stop(self, timeout: float = 20.0) -> None:
        if self._process is not None:
            self._process.stop(timeout)


def worker_env(
    settings: CallwrightSettings,
    openai: OpenAIEmulator,
    deepgram: DeepgramEmulator,
    **overrides: str,
) -> dict[str, str]:
    """A worker wired to the test services and to the provider emulators (to Gemini's
    with `**gemini_env(...)` among the overrides): the issuer's own settings, with the
    providers' keys and base URLs the emulators', written as the environment."""
    worker_settings = settings.model_copy(
        update={
            OPENAI.key_setting: SecretStr(OPENAI_KEY),
            OPENAI.base_url_setting: openai.base_url,
            DEEPGRAM.key_setting: SecretStr(DEEPGRAM_KEY),
            DEEPGRAM.base_url_setting: deepgram.base_url,
            GOOGLE.key_setting: None,
            "worker_drain_timeout_seconds": 60,
            # A caller who leaves ends the call after this grace (a rejoin may come): short,
            # so the many tests that hang up do not each wait the 20 s default.
            "rejoin_grace_seconds": 3,
        }
    )
    return {**worker_settings.to_env(), **overrides}


def gemini_env(gemini: GeminiLiveEmulator) -> dict[str, str]:
    """Settings that point a worker at the Gemini emulator. The SDK dials wss only: the
    worker trusts the emulator's certificate through SSL_CERT_FILE (a bundle that keeps
    certifi's roots, so its other HTTPS clients are unaffected)."""
    return {
        GOOGLE.key_env: GOOGLE_KEY,
        GOOGLE.base_url_env: gemini.base_url,
        "SSL_CERT_FILE": str(gemini.ca_bundle),
    }

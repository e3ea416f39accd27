"""The real issuer app served by uvicorn on a free loopback port, in a thread of its own.

For what must reach the issuer over the network: livekit-server's webhooks, and
Schemathesis' HTTP calls. The app runs its lifespan in the thread's own event loop.
"""

from __future__ import annotations

import threading
import time
from types import TracebackType
from typing import Self

import uvicorn

from callwright_issuer.app import create_app
from callwright_shared.settings import CallwrightSettings
from tests.support.ports import free_tcp_port


class ServedIssuer:
    def __init__(self, settings: CallwrightSettings, *, port: int | None = None) -> None:
        self.port = port or free_tcp_port()
        config = uvicorn.Config(
            create_app(settings),
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            access_log=False,
            lifespan="on",
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="issuer", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 20.0) -> None:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the issuer did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=30)

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

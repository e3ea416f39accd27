"""The real issuer app served by uvicorn on a free loopback port, in a thread of its own.

For what must reach the issuer over the network: livekit-server's webhooks, and
Schemathesis' HTTP calls. The app runs its lifespan in the thread's own event loop.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping

import uvicorn

from callwright_devstack.launch import Service, wait_until
from callwright_devstack.ports import free_tcp_port
from callwright_issuer.app import create_app
from callwright_shared.settings import CallwrightSettings


class ServedIssuer(Service):
    def __init__(
        self,
        settings: CallwrightSettings,
        *,
        port: int | None = None,
        state: Mapping[str, object] | None = None,
    ) -> None:
        """`state`: what the app finds on `app.state` (e.g. `recording_settings`)."""
        self.port = port or free_tcp_port()
        app = create_app(settings)
        for name, value in (state or {}).items():
            setattr(app.state, name, value)
        config = uvicorn.Config(
            app,
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

    def start(self, timeout: float = 60.0) -> None:
        self._thread.start()
        wait_until(
            lambda: self._server.started,
            within=timeout,
            what="the issuer",
            alive=self._thread.is_alive,
            poll=0.05,
        )

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=30)

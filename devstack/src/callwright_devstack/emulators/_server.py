"""The base every emulator shares: an aiohttp app served on 127.0.0.1 on a free port."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager

from aiohttp import WSCloseCode, web

from callwright_devstack.launch import AsyncService

HOST = "127.0.0.1"


class EmulatorServer(AsyncService):
    """Start/stop plumbing; subclasses list their routes in `_routes`.

    Open WebSockets are registered through `_tracked` so `stop()` can close them
    instead of waiting for their clients to hang up.
    """

    def __init__(self) -> None:
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._websockets: set[web.WebSocketResponse] = set()

    def _routes(self) -> list[web.RouteDef]:
        raise NotImplementedError

    def _ssl_context(self) -> ssl.SSLContext | None:
        """A server TLS context for an emulator whose client dials only `https`/`wss`."""
        return None

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError(f"{type(self).__name__} is not started")
        return self._port

    @property
    def origin(self) -> str:
        """`http://127.0.0.1:PORT`, without any path."""
        return f"http://{HOST}:{self.port}"

    async def start(self) -> None:
        if self._runner is not None:
            raise RuntimeError(f"{type(self).__name__} is already started")
        app = web.Application()
        app.add_routes(self._routes())
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.bind((HOST, 0))
            site = web.SockSite(runner, sock, ssl_context=self._ssl_context())
            await site.start()
        except BaseException:
            sock.close()
            await runner.cleanup()
            raise
        self._port = int(sock.getsockname()[1])
        self._runner = runner

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is None:
            return
        for ws in list(self._websockets):
            await ws.close(code=WSCloseCode.GOING_AWAY, message=b"emulator stopping")
        await runner.cleanup()
        self._port = None

    @contextmanager
    def _tracked(self, ws: web.WebSocketResponse) -> Iterator[web.WebSocketResponse]:
        self._websockets.add(ws)
        try:
            yield ws
        finally:
            self._websockets.discard(ws)


def bearer_key(request: web.Request) -> str | None:
    """The key of an `Authorization: Bearer <key>` header, if there is one."""
    scheme, _, key = request.headers.get("Authorization", "").partition(" ")
    return key.strip() if scheme.lower() == "bearer" and key.strip() else None

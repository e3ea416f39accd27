"""A customer's webhook endpoint on loopback, as a customer would write one.

It answers from a script (`answers`: status codes, (status, headers) pairs, or "hold":
keep the request open until `release()`; used in order, then `default_status`) and keeps
every request it answered in `requests`. A held request is kept apart, in `held`, the
moment it arrives: its sender may be gone by the time it is released (a killed issuer),
so it never counts as delivered and `wait_for` does not count it. `verified(secret)` checks
each one with the `standardwebhooks` library, as docs/webhooks.md tells customers to.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from aiohttp import web
from standardwebhooks import Webhook

from callwright_devstack.launch import AsyncService
from callwright_devstack.ports import free_tcp_port

Answer = int | tuple[int, dict[str, str]] | Literal["hold"]


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    status: int

    @property
    def webhook_id(self) -> str:
        return self.headers["webhook-id"]

    @property
    def signatures(self) -> list[str]:
        return self.headers["webhook-signature"].split(" ")


@dataclass
class WebhookReceiver(AsyncService):
    port: int = field(default_factory=free_tcp_port)
    answers: list[Answer] = field(default_factory=list)
    default_status: int = 200
    requests: list[Received] = field(default_factory=list)
    held: list[Received] = field(default_factory=list)
    _runner: web.AppRunner | None = None
    _arrived: asyncio.Event = field(default_factory=asyncio.Event)
    _released: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        answer = self.answers.pop(0) if self.answers else self.default_status
        headers_in = {k.lower(): v for k, v in request.headers.items()}
        if answer == "hold":
            self.held.append(Received(request.path, headers_in, body, self.default_status))
            self._arrived.set()
            await self._released.wait()
            return web.Response(status=self.default_status, text="released")
        status, headers = answer if isinstance(answer, tuple) else (answer, {})
        self.requests.append(Received(request.path, headers_in, body, status))
        self._arrived.set()
        return web.Response(status=status, headers=headers, text=f"answered {status}")

    def release(self) -> None:
        self._released.set()

    def verified(self, secret: str) -> list[dict[str, Any]]:
        """Every request's payload, each verified with `secret` (raises if one fails)."""
        return [Webhook(secret).verify(r.body, r.headers) for r in self.requests]

    async def wait_for(self, count: int, *, within: float = 60.0) -> list[Received]:
        """Wait until at least `count` requests were answered."""
        await self._wait_until(lambda: len(self.requests) >= count, within)
        return self.requests

    async def wait_held(self, count: int, *, within: float = 60.0) -> list[Received]:
        """Wait until at least `count` requests are being held."""
        await self._wait_until(lambda: len(self.held) >= count, within)
        return self.held

    async def _wait_until(self, done: Callable[[], bool], within: float) -> None:
        async with asyncio.timeout(within):
            while not done():
                self._arrived.clear()
                await self._arrived.wait()

"""A customer's webhook endpoint on loopback, as a customer would write one.

It answers from a script (`answers`: status codes, (status, headers) pairs, or "hold":
keep the request open until `release()`; used in order, then `default_status`) and keeps
every request it got. `verified(secret)` checks
each one with the `standardwebhooks` library, as the README tells customers to.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any, Literal

from aiohttp import web
from standardwebhooks import Webhook

from callwright.launch import AsyncService
from tests.support.ports import free_tcp_port

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
    _runner: web.AppRunner | None = None
    held: int = 0
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
        if answer == "hold":
            self.held += 1
            self._arrived.set()
            await self._released.wait()
            answer = self.default_status
        status, headers = answer if isinstance(answer, tuple) else (answer, {})
        self.requests.append(
            Received(request.path, {k.lower(): v for k, v in request.headers.items()}, body, status)
        )
        self._arrived.set()
        return web.Response(status=status, headers=headers, text=f"answered {status}")

    def release(self) -> None:
        self._released.set()

    def verified(self, secret: str) -> list[dict[str, Any]]:
        """Every request's payload, each verified with `secret` (raises if one fails)."""
        return [Webhook(secret).verify(r.body, r.headers) for r in self.requests]

    async def wait_for(self, count: int, *, within: float = 60.0) -> list[Received]:
        """Wait until at least `count` requests arrived."""
        async with asyncio.timeout(within):
            while len(self.requests) < count:
                self._arrived.clear()
                await self._arrived.wait()
        return self.requests

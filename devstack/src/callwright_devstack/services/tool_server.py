"""A customer's tool server on loopback, as a customer would write one.

Every request is checked with the `standardwebhooks` library against the organization's
signing secret, as docs/tools.md tells customers to (`ToolRequest.verified`), and kept with
its `Idempotency-Key`. Each path answers from a script (`answer(path, ...)`): a JSON
body, a status, garbage bytes, a redirect, or `hold` (kept open until the server stops:
a tool slower than its timeout). A path without a script answers `{"result": "ok"}`.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from callwright_devstack.launch import AsyncService
from callwright_devstack.ports import free_tcp_port


@dataclass(frozen=True)
class ToolRequest:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    verified: bool

    @property
    def payload(self) -> dict[str, Any]:
        value = json.loads(self.body)
        assert isinstance(value, dict)
        return value

    @property
    def idempotency_key(self) -> str | None:
        return self.headers.get("idempotency-key")


@dataclass(frozen=True)
class Answer:
    status: int = 200
    body: bytes = b'{"result": "ok"}'
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    hold: bool = False

    @staticmethod
    def result(value: Any) -> Answer:
        return Answer(body=json.dumps({"result": value}).encode())

    @staticmethod
    def text(value: str, *, status: int = 200) -> Answer:
        return Answer(status=status, body=value.encode(), content_type="text/plain")


HOLD = Answer(hold=True)
Script = Answer | Callable[[ToolRequest], Answer]


@dataclass
class ToolServer(AsyncService):
    secret: str
    port: int = field(default_factory=free_tcp_port)
    requests: list[ToolRequest] = field(default_factory=list)
    _scripts: dict[str, Script] = field(default_factory=dict)
    _runner: web.AppRunner | None = None
    _stopping: asyncio.Event = field(default_factory=asyncio.Event)
    _arrived: asyncio.Condition = field(default_factory=asyncio.Condition)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def answer(self, path: str, script: Script) -> str:
        """Answer requests to `path` from `script`; returns the path's URL."""
        self._scripts[path] = script
        return self.url(path)

    def to(self, path: str) -> list[ToolRequest]:
        return [r for r in self.requests if r.path == path]

    async def wait_for(self, count: int, *, path: str | None = None) -> list[ToolRequest]:
        async with self._arrived:
            await self._arrived.wait_for(
                lambda: len(self.to(path) if path else self.requests) >= count
            )
        return self.to(path) if path else list(self.requests)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        self._stopping.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        headers = {k.lower(): v for k, v in request.headers.items()}
        # A GET has no body: its signature covers the method, the URL and the tool's
        # name (docs/tools.md).
        signed = (
            json.dumps(
                {
                    "method": "GET",
                    "url": f"{request.scheme}://{request.host}{request.raw_path}",
                    "tool": headers.get("callwright-tool", ""),
                },
                separators=(",", ":"),
            )
            if request.method == "GET"
            else body.decode()
        )
        try:
            Webhook(self.secret).verify(signed, headers)
            verified = True
        except (WebhookVerificationError, ValueError):
            verified = False
        received = ToolRequest(
            method=request.method,
            path=request.path,
            query=dict(request.query),
            headers=headers,
            body=body,
            verified=verified,
        )
        async with self._arrived:
            self.requests.append(received)
            self._arrived.notify_all()
        script = self._scripts.get(request.path, Answer())
        answer = script(received) if callable(script) else script
        if answer.hold:
            await self._stopping.wait()
        return web.Response(
            status=answer.status,
            body=answer.body,
            headers={"Content-Type": answer.content_type, **answer.headers},
        )

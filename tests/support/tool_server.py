"""A customer's tool endpoint on loopback, written as the README tells customers to:
it verifies each request's Standard Webhooks signature with the `standardwebhooks`
library and refuses a request without an `Idempotency-Key`, then answers from a script.

`answers` is used in order, then `default`: a JSON value (sent as `{"result": value}`
with 200), or an `Answer` for anything else (a status, a raw body, a delay before
answering: a slow server). Every request is kept, verified or not.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self

from aiohttp import web
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from tests.support.ports import free_tcp_port


@dataclass(frozen=True)
class Answer:
    status: int = 200
    body: str | bytes = ""
    content_type: str = "application/json"
    delay_s: float = 0.0


@dataclass(frozen=True)
class ToolRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    payload: dict[str, Any] | None  # verified; None when the signature did not verify

    @property
    def arguments(self) -> dict[str, Any]:
        assert self.payload is not None
        arguments: dict[str, Any] = self.payload["data"]["arguments"]
        return arguments


@dataclass
class ToolServer:
    secret: str | None = None  # the organization's signing secret (whsec_…)
    port: int = field(default_factory=free_tcp_port)
    answers: list[Any] = field(default_factory=list)
    default: Any = field(default_factory=lambda: {"ok": True})
    requests: list[ToolRequest] = field(default_factory=list)
    _runner: web.AppRunner | None = None
    _arrived: asyncio.Event = field(default_factory=asyncio.Event)

    def url(self, path: str = "/tool") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    async def __aenter__(self) -> Self:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        headers = {k.lower(): v for k, v in request.headers.items()}
        payload: dict[str, Any] | None = None
        if self.secret is not None:
            try:
                payload = Webhook(self.secret).verify(body, headers)
            except WebhookVerificationError:
                payload = None
        self.requests.append(ToolRequest(request.method, request.path, headers, body, payload))
        self._arrived.set()
        if payload is None or not headers.get("idempotency-key"):
            return web.json_response({"error": "not a callwright request"}, status=401)
        answer = self.answers.pop(0) if self.answers else self.default
        if not isinstance(answer, Answer):
            answer = Answer(body=json.dumps({"result": answer}))
        if answer.delay_s:
            await asyncio.sleep(answer.delay_s)
        return web.Response(
            status=answer.status, body=answer.body, headers={"Content-Type": answer.content_type}
        )

    async def wait_for(self, count: int, *, within: float = 60.0) -> list[ToolRequest]:
        async with asyncio.timeout(within):
            while len(self.requests) < count:
                self._arrived.clear()
                await self._arrived.wait()
        return self.requests

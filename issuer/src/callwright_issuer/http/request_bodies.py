"""Request bodies bounded while they stream in, for the issuer and the page backend.

`BodyLimitMiddleware` wraps the ASGI `receive` of every HTTP request. A declared
`Content-Length` over the limit fails the first read before a byte is buffered; a chunked
body fails on the read that crosses the limit. The failure is `RequestTooLargeError`,
raised where the app reads its body, so each app answers it with its own error body, and
what a route checks before reading (the API key on /v1) still answers first. A route that
never reads its body is not affected: uvicorn discards what it leaves unread.

Starlette's own `max_body_size` is not used: when a declared length is over the limit it
replaces whatever response the app sends, a 401 included, with a plain-text 413.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from callwright_shared.errors import RequestTooLargeError

# Every JSON body callwright accepts fits in far less (metadata alone is capped at 4 KB).
MAX_BODY_BYTES = 64 * 1024


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, *, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        received = 0

        async def receive_within_limit() -> Message:
            nonlocal received
            if declared is not None and declared > self.max_bytes:
                raise self._too_large()
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise self._too_large()
            return message

        await self.app(scope, receive_within_limit, send)

    def _too_large(self) -> RequestTooLargeError:
        return RequestTooLargeError(f"Request bodies are limited to {self.max_bytes} bytes.")


def _content_length(scope: Scope) -> int | None:
    try:
        return int(Headers(scope=scope)["content-length"])
    except (KeyError, ValueError):
        return None

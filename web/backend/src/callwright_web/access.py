"""Who may use the page (it spends its organization's credits): every request but /healthz
must name an allowed host (DNS rebinding) and, when CALLWRIGHT_WEB_BASIC_AUTH is set, carry
those credentials (the console's paths: the console's own, CALLWRIGHT_WEB_CONSOLE_AUTH);
`callwright web` refuses to listen beyond the loopback without them.
Each client address may place `CALLWRIGHT_WEB_CALL_BURST` calls, then
`CALLWRIGHT_WEB_CALLS_PER_MINUTE` (`CallRateLimit`)."""

from __future__ import annotations

import base64
import binascii
import hmac
import math
import time
from collections import OrderedDict
from collections.abc import Callable

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from callwright_web.errors import CONSOLE_SIGN_IN, SIGN_IN, UNKNOWN_HOST
from callwright_web.settings import WebSettings

_BASIC_CHALLENGE = {"WWW-Authenticate": 'Basic realm="callwright", charset="UTF-8"'}


_CONSOLE_CHALLENGE = {"WWW-Authenticate": 'Basic realm="callwright console", charset="UTF-8"'}
_CONSOLE_PATHS = ("/console/", "/api/console/")


def is_console_path(path: str) -> bool:
    return path == "/console" or path.startswith(_CONSOLE_PATHS)


class PageAccessMiddleware:
    """Every request but /healthz must name an allowed host (a DNS-rebinding page sends
    its own name), then carry the operator's basic-auth credentials when they are set.
    The console's paths take the console's own credentials instead (another realm), so
    signing in to the page never opens the console."""

    def __init__(self, app: ASGIApp, *, settings: WebSettings) -> None:
        self.app = app
        self._hosts = settings.host_names()
        credentials = settings.basic_auth
        self._credentials = credentials.get_secret_value().encode() if credentials else None
        console = settings.console_auth if settings.console else None
        self._console = console.get_secret_value().encode() if console else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] == "/healthz":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if _host_name(headers.get("host", "")) not in self._hosts:
            await UNKNOWN_HOST.response()(scope, receive, send)
        elif is_console_path(scope["path"]):
            # Off: the app answers 404 whoever asks.
            if self._console is not None and not _signed_in(headers, self._console):
                await CONSOLE_SIGN_IN.response(_CONSOLE_CHALLENGE)(scope, receive, send)
            else:
                await self.app(scope, receive, send)
        elif self._credentials is not None and not _signed_in(headers, self._credentials):
            await SIGN_IN.response(_BASIC_CHALLENGE)(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def _signed_in(headers: Headers, credentials: bytes) -> bool:
    scheme, _, encoded = headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        given = base64.b64decode(encoded.strip(), validate=True)
    except (binascii.Error, ValueError):
        return False
    return hmac.compare_digest(given, credentials)


def _host_name(host: str) -> str:
    """The name in a Host header, without its port: `[::1]:3000` → `::1`."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else ""
    return host.rpartition(":")[0] if host.count(":") == 1 else host


class CallRateLimit:
    """A token bucket per client address on placing calls: `burst` at once, then
    `per_minute`. In memory: the page backend is one process."""

    _MAX_CLIENTS = 10_000  # the least recently seen are forgotten past this

    def __init__(
        self, *, burst: int, per_minute: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._burst = float(burst)
        self._per_second = per_minute / 60.0
        self._clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def take(self, client: str) -> int | None:
        """Take a token: None when the client may place a call now, else the seconds it
        must wait."""
        now = self._clock()
        tokens, since = self._buckets.pop(client, (self._burst, now))
        tokens = min(self._burst, tokens + (now - since) * self._per_second)
        wait = None
        if tokens >= 1:
            tokens -= 1
        else:
            wait = max(1, math.ceil((1 - tokens) / self._per_second))
        self._buckets[client] = (tokens, now)
        while len(self._buckets) > self._MAX_CLIENTS:
            self._buckets.popitem(last=False)
        return wait

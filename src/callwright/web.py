"""`callwright web`: the browser page and its small backend (the backend proxy pattern).

The page (web/, bundled into web/dist by `make web-build`) talks only to this app; this
app calls the issuer with the API key it holds, so the key never reaches the browser.

    GET  /api/config                  agents to call + provider keys the workers lack
    POST /api/call {agent_id}         Create Voice Session → {session_id, token, livekit_url, …}
    POST /api/calls/{session_id}/end  End Session → {status, duration_seconds, credits_charged, …}
    GET  /healthz                     liveness
    GET  /                            the built page

Who may use it (it spends its organization's credits): every request but /healthz must
name an allowed host (DNS rebinding) and, when CALLWRIGHT_WEB_BASIC_AUTH is set, carry
those credentials; `callwright web` refuses to listen beyond the loopback without them;
each client address may place `CALLWRIGHT_WEB_CALL_BURST` calls, then
`CALLWRIGHT_WEB_CALLS_PER_MINUTE`. Bodies are bounded as they stream in.

Errors keep the API's shape, `{"error": {"type", "code", "message", "param"}}`, with a
message written for the person in front of the page (402 → out of credits, 429 → too
many calls…): the page shows `message` as it is.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import ipaddress
import logging
import math
import re
import sys
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
)
from pydantic_settings import SettingsConfigDict
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from callwright.livekit_config import REPO_ROOT
from callwright_issuer.http.request_bodies import BodyLimitMiddleware
from callwright_shared.agents.definitions import SESSION_ARCHITECTURES
from callwright_shared.agents.providers import (
    DEEPGRAM,
    GOOGLE,
    OPENAI,
    PROVIDERS,
    required_providers,
)
from callwright_shared.db.models import SessionKind
from callwright_shared.errors import (
    AgentArchitectureUnsupportedError,
    AgentNotFoundError,
    AuthenticationError,
    CallwrightError,
    ConcurrencyLimitError,
    DatabaseUnavailableError,
    InsufficientCreditsError,
    InvalidRequestError,
    LiveKitUnavailableError,
    NotFoundError,
    RateLimitedError,
    RequestTooLargeError,
    SessionNotFoundError,
    error_body,
)
from callwright_shared.settings import EnvSettings

logger = logging.getLogger(__name__)

DEFAULT_STATIC_DIR = REPO_ROOT / "web" / "dist"
SESSION_ID = re.compile(r"ses_[A-Za-z0-9]{1,64}")  # always with fullmatch: `$` admits a "\n"


def _env(name: str) -> AliasChoices:
    return AliasChoices(name, name.lower())


_MIN_PASSWORD_CHARS = 12


class WebSettings(EnvSettings):
    """The page backend's settings. It never holds a provider key: only whether each is set
    (`make run`: read from .env) or the names the operator configured (compose)."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True
    )

    issuer_url: str = Field(
        "http://127.0.0.1:8000", validation_alias=_env("CALLWRIGHT_WEB_ISSUER_URL")
    )
    api_key: SecretStr | None = Field(None, validation_alias=_env("CALLWRIGHT_WEB_API_KEY"))
    host: str = Field("127.0.0.1", validation_alias=_env("CALLWRIGHT_WEB_HOST"))
    port: int = Field(3000, gt=0, lt=65536, validation_alias=_env("CALLWRIGHT_WEB_PORT"))
    static_dir: Path = Field(DEFAULT_STATIC_DIR, validation_alias=_env("CALLWRIGHT_WEB_STATIC_DIR"))
    issuer_timeout_seconds: float = Field(
        15.0, gt=0, validation_alias=_env("CALLWRIGHT_WEB_ISSUER_TIMEOUT_SECONDS")
    )

    # Who may use the page (security review F3; docs/deploy.md, "Who may use the page").
    # `user:password` of HTTP basic auth; required to listen beyond the loopback.
    basic_auth: SecretStr | None = Field(None, validation_alias=_env("CALLWRIGHT_WEB_BASIC_AUTH"))
    # Host names the page answers besides localhost, 127.0.0.1, ::1 and its own host
    # (comma-separated): any other Host header is a DNS-rebinding attempt.
    allowed_hosts: str = Field("", validation_alias=_env("CALLWRIGHT_WEB_ALLOWED_HOSTS"))
    # Calls one client (IP address) may place: a burst, then this many a minute.
    call_burst: int = Field(3, gt=0, validation_alias=_env("CALLWRIGHT_WEB_CALL_BURST"))
    calls_per_minute: float = Field(
        6.0, gt=0, validation_alias=_env("CALLWRIGHT_WEB_CALLS_PER_MINUTE")
    )
    # Peers whose X-Forwarded-For names the client (uvicorn's forwarded_allow_ips).
    forwarded_allow_ips: str = Field(
        "127.0.0.1", validation_alias=_env("CALLWRIGHT_WEB_FORWARDED_ALLOW_IPS")
    )

    # The operator console (/console/, src/callwright/console.py): the key's organization's
    # sessions and transcripts, for whoever may open the page; off where they may not.
    console: bool = Field(True, validation_alias=_env("CALLWRIGHT_WEB_CONSOLE"))
    console_requests_per_minute: float = Field(
        120.0, gt=0, validation_alias=_env("CALLWRIGHT_WEB_CONSOLE_REQUESTS_PER_MINUTE")
    )

    # Which provider keys the workers have: the names, comma-separated (compose passes
    # them); when unset, whether each key is set in this environment (`make run`).
    configured_keys: str | None = Field(
        None, validation_alias=_env("CALLWRIGHT_WEB_CONFIGURED_KEYS")
    )
    openai_key_set: bool = Field(False, validation_alias=_env(OPENAI.key_env))
    deepgram_key_set: bool = Field(False, validation_alias=_env(DEEPGRAM.key_env))
    google_key_set: bool = Field(False, validation_alias=_env(GOOGLE.key_env))

    @field_validator("openai_key_set", "deepgram_key_set", "google_key_set", mode="before")
    @classmethod
    def _is_set(cls, value: object) -> bool:
        """Keep only whether the key is there, never the key."""
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        return bool(value)

    @field_validator("basic_auth")
    @classmethod
    def _user_and_password(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value():
            return None
        user, colon, password = value.get_secret_value().partition(":")
        if not user or not colon or len(password) < _MIN_PASSWORD_CHARS:
            raise ValueError(
                f"CALLWRIGHT_WEB_BASIC_AUTH must be user:password, with a password of at "
                f"least {_MIN_PASSWORD_CHARS} characters"
            )
        return value

    @property
    def page_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def missing_provider_keys(self) -> set[str]:
        """The key names (callwright_shared.agents.providers) the workers lack."""
        if self.configured_keys is not None:
            configured = {name.strip() for name in self.configured_keys.split(",")}
        else:
            present = {
                OPENAI: self.openai_key_set,
                DEEPGRAM: self.deepgram_key_set,
                GOOGLE: self.google_key_set,
            }
            configured = {provider.key_env for provider, set_ in present.items() if set_}
        return {provider.key_env for provider in PROVIDERS} - configured

    def host_names(self) -> frozenset[str]:
        """The Host header names the page answers."""
        names = {"localhost", "127.0.0.1", "::1", self.host.lower()}
        names.update(n.strip().lower() for n in self.allowed_hosts.split(",") if n.strip())
        # A browser reaches 0.0.0.0 as the local machine: it is never a page's name.
        return frozenset(names - {"", "0.0.0.0", "::"})


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a name: it may resolve to any address
        return False


# --- wire shapes -------------------------------------------------------------------------


class CallCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    agent_id: str = Field(min_length=1, max_length=64)
    # The agent's declared variables, from the page's small form; the issuer checks them.
    variables: dict[str, str | int | float | bool] | None = Field(None, max_length=64)


class VariableField(BaseModel):
    """A declared, non-secret variable of an agent: one input of the page's form."""

    name: str
    type: str
    required: bool
    default: str | int | float | bool | None
    description: str | None


class AgentChoice(BaseModel):
    id: str
    name: str
    architecture: str
    missing_keys: list[str]
    # Secret variables are never asked for here: the page is not the customer's backend.
    variables: list[VariableField] = Field(default_factory=list)


class MissingKey(BaseModel):
    name: str
    needed_for: str


class PageConfig(BaseModel):
    """What the page needs before a call. `error` is set when the agents cannot be listed."""

    agents: list[AgentChoice]
    missing_keys: list[MissingKey]
    error: dict[str, str] | None = None


class CallCreated(BaseModel):
    """What the browser needs to join: the participant token, never the API key."""

    session_id: str
    room_name: str
    token: str
    livekit_url: str
    agent_name: str
    expires_at: str


class SaidBefore(BaseModel):
    """A line of the call so far, as the session record holds it."""

    speaker: Literal["user", "agent"]
    text: str


class CallRejoined(CallCreated):
    """A fresh token for the call this tab was in before a reload, and what was said."""

    transcript: list[SaidBefore]


class CallEnded(BaseModel):
    session_id: str
    status: str
    end_reason: str | None
    duration_seconds: float
    credits_charged: int


_KEY_PURPOSES = {provider.key_env: provider.needed_for for provider in PROVIDERS}


_VARIABLE_KEYS = ("type", "required", "default", "description")


def keys_needed(agent: dict[str, Any]) -> set[str]:
    """The provider keys the worker needs to run this agent (SPEC §6, §8)."""
    needed = required_providers(str(agent.get("architecture")), agent.get("provider"))
    return {provider.key_env for provider in needed}


# --- errors ------------------------------------------------------------------------------

_FRIENDLY: dict[str, str] = {
    InsufficientCreditsError.code: "Your organization is out of credits. "
    "Add credits to place a call.",
    ConcurrencyLimitError.code: "Too many calls in progress. "
    "Hang up another call or try again shortly.",
    LiveKitUnavailableError.code: "The call server (LiveKit) is unavailable right now. "
    "Try again in a moment.",
    DatabaseUnavailableError.code: "callwright is temporarily unavailable. Try again in a moment.",
    AgentNotFoundError.code: "This agent no longer exists. "
    "Reload the page to see the current agents.",
    AgentArchitectureUnsupportedError.code: "This is a text agent; it cannot take voice calls.",
    AuthenticationError.code: "This page's server is not authorized by callwright: "
    "check CALLWRIGHT_WEB_API_KEY.",
    SessionNotFoundError.code: "This call is not known to callwright.",
}


# Named outside PageError, whose `type` field hides the builtin in its body.
ErrorClass = type[CallwrightError]


@dataclass(frozen=True)
class PageError:
    """An error for the page, in the API's shape, with a message written for people."""

    status: int
    code: str
    message: str
    type: str = "api_error"
    param: str | None = None
    retry_after: str | None = None

    @classmethod
    def like(
        cls,
        kind: ErrorClass,
        message: str,
        *,
        param: str | None = None,
        retry_after: str | None = None,
    ) -> PageError:
        """One of the API's errors (its status, code and type), said for people."""
        return cls(kind.http_status, kind.code, message, kind.error_type, param, retry_after)

    def body(self) -> dict[str, dict[str, str]]:
        return error_body(self.type, self.code, self.message, self.param)

    def response(self, headers: dict[str, str] | None = None) -> JSONResponse:
        headers = dict(headers or {})
        if self.retry_after is not None:
            headers["Retry-After"] = self.retry_after
        return JSONResponse(self.body(), status_code=self.status, headers=headers)


def friendly_error(response: httpx.Response) -> PageError:
    """The issuer's error, passed on with its status and code and a message for people."""
    try:
        error = response.json()["error"]
        code, type_ = str(error["code"]), str(error.get("type", CallwrightError.error_type))
        message, param = str(error.get("message", "")), error.get("param")
    except (ValueError, KeyError, TypeError):
        code, type_, message, param = CallwrightError.code, CallwrightError.error_type, "", None
    message = _FRIENDLY.get(code) or message or "Something went wrong. Try again."
    retry_after = response.headers.get("Retry-After")
    if code == ConcurrencyLimitError.code and retry_after is not None:
        message = f"Too many calls in progress. Try again in {retry_after} seconds."
    return PageError(
        status=response.status_code if response.status_code >= 400 else 502,
        code=code,
        message=message,
        type=type_,
        param=param if isinstance(param, str) else None,
        retry_after=retry_after,
    )


ISSUER_UNREACHABLE = PageError(
    502,
    "issuer_unavailable",
    "callwright's API is unreachable from this page's server. Is the issuer running?",
    retry_after="5",
)
NO_API_KEY = PageError(
    503, "web_not_configured", "This page's server has no API key: set CALLWRIGHT_WEB_API_KEY."
)
NOT_JSON = PageError(
    415,
    InvalidRequestError.code,
    "Send JSON (Content-Type: application/json).",
    InvalidRequestError.error_type,
)
NO_AGENT = PageError.like(InvalidRequestError, "Choose an agent to call.", param="agent_id")
UNKNOWN_SESSION = PageError.like(SessionNotFoundError, _FRIENDLY[SessionNotFoundError.code])
UNKNOWN_HOST = PageError(
    421,
    "host_not_allowed",
    "This page does not answer to that host name (CALLWRIGHT_WEB_ALLOWED_HOSTS).",
    "invalid_request_error",
)
SIGN_IN = PageError(
    401,
    "authentication_required",
    "Sign in to use this page.",
    AuthenticationError.error_type,
)
CONSOLE_OFF = PageError.like(
    NotFoundError, "The console is turned off on this server (CALLWRIGHT_WEB_CONSOLE)."
)
_BASIC_CHALLENGE = {"WWW-Authenticate": 'Basic realm="callwright", charset="UTF-8"'}


def too_many_calls(retry_after: int) -> PageError:
    return PageError.like(
        RateLimitedError,
        f"Too many calls from this browser. Try again in {retry_after} seconds.",
        retry_after=str(retry_after),
    )


# --- who may use the page ----------------------------------------------------------------


class PageAccessMiddleware:
    """Every request but /healthz must name an allowed host (a DNS-rebinding page sends
    its own name), then carry the operator's basic-auth credentials when they are set."""

    def __init__(self, app: ASGIApp, *, settings: WebSettings) -> None:
        self.app = app
        self._hosts = settings.host_names()
        credentials = settings.basic_auth
        self._credentials = credentials.get_secret_value().encode() if credentials else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] == "/healthz":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if _host_name(headers.get("host", "")) not in self._hosts:
            await UNKNOWN_HOST.response()(scope, receive, send)
        elif self._credentials is not None and not self._signed_in(headers):
            await SIGN_IN.response(_BASIC_CHALLENGE)(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    def _signed_in(self, headers: Headers) -> bool:
        assert self._credentials is not None
        scheme, _, encoded = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            given = base64.b64decode(encoded.strip(), validate=True)
        except (binascii.Error, ValueError):
            return False
        return hmac.compare_digest(given, self._credentials)


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


# --- the app -----------------------------------------------------------------------------


class _Issuer:
    """The issuer's HTTP API, called with the key this server holds."""

    def __init__(self, client: httpx.AsyncClient, api_key: SecretStr) -> None:
        self._client = client
        self._api_key = api_key

    async def request(
        self, method: str, path: str, *, json: dict[str, Any] | None = None
    ) -> httpx.Response:
        return await self._client.request(
            method, path, json=json, headers={"X-API-Key": self._api_key.get_secret_value()}
        )


def _issuer(request: Request) -> _Issuer | None:
    settings: WebSettings = request.app.state.settings
    if settings.api_key is None or not settings.api_key.get_secret_value():
        return None
    return _Issuer(request.app.state.http, settings.api_key)


async def _ask_issuer(
    request: Request, method: str, path: str, *, json: dict[str, Any] | None = None
) -> httpx.Response | PageError:
    """The issuer's 200 answer, or the error to show on the page."""
    issuer = _issuer(request)
    if issuer is None:
        return NO_API_KEY
    try:
        response = await issuer.request(method, path, json=json)
    except httpx.HTTPError:
        logger.warning("issuer unreachable", extra={"path": path})
        return ISSUER_UNREACHABLE
    if response.status_code != 200:
        return friendly_error(response)
    return response


def _is_json(request: Request) -> bool:
    """POSTs must be JSON: a cross-site form cannot send that without a CORS preflight,
    which this server never grants, so another site cannot place calls on our key."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return content_type == "application/json"


def _not_built(static_dir: Path) -> HTMLResponse:
    return HTMLResponse(
        "<!doctype html><title>callwright</title><h1>The page is not built</h1>"
        f"<p>No bundle in <code>{static_dir}</code>: run <code>make web-build</code>.</p>",
        status_code=503,
    )


def create_app(
    settings: WebSettings | None = None, *, transport: httpx.AsyncBaseTransport | None = None
) -> FastAPI:
    """Build the page backend; `transport` lets a test reach an in-process issuer."""
    settings = settings or WebSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = settings
        async with httpx.AsyncClient(
            base_url=settings.issuer_url,
            transport=transport,
            timeout=settings.issuer_timeout_seconds,
        ) as client:
            app.state.http = client
            yield

    app = FastAPI(
        title="callwright page", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None
    )
    app.add_middleware(BodyLimitMiddleware)
    app.add_middleware(PageAccessMiddleware, settings=settings)
    call_limit = CallRateLimit(burst=settings.call_burst, per_minute=settings.calls_per_minute)

    async def on_too_large(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestTooLargeError)
        return PageError.like(type(exc), exc.message).response()

    app.add_exception_handler(RequestTooLargeError, on_too_large)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/api/config", response_model=PageConfig)
    async def config(request: Request) -> PageConfig:
        missing = settings.missing_provider_keys()
        missing_keys = [MissingKey(name=n, needed_for=_KEY_PURPOSES[n]) for n in sorted(missing)]
        answer = await _ask_issuer(request, "GET", "/v1/agents?limit=100")
        if isinstance(answer, PageError):
            return PageConfig(agents=[], missing_keys=missing_keys, error=answer.body()["error"])
        agents = [
            AgentChoice(
                id=agent["id"],
                name=agent["name"],
                architecture=agent["architecture"],
                missing_keys=sorted(keys_needed(agent) & missing),
                variables=[
                    VariableField(name=name, **{k: spec.get(k) for k in _VARIABLE_KEYS})
                    for name, spec in (agent.get("variables") or {}).items()
                    if not spec.get("secret")
                ],
            )
            for agent in answer.json()["data"]
            if agent["architecture"] in SESSION_ARCHITECTURES[SessionKind.VOICE]
        ]
        return PageConfig(agents=agents, missing_keys=missing_keys)

    @app.post("/api/call", response_model=CallCreated)
    async def call(request: Request) -> Response | CallCreated:
        if not _is_json(request):
            return NOT_JSON.response()
        client = request.client.host if request.client else "unknown"
        if (wait := call_limit.take(client)) is not None:
            return too_many_calls(wait).response()
        try:
            body = CallCreate.model_validate_json(await request.body())
        except ValidationError:
            return NO_AGENT.response()
        create: dict[str, Any] = {"agent_id": body.agent_id}
        if body.variables:
            create["variables"] = body.variables
        answer = await _ask_issuer(request, "POST", "/v1/sessions/voice", json=create)
        if isinstance(answer, PageError):
            return answer.response()
        return CallCreated.model_validate(answer.json())

    @app.post("/api/calls/{session_id}/end", response_model=CallEnded)
    async def end_call(request: Request, session_id: str) -> Response | CallEnded:
        if not _is_json(request):
            return NOT_JSON.response()
        if not SESSION_ID.fullmatch(session_id):
            return UNKNOWN_SESSION.response()
        answer = await _ask_issuer(request, "POST", f"/v1/sessions/{session_id}/end")
        if isinstance(answer, PageError):
            return answer.response()
        session = answer.json()
        return CallEnded(
            session_id=session["id"],
            status=session["status"],
            end_reason=session["end_reason"],
            duration_seconds=session["duration_seconds"],
            credits_charged=session["credits_charged"],
        )

    @app.post("/api/calls/{session_id}/rejoin", response_model=CallRejoined)
    async def rejoin_call(request: Request, session_id: str) -> Response | CallRejoined:
        """After a reload: the same call, if it is still open (the worker waits for the
        user for CALLWRIGHT_REJOIN_GRACE_SECONDS); 409 `session_ended` once it is over."""
        if not _is_json(request):
            return NOT_JSON.response()
        if not SESSION_ID.fullmatch(session_id):
            return UNKNOWN_SESSION.response()
        token = await _ask_issuer(request, "POST", f"/v1/sessions/{session_id}/token")
        if isinstance(token, PageError):
            return token.response()
        session = await _ask_issuer(request, "GET", f"/v1/sessions/{session_id}")
        if isinstance(session, PageError):
            return session.response()
        said = [
            SaidBefore(speaker="user" if t["role"] == "user" else "agent", text=t["content"])
            for t in session.json().get("transcript") or []
            if t.get("role") in ("user", "assistant")
        ]
        return CallRejoined.model_validate({**token.json(), "transcript": said})

    if settings.console:
        from callwright.console import console_router  # console.py builds on this module

        app.include_router(console_router(settings))
    else:

        @app.get("/console/{rest:path}", include_in_schema=False)
        @app.get("/api/console/{rest:path}", include_in_schema=False)
        async def console_off(rest: str) -> Response:
            return CONSOLE_OFF.response()

    static_dir = settings.static_dir
    if (static_dir / "index.html").is_file():
        app.mount("/", StaticFiles(directory=static_dir, html=True), name="page")
    else:
        logger.warning("page bundle missing", extra={"static_dir": str(static_dir)})

        @app.get("/")
        async def not_built() -> HTMLResponse:
            return _not_built(static_dir)

    return app


def serve(*, host: str | None = None, port: int | None = None) -> None:
    """`callwright web`: serve the page and its backend with uvicorn."""
    import uvicorn

    settings = WebSettings()
    logging.basicConfig(level=logging.INFO)
    host = host or settings.host
    if settings.basic_auth is None and not is_loopback(host):
        # Anyone who reaches the page spends the organization's credits (review F3).
        sys.exit(
            f"callwright web: refusing to listen on {host} without CALLWRIGHT_WEB_BASIC_AUTH "
            "(user:password); only a loopback address may serve the page without it."
        )
    uvicorn.run(
        create_app(settings),
        host=host,
        port=port or settings.port,
        log_level="info",
        access_log=False,
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
    )

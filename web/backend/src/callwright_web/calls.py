"""The call page's routes: what the browser needs to place, rejoin and end a call.

GET  /api/config                  agents to call + provider keys the workers lack
POST /api/call {agent_id}         Create Voice Session → {session_id, token, livekit_url, …}
POST /api/calls/{session_id}/end  End Session → {status, duration_seconds, credits_charged, …}
POST /api/calls/{session_id}/rejoin  after a reload: a fresh token for the same call

A call's controls answer only the browser that placed it (callwright_web.call_cookie) and
are rate-limited per client; a call forwards only the variables /api/config offered.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from callwright_web.access import CallRateLimit
from callwright_web.call_cookie import CallCookie
from callwright_web.errors import (
    INVALID_REQUEST,
    NO_AGENT,
    NOT_JSON,
    NOT_YOUR_CALL,
    SESSION_ID,
    UNKNOWN_SESSION,
    PageError,
    too_many,
)
from callwright_web.issuer_client import ask_issuer
from callwright_web.providers import KEY_PURPOSES, VOICE_ARCHITECTURES, keys_needed
from callwright_web.settings import WebSettings

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


# An agent id as the API spells it, before it goes into an issuer path.
SAFE_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_VARIABLE_KEYS = ("type", "required", "default", "description")
# Rejoins and hang-ups one client may send at once before the per-minute rate applies.
_CONTROL_BURST = 10


def offered_variables(agent: dict[str, Any]) -> list[VariableField]:
    """The variables the page asks for: the agent's declared, non-secret ones."""
    return [
        VariableField(name=name, **{k: spec.get(k) for k in _VARIABLE_KEYS})
        for name, spec in (agent.get("variables") or {}).items()
        if not spec.get("secret")
    ]


def _is_json(request: Request) -> bool:
    """POSTs must be JSON: a cross-site form cannot send that without a CORS preflight,
    which this server never grants, so another site cannot place calls on our key."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return content_type == "application/json"


# --- routes ------------------------------------------------------------------------------


def calls_router(settings: WebSettings) -> APIRouter:
    router = APIRouter(prefix="/api")
    call_limit = CallRateLimit(burst=settings.call_burst, per_minute=settings.calls_per_minute)
    control_limit = CallRateLimit(
        burst=_CONTROL_BURST, per_minute=settings.call_controls_per_minute
    )
    secret = settings.cookie_secret
    cookie = CallCookie(secret.get_secret_value() if secret else None)

    def control_refused(request: Request, session_id: str) -> Response | None:
        """Why this browser may not rejoin or end `session_id`, or None when it may."""
        if not _is_json(request):
            return NOT_JSON.response()
        client = request.client.host if request.client else "unknown"
        if (wait := control_limit.take(client)) is not None:
            return too_many("requests", wait).response()
        if not SESSION_ID.fullmatch(session_id):
            return UNKNOWN_SESSION.response()
        if not cookie.placed(request, session_id):
            return NOT_YOUR_CALL.response()
        return None

    @router.get("/config", response_model=PageConfig)
    async def config(request: Request) -> PageConfig:
        missing = settings.missing_provider_keys()
        missing_keys = [MissingKey(name=n, needed_for=KEY_PURPOSES[n]) for n in sorted(missing)]
        answer = await ask_issuer(request, "GET", "/v1/agents?limit=100")
        if isinstance(answer, PageError):
            return PageConfig(agents=[], missing_keys=missing_keys, error=answer.body()["error"])
        agents = [
            AgentChoice(
                id=agent["id"],
                name=agent["name"],
                architecture=agent["architecture"],
                missing_keys=sorted(keys_needed(agent) & missing),
                variables=offered_variables(agent),
            )
            for agent in answer.json()["data"]
            if agent["architecture"] in VOICE_ARCHITECTURES
        ]
        return PageConfig(agents=agents, missing_keys=missing_keys)

    @router.post("/call", response_model=CallCreated)
    async def call(request: Request) -> Response | CallCreated:
        if not _is_json(request):
            return NOT_JSON.response()
        client = request.client.host if request.client else "unknown"
        if (wait := call_limit.take(client)) is not None:
            return too_many("calls", wait).response()
        try:
            body = CallCreate.model_validate_json(await request.body())
        except ValidationError:
            return NO_AGENT.response()
        create: dict[str, Any] = {"agent_id": body.agent_id}
        if body.variables:
            # Only what /api/config offered: a secret variable, or one meant for the
            # tenant's own backend, is never the browser's to set.
            if not SAFE_ID.fullmatch(body.agent_id):
                return NO_AGENT.response()
            agent = await ask_issuer(request, "GET", f"/v1/agents/{body.agent_id}")
            if isinstance(agent, PageError):
                return agent.response()
            offered = {field.name for field in offered_variables(agent.json())}
            for name in body.variables:
                if name not in offered:
                    return PageError.like(
                        INVALID_REQUEST,
                        f"This agent does not ask for '{name[:64]}' on this page.",
                        param=f"variables.{name[:64]}",
                    ).response()
            create["variables"] = body.variables
        answer = await ask_issuer(request, "POST", "/v1/sessions/voice", json=create)
        if isinstance(answer, PageError):
            return answer.response()
        created = CallCreated.model_validate(answer.json())
        response = JSONResponse(created.model_dump(mode="json"))
        cookie.add(request, response, created.session_id)
        return response

    @router.post("/calls/{session_id}/end", response_model=CallEnded)
    async def end_call(request: Request, session_id: str) -> Response | CallEnded:
        if (refused := control_refused(request, session_id)) is not None:
            return refused
        answer = await ask_issuer(request, "POST", f"/v1/sessions/{session_id}/end")
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

    @router.post("/calls/{session_id}/rejoin", response_model=CallRejoined)
    async def rejoin_call(request: Request, session_id: str) -> Response | CallRejoined:
        """After a reload: the same call, if it is still open (the worker waits for the
        user for CALLWRIGHT_REJOIN_GRACE_SECONDS); 409 `session_ended` once it is over."""
        if (refused := control_refused(request, session_id)) is not None:
            return refused
        token = await ask_issuer(request, "POST", f"/v1/sessions/{session_id}/token")
        if isinstance(token, PageError):
            return token.response()
        session = await ask_issuer(request, "GET", f"/v1/sessions/{session_id}")
        if isinstance(session, PageError):
            return session.response()
        said = [
            SaidBefore(speaker="user" if t["role"] == "user" else "agent", text=t["content"])
            for t in session.json().get("transcript") or []
            if t.get("role") in ("user", "assistant")
        ]
        return CallRejoined.model_validate({**token.json(), "transcript": said})

    return router

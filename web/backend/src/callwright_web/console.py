"""The operator console's backend: routes of the page backend (callwright_web.app).

    GET /api/console/agents            the organization's agents, for the filters
    GET /api/console/sessions          its sessions, filtered, newest first, keyset-paginated
    GET /api/console/sessions/{id}     one session: transcript and timeline, per-turn
                                       latency (the chart's bars), cost and end reason
    GET /api/console/sessions/{id}/recording
                                       its recording's file, fetched by this server from
                                       the short-lived link the issuer gives (that link may
                                       name an address only this server reaches: the
                                       issuer's own, or the object store's)

A session's view carries its post-call analysis (summary, success, extracted data) when
its agent asks for one.

How it authenticates: exactly as the call page does. The page backend calls the issuer
with the one key it holds (CALLWRIGHT_WEB_API_KEY); the issuer scopes every answer to
that key's organization, so the console shows that organization and no other (another
organization's session id is 404 from the issuer). The browser never receives the key:
it only talks to these routes, which answer the models below (no session `config` or
`metadata`), behind the page's access policy (Host allowlist, basic auth beyond the
loopback) and a per-client rate limit of their own. CALLWRIGHT_WEB_CONSOLE=false turns
the console off where the page's callers may not read the organization's transcripts.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode

import httpx
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel
from starlette.background import BackgroundTask

from callwright_web.access import CallRateLimit
from callwright_web.errors import (
    RECORDING_UNREACHABLE,
    SESSION_ID,
    UNKNOWN_SESSION,
    PageError,
    too_many,
)
from callwright_web.issuer_client import ask_issuer as ask
from callwright_web.settings import WebSettings
from callwright_web.timeline import LatencySummary, TranscriptEntry, TurnLatency

# Requests one client may send at once before CALLWRIGHT_WEB_CONSOLE_REQUESTS_PER_MINUTE
# applies (opening a session asks for two; a filter change for one).
CONSOLE_BURST = 30


class ConsoleAgent(BaseModel):
    id: str
    name: str
    architecture: str


class ConsoleAgents(BaseModel):
    agents: list[ConsoleAgent]


class SessionRow(BaseModel):
    """One line of the console's list: what tells calls apart at a glance."""

    id: str
    kind: str
    agent_id: str
    status: str
    end_reason: str | None
    created_at: datetime
    duration_seconds: float
    credits_charged: int
    user_turns: int
    agent_turns: int
    e2e_p50_ms: float | None


class SessionPage(BaseModel):
    """`starting_after` for the next page is the last row's id (the API's keyset)."""

    data: list[SessionRow]
    has_more: bool


class TurnBar(BaseModel):
    """One agent turn of the latency chart: its own latency parts and the end-of-turn
    and transcription delays of the user turn it answered (None for a greeting)."""

    turn: int
    at: datetime | None
    text: str
    interrupted: bool
    latency: TurnLatency


class ConsoleRecording(BaseModel):
    """What the player needs: whether the file is there, and where it starts on the
    call's clock (a turn's `started_speaking_at` minus `started_at` is its place in it)."""

    status: str
    duration_seconds: float | None = None
    started_at: datetime | None = None


class ConsoleAnalysis(BaseModel):
    """The session's post-call analysis as the issuer answers it (its `analysis`):
    `pending`, `succeeded`, `failed` or `skipped`; the rest only once it ran."""

    status: str
    summary: str | None = None
    success: bool | None = None
    data: dict[str, Any] | None = None
    model: str | None = None
    completed_at: datetime | None = None
    error: str | None = None


class SessionView(BaseModel):
    id: str
    kind: str
    agent_id: str
    user_id: str
    status: str
    end_reason: str | None
    created_at: datetime
    started_at: datetime | None
    ended_at: datetime | None
    duration_seconds: float
    credits_per_minute: int | None
    credits_per_message: int | None
    credits_held: int
    credits_charged: int
    usage: dict[str, Any] | None
    latency: LatencySummary
    items: list[TranscriptEntry]
    turns: list[TurnBar]
    recording: ConsoleRecording | None = None
    analysis: ConsoleAnalysis | None = None


def turn_bars(items: list[TranscriptEntry]) -> list[TurnBar]:
    """The agent turns in time order, each with the user turn before it folded in."""
    bars: list[TurnBar] = []
    answered: TurnLatency | None = None
    for item in items:
        if item.role == "user":
            answered = item.latency
        elif item.role == "assistant":
            own = item.latency or TurnLatency()
            user = answered or TurnLatency()
            latency = own.model_copy(
                update={
                    "end_of_turn_ms": own.end_of_turn_ms or user.end_of_turn_ms,
                    "transcription_ms": own.transcription_ms or user.transcription_ms,
                }
            )
            bars.append(
                TurnBar(
                    turn=len(bars) + 1,
                    at=item.started_speaking_at or item.at,
                    text=item.content,
                    interrupted=bool(item.interrupted),
                    latency=latency,
                )
            )
            answered = None
    return bars


def _row(session: dict[str, Any]) -> SessionRow:
    latency = LatencySummary.model_validate(session["latency"])
    return SessionRow(
        id=session["id"],
        kind=session["kind"],
        agent_id=session["agent_id"],
        status=session["status"],
        end_reason=session["end_reason"],
        created_at=session["created_at"],
        duration_seconds=session["duration_seconds"],
        credits_charged=session["credits_charged"],
        user_turns=latency.turns.user,
        agent_turns=latency.turns.agent,
        e2e_p50_ms=latency.e2e_ms.p50 if latency.e2e_ms else None,
    )


def console_router(settings: WebSettings) -> APIRouter:
    router = APIRouter(prefix="/api/console")
    limit = CallRateLimit(burst=CONSOLE_BURST, per_minute=settings.console_requests_per_minute)

    async def ask_issuer(request: Request, path: str) -> httpx.Response | PageError:
        """The issuer's 200 answer, or the error to show; each request takes a token."""
        client = request.client.host if request.client else "unknown"
        if (wait := limit.take(client)) is not None:
            return too_many("requests", wait)
        return await ask(request, "GET", path)

    @router.get("/agents", response_model=ConsoleAgents)
    async def agents(request: Request) -> Response | ConsoleAgents:
        answer = await ask_issuer(request, "/v1/agents?limit=100")
        if isinstance(answer, PageError):
            return answer.response()
        return ConsoleAgents(
            agents=[ConsoleAgent.model_validate(agent) for agent in answer.json()["data"]]
        )

    @router.get("/sessions", response_model=SessionPage)
    async def sessions(
        request: Request,
        agent_id: str | None = None,
        status: str | None = None,
        end_reason: str | None = None,
        start: Annotated[str | None, Query(alias="from")] = None,
        end: Annotated[str | None, Query(alias="to")] = None,
        starting_after: str | None = None,
        limit: str | None = None,
    ) -> Response | SessionPage:
        # Passed on as they are: the issuer validates them and says which one is wrong.
        given = {
            "agent_id": agent_id,
            "status": status,
            "end_reason": end_reason,
            "from": start,
            "to": end,
            "starting_after": starting_after,
            "limit": limit,
        }
        query = urlencode({name: value for name, value in given.items() if value})
        answer = await ask_issuer(request, f"/v1/sessions?{query}")
        if isinstance(answer, PageError):
            return answer.response()
        page = answer.json()
        return SessionPage(data=[_row(s) for s in page["data"]], has_more=page["has_more"])

    @router.get("/sessions/{session_id}", response_model=SessionView)
    async def session(request: Request, session_id: str) -> Response | SessionView:
        if not SESSION_ID.fullmatch(session_id):
            return UNKNOWN_SESSION.response()
        answer = await ask_issuer(request, f"/v1/sessions/{session_id}")
        if isinstance(answer, PageError):
            return answer.response()
        timeline = await ask_issuer(request, f"/v1/sessions/{session_id}/timeline")
        if isinstance(timeline, PageError):
            return timeline.response()
        found = answer.json()
        items = [TranscriptEntry.model_validate(item) for item in timeline.json()["items"]]
        return SessionView.model_validate(
            {
                **{name: found[name] for name in SessionView.model_fields if name in found},
                "latency": timeline.json()["latency"],
                "items": items,
                "turns": turn_bars(items),
            }
        )

    @router.get("/sessions/{session_id}/recording")
    async def recording(request: Request, session_id: str) -> Response:
        if not SESSION_ID.fullmatch(session_id):
            return UNKNOWN_SESSION.response()
        answer = await ask_issuer(request, f"/v1/sessions/{session_id}/recording")
        if isinstance(answer, PageError):
            return answer.response()
        http: httpx.AsyncClient = request.app.state.http
        try:
            # An absolute URL: the client's issuer base and key do not apply to it.
            download = await http.send(http.build_request("GET", answer.json()["url"]), stream=True)
        except httpx.HTTPError:
            return RECORDING_UNREACHABLE.response()
        if download.status_code != 200:
            await download.aclose()
            return RECORDING_UNREACHABLE.response()
        return StreamingResponse(
            download.aiter_bytes(),
            media_type="audio/ogg",
            headers={"Cache-Control": "no-store"},
            background=BackgroundTask(download.aclose),
        )

    return router

"""/v1/sessions: create voice and chat sessions, send messages, read sessions, end them."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Response
from fastapi.responses import JSONResponse, StreamingResponse

from callwright_issuer.http.deps import (
    BackgroundTasksDep,
    ChatModelDep,
    CurrentKey,
    DbSessionDep,
    IdempotencyKeyHeader,
    RoomsDep,
    SessionFactoryDep,
    SettingsDep,
    body_schema,
    json_body,
)
from callwright_issuer.http.error_handlers import as_callwright_error
from callwright_issuer.http.parameters import checked_parameters
from callwright_issuer.http.rate_limits import CreationAllowed, ReadAllowed, TokenAllowed
from callwright_issuer.schemas import (
    ChatSessionCreate,
    ChatSessionCreated,
    MessageCreate,
    MessageReply,
    SessionList,
    VoiceSessionCreate,
    VoiceSessionCreated,
    error_responses,
)
from callwright_issuer.sessions.chat import (
    MessageRun,
    ReplyDelta,
    create_chat_session,
    start_message,
)
from callwright_issuer.sessions.ending import end_session
from callwright_issuer.sessions.voice import create_voice_session, rejoin_token
from callwright_shared.db.models import EndReason, SessionKind, SessionStatus
from callwright_shared.sessions import lifecycle as sessions
from callwright_shared.sessions.public import SessionPublic, SessionTimeline

router = APIRouter(
    prefix="/v1/sessions", tags=["sessions"], dependencies=[Depends(checked_parameters)]
)

REPLAYED_HEADER = "Idempotent-Replayed"
EVENT_STREAM = "text/event-stream"


@router.post(
    "/voice",
    response_model=VoiceSessionCreated,
    openapi_extra=body_schema(VoiceSessionCreate),
    responses=error_responses(400, 401, 402, 404, 409, 413, 429, 503),
)
async def create_voice(
    *,
    key: CurrentKey,
    _allowed: CreationAllowed,
    body: Annotated[VoiceSessionCreate, Depends(json_body(VoiceSessionCreate))],
    db: DbSessionDep,
    rooms: RoomsDep,
    settings: SettingsDep,
    response: Response,
    idempotency_key: IdempotencyKeyHeader = None,
) -> VoiceSessionCreated:
    created = await create_voice_session(
        db, key=key, body=body, rooms=rooms, settings=settings, idempotency_key=idempotency_key
    )
    if created.replayed:
        response.headers[REPLAYED_HEADER] = "true"
    return created.response


@router.post(
    "/chat",
    response_model=ChatSessionCreated,
    openapi_extra=body_schema(ChatSessionCreate),
    responses=error_responses(400, 401, 402, 404, 409, 413, 429, 503),
)
async def create_chat(
    *,
    key: CurrentKey,
    _allowed: CreationAllowed,
    body: Annotated[ChatSessionCreate, Depends(json_body(ChatSessionCreate))],
    db: DbSessionDep,
    settings: SettingsDep,
    response: Response,
    idempotency_key: IdempotencyKeyHeader = None,
) -> ChatSessionCreated:
    created = await create_chat_session(
        db, key=key, body=body, settings=settings, idempotency_key=idempotency_key
    )
    if created.replayed:
        response.headers[REPLAYED_HEADER] = "true"
    return created.response


@router.post(
    "/{session_id}/messages",
    response_model=MessageReply,
    openapi_extra=body_schema(MessageCreate),
    responses={
        200: {
            "description": "The reply; server-sent events (`message.delta` …, then "
            "`message.completed` or `error`) when the request accepts text/event-stream.",
            "content": {EVENT_STREAM: {"schema": {"type": "string"}}},
        },
        **error_responses(400, 401, 402, 404, 409, 413, 502, 503),
    },
)
async def send_message(
    *,
    session_id: str,
    key: CurrentKey,
    body: Annotated[MessageCreate, Depends(json_body(MessageCreate))],
    db: DbSessionDep,
    model: ChatModelDep,
    session_factory: SessionFactoryDep,
    tasks: BackgroundTasksDep,
    settings: SettingsDep,
    accept: Annotated[str | None, Header()] = None,
) -> Response:
    streamed = accept is not None and EVENT_STREAM in accept.lower()
    run = await start_message(
        db,
        key=key,
        session_id=session_id,
        body=body,
        model=model,
        session_factory=session_factory,
        tasks=tasks,
        settings=settings,
        streamed=streamed,
    )
    if streamed:
        return StreamingResponse(
            _server_sent_events(run),
            media_type=EVENT_STREAM,
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )
    reply = await run.result()
    return JSONResponse(reply.model_dump(mode="json"))


def _sse(event: str, data: dict[str, Any]) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n".encode()


async def _server_sent_events(run: MessageRun) -> AsyncIterator[bytes]:
    async for event in run.events():
        if isinstance(event, ReplyDelta):
            yield _sse("message.delta", {"content": event.content})
        elif isinstance(event, MessageReply):
            yield _sse("message.completed", event.model_dump(mode="json"))
        else:
            yield _sse("error", as_callwright_error(event).body())


@router.get("", response_model=SessionList, responses=error_responses(400, 401, 404, 429))
async def list_sessions(
    *,
    key: CurrentKey,
    _allowed: ReadAllowed,
    db: DbSessionDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    starting_after: Annotated[str | None, Query(max_length=64)] = None,
    agent_id: Annotated[str | None, Query(max_length=64)] = None,
    kind: SessionKind | None = None,
    status: SessionStatus | None = None,
    end_reason: EndReason | None = None,
    start: Annotated[datetime | None, Query(alias="from")] = None,
    end: Annotated[datetime | None, Query(alias="to")] = None,
) -> SessionList:
    """Every filter given must match: `agent_id`, `kind`, `status`, `end_reason`, and
    `created_at` in [from, to) (ISO 8601, UTC when no offset; either may be left out).
    `starting_after` is the previous page's last id, with the same filters."""
    created_from, created_to = sessions.created_range(start, end)
    where = sessions.SessionFilter(
        agent_id=agent_id,
        kind=kind,
        status=status,
        end_reason=end_reason,
        created_from=created_from,
        created_to=created_to,
    )
    rows, has_more = await sessions.list_sessions(
        db, org_id=key.org_id, limit=limit, starting_after=starting_after, where=where
    )
    return SessionList(data=[SessionPublic.of(r) for r in rows], has_more=has_more)


@router.get("/{session_id}", response_model=SessionPublic, responses=error_responses(400, 401, 404))
async def get_session(*, session_id: str, key: CurrentKey, db: DbSessionDep) -> SessionPublic:
    return SessionPublic.of(
        await sessions.get_session(db, org_id=key.org_id, session_id=session_id)
    )


@router.get(
    "/{session_id}/timeline",
    response_model=SessionTimeline,
    responses=error_responses(400, 401, 404),
)
async def timeline(*, session_id: str, key: CurrentKey, db: DbSessionDep) -> SessionTimeline:
    """The session's turns (speaking times, per-turn latency parts) and events in time
    order, with its latency summary. A call in progress shows what its worker flushed
    with its last heartbeat (about every 5 s)."""
    return SessionTimeline.of(
        await sessions.get_session(db, org_id=key.org_id, session_id=session_id)
    )


@router.post(
    "/{session_id}/token",
    response_model=VoiceSessionCreated,
    responses=error_responses(400, 401, 404, 409, 429),
)
async def token(
    *,
    session_id: str,
    key: CurrentKey,
    _allowed: TokenAllowed,
    db: DbSessionDep,
    settings: SettingsDep,
) -> VoiceSessionCreated:
    """A fresh participant token for the same room and user while the session is
    `created` or `active` (a reload, a second device, a dropped network: the worker waits
    CALLWRIGHT_REJOIN_GRACE_SECONDS for the user); 409 `session_ended` after that. The
    session's time limit and hold are unchanged. Only a key of the session's user may
    ask (another user's session is 404), and it is rate-limited per key."""
    return await rejoin_token(db, key=key, session_id=session_id, settings=settings)


@router.post(
    "/{session_id}/end",
    response_model=SessionPublic,
    responses=error_responses(400, 401, 404, 503),
)
async def end(
    *, session_id: str, key: CurrentKey, db: DbSessionDep, rooms: RoomsDep, settings: SettingsDep
) -> SessionPublic:
    row = await end_session(
        db,
        org_id=key.org_id,
        session_id=session_id,
        rooms=rooms,
        grace_seconds=settings.worker_heartbeat_grace_seconds,
    )
    return SessionPublic.of(row)

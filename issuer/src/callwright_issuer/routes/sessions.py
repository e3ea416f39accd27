"""/v1/sessions: create voice sessions, read them, end them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from callwright_issuer.deps import (
    CurrentKey,
    DbSessionDep,
    RoomsDep,
    SettingsDep,
    body_schema,
    json_body,
)
from callwright_issuer.schemas import (
    SessionList,
    SessionPublic,
    VoiceSessionCreate,
    VoiceSessionCreated,
)
from callwright_issuer.session_ending import end_session
from callwright_issuer.voice_sessions import create_voice_session
from callwright_shared import sessions

router = APIRouter(prefix="/v1/sessions", tags=["sessions"])


@router.post(
    "/voice",
    response_model=VoiceSessionCreated,
    openapi_extra=body_schema(VoiceSessionCreate),
)
async def create_voice(
    *,
    key: CurrentKey,
    body: Annotated[VoiceSessionCreate, Depends(json_body(VoiceSessionCreate))],
    db: DbSessionDep,
    rooms: RoomsDep,
    settings: SettingsDep,
) -> VoiceSessionCreated:
    return await create_voice_session(db, key=key, body=body, rooms=rooms, settings=settings)


@router.get("", response_model=SessionList)
async def list_sessions(
    *,
    key: CurrentKey,
    db: DbSessionDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    starting_after: Annotated[str | None, Query(max_length=64)] = None,
) -> SessionList:
    rows, has_more = await sessions.list_sessions(
        db, org_id=key.org_id, limit=limit, starting_after=starting_after
    )
    return SessionList(data=[SessionPublic.of(r) for r in rows], has_more=has_more)


@router.get("/{session_id}", response_model=SessionPublic)
async def get_session(*, session_id: str, key: CurrentKey, db: DbSessionDep) -> SessionPublic:
    return SessionPublic.of(
        await sessions.get_session(db, org_id=key.org_id, session_id=session_id)
    )


@router.post("/{session_id}/end", response_model=SessionPublic)
async def end(
    *, session_id: str, key: CurrentKey, db: DbSessionDep, rooms: RoomsDep
) -> SessionPublic:
    row = await end_session(db, org_id=key.org_id, session_id=session_id, rooms=rooms)
    return SessionPublic.of(row)

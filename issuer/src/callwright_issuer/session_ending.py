"""End Session (`POST /v1/sessions/{id}/end`): idempotent, one charge whoever ends first.

For a voice session the room is deleted first — that disconnects the user and tells the
worker to wrap up — then the session is settled with the agent time recorded so far
(`api_ended`). If the worker settles first (it has the exact time), this changes nothing.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from callwright_issuer.livekit_rooms import Rooms
from callwright_shared import sessions
from callwright_shared.db.models import EndReason, Session, SessionKind


async def end_session(db: AsyncSession, *, org_id: str, session_id: str, rooms: Rooms) -> Session:
    row = await sessions.get_session(db, org_id=org_id, session_id=session_id)
    if row.settled_at is not None:
        return row
    if row.kind is SessionKind.VOICE and row.room_name is not None:
        await rooms.delete_room(row.room_name)
    await sessions.settle(db, session_id, end_reason=EndReason.API_ENDED)
    await db.commit()
    await db.refresh(row)
    return row

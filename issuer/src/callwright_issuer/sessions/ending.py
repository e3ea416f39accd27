"""End Session (`POST /v1/sessions/{id}/end`): idempotent, one charge whoever ends first.

The reason is recorded first (`sessions.request_end`), so the session ends `api_ended`
whichever path settles it — the worker, a `participant_left` webhook that arrives
meanwhile, or the reconciler. For a voice session the room is deleted next — that
disconnects the user and tells the worker to wrap up. A live worker
(`heartbeats.worker_is_alive`) knows the exact agent time, transcript and usage, so the
issuer waits for its settlement (`WORKER_SETTLE_WAIT_S`); with no live worker (never
came, died) or past the wait, the issuer settles with the agent time of the last
heartbeat. Either way the settlement is the one exactly-once settlement.
"""

from __future__ import annotations

import asyncio
import time

from sqlalchemy.ext.asyncio import AsyncSession

from callwright_issuer.livekit.rooms import Rooms
from callwright_shared.calls.heartbeats import worker_is_alive
from callwright_shared.db.engine import org_write
from callwright_shared.db.models import EndReason, Session, SessionKind, utcnow
from callwright_shared.sessions import lifecycle as sessions

# The worker closes its agent session (bounded by 5 s) before it settles.
WORKER_SETTLE_WAIT_S = 8.0


async def _wait_for_settlement(db: AsyncSession, row: Session, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        await asyncio.sleep(0.1)
        await db.rollback()  # a fresh read each time, no snapshot held between polls
        await db.refresh(row)
        if row.settled_at is not None:
            return True
    return False


async def end_session(
    db: AsyncSession, *, org_id: str, session_id: str, rooms: Rooms, grace_seconds: float
) -> Session:
    row = await sessions.get_session(db, org_id=org_id, session_id=session_id)
    if row.settled_at is not None:
        return row
    await sessions.request_end(db, session_id, EndReason.API_ENDED)
    await db.commit()
    await db.refresh(row)
    if row.kind is SessionKind.VOICE and row.room_name is not None:
        alive = worker_is_alive(row, now=utcnow(), grace_seconds=grace_seconds)
        await rooms.delete_room(row.room_name)
        if alive and await _wait_for_settlement(db, row, WORKER_SETTLE_WAIT_S):
            return row
    async with org_write(db):
        await sessions.settle(db, session_id, end_reason=EndReason.API_ENDED)
    await db.refresh(row)
    return row

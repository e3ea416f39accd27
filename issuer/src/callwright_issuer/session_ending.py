"""End Session (`POST /v1/sessions/{id}/end`): idempotent, one charge whoever ends first.

For a voice session the room is deleted first — that disconnects the user and tells the
worker to wrap up. The worker knows the exact agent time, so the issuer gives it a moment
to settle (`WORKER_SETTLE_WAIT_S`); if it has not (no worker, a dead worker), the issuer
settles with the agent time of the worker's last heartbeat (`api_ended`). Either way the
settlement is the one exactly-once settlement: the second path changes nothing.
"""

from __future__ import annotations

import asyncio
import time

from sqlalchemy.ext.asyncio import AsyncSession

from callwright_issuer.livekit_rooms import Rooms
from callwright_shared import sessions
from callwright_shared.db.models import EndReason, Session, SessionKind

WORKER_SETTLE_WAIT_S = 3.0


async def _wait_for_settlement(db: AsyncSession, row: Session, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        await asyncio.sleep(0.1)
        await db.rollback()  # a fresh read each time, no snapshot held between polls
        await db.refresh(row)
        if row.settled_at is not None:
            return True
    return False


async def end_session(db: AsyncSession, *, org_id: str, session_id: str, rooms: Rooms) -> Session:
    row = await sessions.get_session(db, org_id=org_id, session_id=session_id)
    if row.settled_at is not None:
        return row
    if row.kind is SessionKind.VOICE and row.room_name is not None:
        await rooms.delete_room(row.room_name)
        if row.started_at is not None and await _wait_for_settlement(db, row, WORKER_SETTLE_WAIT_S):
            return row
    await sessions.settle(db, session_id, end_reason=EndReason.API_ENDED)
    await db.commit()
    await db.refresh(row)
    return row

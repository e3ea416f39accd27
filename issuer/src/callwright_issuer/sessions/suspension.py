"""A suspended organization's live calls end through End Session's own path
(`ending.end_session`): the room is deleted, the worker says nothing more and settles,
each session is charged once for what it used, and its webhooks go out as for any end."""

from __future__ import annotations

import asyncio

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from callwright_issuer.livekit.rooms import Rooms
from callwright_issuer.sessions.ending import end_session
from callwright_shared.db.models import Session

# Sessions ended at once: each may wait for its worker to settle.
_AT_ONCE = 8


async def end_live_sessions(
    session_factory: async_sessionmaker[AsyncSession],
    org_id: str,
    *,
    rooms: Rooms,
    grace_seconds: float,
) -> list[str]:
    """End every session of the organization not yet settled; their ids."""
    async with session_factory() as db:
        ids = list(
            (
                await db.execute(
                    select(Session.id).where(Session.org_id == org_id, Session.settled_at.is_(None))
                )
            ).scalars()
        )
    gate = asyncio.Semaphore(_AT_ONCE)

    async def end_one(session_id: str) -> None:
        async with gate, session_factory() as db:
            await end_session(
                db, org_id=org_id, session_id=session_id, rooms=rooms, grace_seconds=grace_seconds
            )

    await asyncio.gather(*(end_one(session_id) for session_id in ids))
    return ids

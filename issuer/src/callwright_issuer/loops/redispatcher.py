"""The re-dispatcher: a voice session that no worker took is dispatched again.

Self-hosted LiveKit never queues or retries a job: a dispatch made while no worker is
registered (the seconds after start-up, a restart, a deploy) or while every worker reports
itself full is dropped ("not dispatching agent job since no worker is available"), and a
job whose worker died is never handed to another. So every issuer runs this loop (every
CALLWRIGHT_REDISPATCH_INTERVAL_SECONDS, 0 turns it off). One pass dispatches the agent
again (AgentDispatchService.CreateDispatch on the existing room) into each voice session
that is still `created`, inside its join window, whose last dispatch is older than
CALLWRIGHT_REDISPATCH_AFTER_SECONDS, and that no live worker holds
(`heartbeats.worker_is_alive`), unless LiveKit shows a job still starting for it.

The agent is dispatched under the agent name of the room's first dispatch (what the
issuer that created it used), else this issuer's LIVEKIT_AGENT_NAME.

A second dispatch is harmless: the worker claims the session before it joins
(`heartbeats.claim`), so a job that finds it claimed by a live job, or no longer
`created`, leaves without a word. With several issuers, a conditional UPDATE on
`dispatched_at` lets one of them dispatch per interval.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from callwright_issuer.livekit.rooms import RoomDispatches, Rooms
from callwright_issuer.loops.background import every
from callwright_shared.calls.dispatch import DispatchMetadata
from callwright_shared.db.models import Session, SessionKind, SessionStatus, utcnow
from callwright_shared.errors import LiveKitUnavailableError
from callwright_shared.settings import IssuerSettings

logger = logging.getLogger(__name__)

# A job LiveKit still lists as pending or running but that has not claimed its session
# this long after the dispatch is taken to be lost (its worker died while starting it).
STUCK_JOB_S = 20.0
_BATCH = 200


@dataclass(frozen=True, slots=True)
class _Waiting:
    id: str
    org_id: str
    agent_id: str
    user_id: str
    room_name: str
    job_id: str | None
    dispatched_at: datetime | None


async def redispatch_once(
    session_factory: async_sessionmaker[AsyncSession],
    rooms: Rooms,
    settings: IssuerSettings,
    *,
    now: datetime | None = None,
) -> list[str]:
    """One pass; returns the ids of the sessions dispatched again."""
    now = now or utcnow()
    due = now - timedelta(seconds=settings.redispatch_after_seconds)
    stale = now - timedelta(seconds=settings.worker_heartbeat_grace_seconds)
    async with session_factory() as db:
        rows = (
            await db.execute(
                select(
                    Session.id,
                    Session.org_id,
                    Session.agent_id,
                    Session.user_id,
                    Session.room_name,
                    Session.job_id,
                    Session.dispatched_at,
                )
                .where(
                    Session.kind == SessionKind.VOICE,
                    Session.status == SessionStatus.CREATED,
                    Session.settled_at.is_(None),
                    Session.room_name.is_not(None),
                    Session.created_at > now - timedelta(seconds=settings.join_window_seconds),
                    or_(Session.dispatched_at.is_(None), Session.dispatched_at < due),
                    or_(Session.job_id.is_(None), Session.last_heartbeat_at < stale),
                )
                .order_by(Session.created_at)
                .limit(_BATCH)
            )
        ).all()
        await db.rollback()
    dispatched: list[str] = []
    waiting = [
        _Waiting(r.id, r.org_id, r.agent_id, r.user_id, r.room_name, r.job_id, r.dispatched_at)
        for r in rows
        if r.room_name is not None
    ]
    for row in waiting:
        try:
            room = await rooms.dispatches(row.room_name)
            if room is None:
                continue  # the room is gone: the reconciler closes the session
            if _starting(room, row, now=now):
                continue
            if not await _take_turn(session_factory, row.id, due=due, now=now):
                continue  # another issuer dispatched it
            await rooms.dispatch_agent(
                room_name=row.room_name,
                agent_name=room.agent_name or settings.livekit_agent_name,
                metadata=DispatchMetadata(
                    session_id=row.id,
                    agent_id=row.agent_id,
                    user_id=row.user_id,
                    org_id=row.org_id,
                ).to_json(),
            )
        except LiveKitUnavailableError:
            # The room may be gone (the reconciler closes such sessions) or LiveKit
            # down; the next pass tries again.
            logger.warning("re-dispatch failed", extra={"session_id": row.id})
            continue
        dispatched.append(row.id)
        logger.info("agent dispatched again", extra={"session_id": row.id})
    return dispatched


def _starting(room: RoomDispatches, row: _Waiting, *, now: datetime) -> bool:
    """A worker accepted the job and its process is starting: do not dispatch twice."""
    if row.job_id is not None:
        return False  # claimed, and its worker stopped beating: the job is lost
    if row.dispatched_at is not None and now - row.dispatched_at > timedelta(seconds=STUCK_JOB_S):
        return False
    return room.live_job


async def _take_turn(
    session_factory: async_sessionmaker[AsyncSession],
    session_id: str,
    *,
    due: datetime,
    now: datetime,
) -> bool:
    async with session_factory() as db, db.begin():
        result = await db.execute(
            update(Session)
            .where(
                Session.id == session_id,
                Session.status == SessionStatus.CREATED,
                Session.settled_at.is_(None),
                or_(Session.dispatched_at.is_(None), Session.dispatched_at < due),
            )
            .values(dispatched_at=now, dispatch_count=Session.dispatch_count + 1)
            .returning(Session.id)
        )
        return result.one_or_none() is not None


async def run_redispatcher(
    session_factory: async_sessionmaker[AsyncSession],
    rooms: Rooms,
    settings: IssuerSettings,
    stop: asyncio.Event,
) -> None:
    """Re-dispatch every CALLWRIGHT_REDISPATCH_INTERVAL_SECONDS until `stop` is set."""

    async def one_pass() -> None:
        await redispatch_once(session_factory, rooms, settings)

    await every(settings.redispatch_interval_seconds, stop, one_pass, name="redispatcher")

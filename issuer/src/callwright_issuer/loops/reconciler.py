"""The reconciler: closes the sessions that nobody else will, and settles them.

A background task of every issuer process (started in the app's lifespan, every
CALLWRIGHT_RECONCILE_INTERVAL_SECONDS, 0 turns it off). Several issuers may run it at
once: every closing goes through `sessions.settle`, which is exactly-once, and deleting a
room that is gone is not an error. One pass (`reconcile_once`), with G =
CALLWRIGHT_WORKER_HEARTBEAT_GRACE_SECONDS and J = CALLWRIGHT_JOIN_WINDOW_SECONDS:

- voice `created`, older than J + G → `user_not_joined` (nothing captured), or
  `worker_unavailable` when the user is in the room (the agent never came);
- voice `created`, older than G, its room gone → `user_not_joined`;
- voice `active`, last heartbeat (else its start) older than G and no agent in its room
  (or no room) → `worker_unavailable`, charged the agent time recorded so far;
- voice `active`, past its `max_duration_seconds` plus
  CALLWRIGHT_VOICE_OVERRUN_MARGIN_SECONDS since it started → `max_duration_reached`
  (`insufficient_credits` when the balance set the limit), charged the agent time
  recorded so far: the backstop of the worker's own time limit;
- chat, past its `expires_at` → `max_duration_reached` (nothing more to charge).

Each rule is a query of its own, paged by (created_at, id), so that no number of open
sessions another rule leaves alone (long chats, live calls) can hide a session from it.
The room of a closed voice session is deleted. A voice session whose heartbeat is stale
but whose agent is still in the room is left alone (a worker that does not heartbeat).
When LiveKit cannot be reached, rooms are not judged gone, and a stale heartbeat alone
closes an `active` session. Expired idempotency keys and old webhook ids are purged.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from callwright_issuer.livekit.rooms import RoomParticipant, Rooms
from callwright_issuer.loops.background import every
from callwright_shared.calls import livekit_events
from callwright_shared.db.engine import org_write
from callwright_shared.db.models import EndReason, Session, SessionKind, SessionStatus, utcnow
from callwright_shared.errors import LiveKitUnavailableError
from callwright_shared.sessions import idempotency
from callwright_shared.sessions import lifecycle as sessions
from callwright_shared.sessions.open_sessions import OpenSession, ends_before, open_sessions, pages
from callwright_shared.settings import IssuerSettings

logger = logging.getLogger(__name__)


@dataclass
class ReconcileReport:
    """What one pass did: session id → end reason of each session it settled."""

    closed: dict[str, EndReason] = field(default_factory=dict)
    livekit_reachable: bool = True


async def reconcile_once(
    session_factory: async_sessionmaker[AsyncSession],
    rooms: Rooms,
    settings: IssuerSettings,
    *,
    now: datetime | None = None,
) -> ReconcileReport:
    now = now or utcnow()
    grace = timedelta(seconds=settings.worker_heartbeat_grace_seconds)
    join_deadline = timedelta(seconds=settings.join_window_seconds) + grace
    report = ReconcileReport()
    voice_created = open_sessions(SessionKind.VOICE, SessionStatus.CREATED)
    voice_active = open_sessions(SessionKind.VOICE, SessionStatus.ACTIVE)

    never_joined = voice_created.where(Session.created_at < now - join_deadline)
    async for page in pages(session_factory, never_joined):
        for row in page:
            participants = await _participants(rooms, row, report)
            user_in_room = any(p.identity == row.user_id for p in participants or [])
            reason = EndReason.WORKER_UNAVAILABLE if user_in_room else EndReason.USER_NOT_JOINED
            await _close(session_factory, rooms, row, reason, report)

    young = voice_created.where(
        Session.created_at < now - grace,
        Session.created_at >= now - join_deadline,
        Session.room_name.is_not(None),
    )
    async for page in pages(session_factory, young):
        if not report.livekit_reachable:
            break
        try:
            existing = await rooms.existing_rooms([r.room_name for r in page if r.room_name])
        except LiveKitUnavailableError:
            report.livekit_reachable = False
            break
        for row in page:
            if row.room_name not in existing:
                await _close(session_factory, rooms, row, EndReason.USER_NOT_JOINED, report)

    last_beat = func.coalesce(Session.last_heartbeat_at, Session.started_at, Session.created_at)
    async for page in pages(session_factory, voice_active.where(last_beat < now - grace)):
        for row in page:
            participants = await _participants(rooms, row, report)
            if participants is not None and any(p.is_agent for p in participants):
                logger.warning(
                    "active session without heartbeat still has an agent in its room",
                    extra={"session_id": row.id},
                )
                continue
            await _close(session_factory, rooms, row, EndReason.WORKER_UNAVAILABLE, report)

    started = func.coalesce(Session.started_at, Session.created_at)
    overran = voice_active.where(ends_before(started, settings.voice_overrun_margin_seconds, now))
    async for page in pages(session_factory, overran):
        for row in page:
            reason = (
                EndReason.INSUFFICIENT_CREDITS
                if row.limited_by_credits
                else EndReason.MAX_DURATION_REACHED
            )
            await _close(session_factory, rooms, row, reason, report)

    expired = open_sessions(SessionKind.CHAT, SessionStatus.ACTIVE).where(
        ends_before(Session.created_at, 0.0, now)
    )
    async for page in pages(session_factory, expired):
        for row in page:
            await _close(session_factory, rooms, row, EndReason.MAX_DURATION_REACHED, report)

    await _purge(session_factory, now=now)
    return report


async def _participants(
    rooms: Rooms, row: OpenSession, report: ReconcileReport
) -> list[RoomParticipant] | None:
    """The room's participants; None when the room is gone or LiveKit is unreachable."""
    if row.room_name is None or not report.livekit_reachable:
        return None
    try:
        return await rooms.participants(row.room_name)
    except LiveKitUnavailableError:
        report.livekit_reachable = False
        return None


async def _close(
    session_factory: async_sessionmaker[AsyncSession],
    rooms: Rooms,
    row: OpenSession,
    reason: EndReason,
    report: ReconcileReport,
) -> None:
    async with session_factory() as db, org_write(db):
        settlement = await sessions.settle(db, row.id, end_reason=reason)
    if not settlement.applied:
        return
    report.closed[row.id] = reason
    logger.info(
        "session closed by the reconciler",
        extra={
            "session_id": row.id,
            "end_reason": reason.value,
            "credits_charged": settlement.credits_charged,
        },
    )
    if row.room_name is not None and report.livekit_reachable:
        try:
            await rooms.delete_room(row.room_name)
        except LiveKitUnavailableError:
            report.livekit_reachable = False


async def _purge(session_factory: async_sessionmaker[AsyncSession], *, now: datetime) -> None:
    async with session_factory.begin() as db:
        await idempotency.purge_expired(db, now=now)
        await livekit_events.purge_old(db, now=now)


async def run_reconciler(
    session_factory: async_sessionmaker[AsyncSession],
    rooms: Rooms,
    settings: IssuerSettings,
    stop: asyncio.Event,
) -> None:
    """Reconcile every CALLWRIGHT_RECONCILE_INTERVAL_SECONDS until `stop` is set."""

    async def one_pass() -> None:
        report = await reconcile_once(session_factory, rooms, settings)
        if report.closed:
            logger.info("reconcile pass closed sessions", extra={"closed": len(report.closed)})

    await every(settings.reconcile_interval_seconds, stop, one_pass, name="reconciler")

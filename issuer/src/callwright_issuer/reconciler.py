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
- chat, past its `expires_at` → `max_duration_reached` (nothing more to charge).

The room of a closed voice session is deleted. A voice session whose heartbeat is stale
but whose agent is still in the room is left alone (a worker that does not heartbeat).
When LiveKit cannot be reached, rooms are not judged gone, and a stale heartbeat alone
closes an `active` session. Expired idempotency keys and old webhook ids are purged.
"""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from callwright_issuer.livekit_rooms import RoomParticipant, Rooms
from callwright_shared import idempotency, sessions, webhook_events
from callwright_shared.db.models import EndReason, Session, SessionKind, SessionStatus, utcnow
from callwright_shared.errors import LiveKitUnavailableError
from callwright_shared.settings import CallwrightSettings

logger = logging.getLogger(__name__)

_BATCH = 500


@dataclass
class ReconcileReport:
    """What one pass did: session id → end reason of each session it settled."""

    closed: dict[str, EndReason] = field(default_factory=dict)
    livekit_reachable: bool = True


@dataclass(frozen=True, slots=True)
class _Open:
    id: str
    kind: SessionKind
    status: SessionStatus
    room_name: str | None
    user_id: str
    created_at: datetime
    started_at: datetime | None
    last_heartbeat_at: datetime | None
    max_duration_seconds: int


async def reconcile_once(
    session_factory: async_sessionmaker[AsyncSession],
    rooms: Rooms,
    settings: CallwrightSettings,
    *,
    now: datetime | None = None,
) -> ReconcileReport:
    now = now or utcnow()
    grace = timedelta(seconds=settings.worker_heartbeat_grace_seconds)
    join_deadline = timedelta(seconds=settings.join_window_seconds) + grace
    report = ReconcileReport()
    open_rows = await _open_sessions(session_factory)

    created = [
        r for r in open_rows if r.kind is SessionKind.VOICE and r.status is SessionStatus.CREATED
    ]
    for row in created:
        if now - row.created_at > join_deadline:
            participants = await _participants(rooms, row, report)
            user_in_room = any(p.identity == row.user_id for p in participants or [])
            reason = EndReason.WORKER_UNAVAILABLE if user_in_room else EndReason.USER_NOT_JOINED
            await _close(session_factory, rooms, row, reason, report)

    young = [r for r in created if grace < now - r.created_at <= join_deadline and r.room_name]
    if young and report.livekit_reachable:
        try:
            existing = await rooms.existing_rooms([r.room_name for r in young if r.room_name])
        except LiveKitUnavailableError:
            report.livekit_reachable = False
        else:
            for row in young:
                if row.room_name not in existing:
                    await _close(session_factory, rooms, row, EndReason.USER_NOT_JOINED, report)

    for row in open_rows:
        if row.kind is not SessionKind.VOICE or row.status is not SessionStatus.ACTIVE:
            continue
        beat = row.last_heartbeat_at or row.started_at or row.created_at
        if now - beat <= grace:
            continue
        participants = await _participants(rooms, row, report)
        if participants is not None and any(p.is_agent for p in participants):
            logger.warning(
                "active session without heartbeat still has an agent in its room",
                extra={"session_id": row.id},
            )
            continue
        await _close(session_factory, rooms, row, EndReason.WORKER_UNAVAILABLE, report)

    for row in open_rows:
        expires = row.created_at + timedelta(seconds=row.max_duration_seconds)
        if row.kind is SessionKind.CHAT and now >= expires:
            await _close(session_factory, rooms, row, EndReason.MAX_DURATION_REACHED, report)

    await _purge(session_factory, now=now)
    return report


async def _open_sessions(session_factory: async_sessionmaker[AsyncSession]) -> list[_Open]:
    async with session_factory() as db:
        rows = (
            await db.execute(
                select(
                    Session.id,
                    Session.kind,
                    Session.status,
                    Session.room_name,
                    Session.user_id,
                    Session.created_at,
                    Session.started_at,
                    Session.last_heartbeat_at,
                    Session.max_duration_seconds,
                )
                .where(Session.status.in_(sessions.OPEN_STATUSES))
                .order_by(Session.created_at)
                .limit(_BATCH)
            )
        ).all()
        await db.rollback()
    return [_Open(*row) for row in rows]


async def _participants(
    rooms: Rooms, row: _Open, report: ReconcileReport
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
    row: _Open,
    reason: EndReason,
    report: ReconcileReport,
) -> None:
    async with session_factory() as db:
        try:
            settlement = await sessions.settle(db, row.id, end_reason=reason)
            await db.commit()
        except BaseException:
            await db.rollback()
            raise
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
    async with session_factory() as db:
        try:
            await idempotency.purge_expired(db, now=now)
            await webhook_events.purge_old(db, now=now)
            await db.commit()
        except BaseException:
            await db.rollback()
            raise


async def run_reconciler(
    session_factory: async_sessionmaker[AsyncSession],
    rooms: Rooms,
    settings: CallwrightSettings,
    stop: asyncio.Event,
) -> None:
    """Reconcile every interval (± 10 % jitter, so issuers spread out) until `stop` is set."""
    interval = settings.reconcile_interval_seconds
    while True:
        try:
            await asyncio.wait_for(stop.wait(), timeout=interval * random.uniform(0.9, 1.1))
            return
        except TimeoutError:
            pass
        try:
            report = await reconcile_once(session_factory, rooms, settings)
        except Exception as exc:  # a failed pass is retried at the next interval
            logger.warning("reconcile pass failed", extra={"error": type(exc).__name__})
            continue
        if report.closed:
            logger.info("reconcile pass closed sessions", extra={"closed": len(report.closed)})

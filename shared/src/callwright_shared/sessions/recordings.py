"""A session's recording as the database holds it: the worker's writes (pending, ready,
failed) and the issuer's (deleted by the API or by retention). Each state change that a
customer hears about queues its webhook in the same transaction (the outbox)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from callwright_shared.db.models import Session
from callwright_shared.recordings.models import RecordingInfo
from callwright_shared.sessions import outbox


async def set_recording(
    db: AsyncSession, session_id: str, info: RecordingInfo, *, announce: bool = False
) -> None:
    row = await db.get(Session, session_id)
    if row is None:
        return
    row.recording = info.to_json()
    await db.flush()
    if announce:
        await outbox.emit(db, "session.recording_ready", session_id)


async def expired(
    db: AsyncSession, *, retention_days: float, now: datetime, limit: int = 100
) -> list[Session]:
    """Sessions whose recording outlived the retention (0 days: kept for ever)."""
    if retention_days <= 0:
        return []
    cutoff = now - timedelta(days=retention_days)
    return list(
        (
            await db.execute(
                select(Session)
                .where(
                    Session.recording["status"].as_string().in_(["ready", "failed"]),
                    Session.ended_at < cutoff,
                )
                .order_by(Session.ended_at)
                .limit(limit)
            )
        ).scalars()
    )


async def abandoned(db: AsyncSession, *, ended_before: datetime, limit: int = 100) -> list[Session]:
    """Sessions whose recording is still `pending` although their call ended before
    `ended_before`: the worker that was to store it stopped (killed, its machine lost)."""
    return list(
        (
            await db.execute(
                select(Session)
                .where(
                    Session.recording["status"].as_string() == "pending",
                    Session.ended_at < ended_before,
                )
                .order_by(Session.ended_at)
                .limit(limit)
            )
        ).scalars()
    )

"""Worker claims and heartbeats: which job serves a call, its agent time so far, and
proof that its worker lives.

Writer: the worker. When a job starts it claims its session (`claim`), which also counts
as its first heartbeat; then about every 5 s, while it waits for the user and during the
call, it records a heartbeat with the agent time so far (`record_heartbeat`).
Readers: every settler, which charges the recorded `agent_seconds` when it is not the
worker itself; and every component that must decide whether a worker is looking after a
session (`worker_is_alive`): the LiveKit webhooks, End Session, the reconciler and the
re-dispatcher. A session is held by a live worker while it is claimed and its last
heartbeat (else its claim, else its start) is within
CALLWRIGHT_WORKER_HEARTBEAT_GRACE_SECONDS.

A claim is what makes a second dispatch harmless: only one job holds a session; another
job dispatched for it finds it claimed and leaves. A claim whose heartbeat went stale
(the worker died) can be taken over by a new job.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, or_, update
from sqlalchemy.ext.asyncio import AsyncSession

from callwright_shared.db.models import Session, SessionStatus, utcnow


async def claim(
    db: AsyncSession,
    session_id: str,
    job_id: str,
    *,
    grace_seconds: float,
    at: datetime | None = None,
) -> bool:
    """Claim a `created` session for this job; the caller commits.

    True when the session is now this job's: it was unclaimed, already this job's, or
    its claim's heartbeat is older than the grace (its worker died).
    """
    now = at or utcnow()
    stale = now - timedelta(seconds=grace_seconds)
    result = await db.execute(
        update(Session)
        .where(
            Session.id == session_id,
            Session.status == SessionStatus.CREATED,
            Session.settled_at.is_(None),
            or_(
                Session.job_id.is_(None),
                Session.job_id == job_id,
                Session.last_heartbeat_at.is_(None),
                Session.last_heartbeat_at < stale,
            ),
        )
        .values(job_id=job_id, last_heartbeat_at=now)
        .returning(Session.id)
    )
    return result.one_or_none() is not None


async def record_heartbeat(
    db: AsyncSession,
    session_id: str,
    agent_seconds: float,
    *,
    job_id: str | None = None,
    transcript: list[dict[str, Any]] | None = None,
    at: datetime | None = None,
) -> bool:
    """Record agent time (never lowering it), the heartbeat's time and, when given, the
    transcript so far (a rejoining page shows it; a crash keeps it); the caller commits.

    Returns False when the session is already settled — someone else ended it (End
    Session, a webhook, the reconciler) and the worker should wrap up — or, with
    `job_id`, when another job has taken the session over.
    """
    seconds = max(0.0, float(agent_seconds))
    conditions = [Session.id == session_id, Session.settled_at.is_(None)]
    if job_id is not None:
        conditions.append(Session.job_id == job_id)
    values: dict[str, Any] = {
        "agent_seconds": case(
            (Session.agent_seconds < seconds, seconds), else_=Session.agent_seconds
        ),
        "last_heartbeat_at": at or utcnow(),
    }
    if transcript is not None:
        values["transcript"] = transcript
    result = await db.execute(
        update(Session).where(*conditions).values(**values).returning(Session.id)
    )
    return result.one_or_none() is not None


def worker_is_alive(row: Session, *, now: datetime, grace_seconds: float) -> bool:
    """Whether a worker holds this session and has shown signs of life within the grace.

    No claim means no worker has it (never dispatched, or not yet started). With a claim,
    "no heartbeat yet" is judged against the claim's or the call's start, never as dead.
    """
    if row.job_id is None:
        return False
    beat = row.last_heartbeat_at or row.started_at or row.created_at
    return now - beat < timedelta(seconds=grace_seconds)

"""Worker heartbeats: the agent time of a call so far, and proof that its worker lives.

Writer: the worker, about every 5 s while it is in a call (`record_heartbeat`). Readers:
every settler, which charges the recorded `agent_seconds` when it is not the worker
itself, and the issuer's reconciler, which closes an `active` session whose
`last_heartbeat_at` is older than CALLWRIGHT_WORKER_HEARTBEAT_GRACE_SECONDS
(`worker_unavailable`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, update
from sqlalchemy.ext.asyncio import AsyncSession

from callwright_shared.db.models import Session, utcnow


async def record_heartbeat(
    db: AsyncSession, session_id: str, agent_seconds: float, *, at: datetime | None = None
) -> bool:
    """Record agent time (never lowering it) and the heartbeat's time; the caller commits.

    Returns False when the session is already settled — someone else ended it (End
    Session, a webhook, the reconciler) and the worker should wrap up.
    """
    seconds = max(0.0, float(agent_seconds))
    result = await db.execute(
        update(Session)
        .where(Session.id == session_id, Session.settled_at.is_(None))
        .values(
            agent_seconds=case(
                (Session.agent_seconds < seconds, seconds), else_=Session.agent_seconds
            ),
            last_heartbeat_at=at or utcnow(),
        )
        .returning(Session.id)
    )
    return result.one_or_none() is not None

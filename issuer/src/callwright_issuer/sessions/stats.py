"""Per agent: latency and cost percentiles over the sessions created in a time range
(`GET /v1/agents/{id}/stats`).

Percentiles are taken over the stored per-turn values of every session in the range
(callwright_shared.calls.records), never averaged from per-session summaries. Cost is
each ended session's `credits_charged`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Literal

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from callwright_shared.calls.records import (
    LatencySummary,
    Percentiles,
    entries_of,
    percentiles,
    summarize,
)
from callwright_shared.db.models import Agent, Session
from callwright_shared.errors import InvalidRequestError
from callwright_shared.sessions import lifecycle as sessions

DEFAULT_SPAN = timedelta(days=7)
MAX_SPAN = timedelta(days=93)
# The newest sessions of a range that are read; `truncated` says when there were more.
MAX_SESSIONS = 5000


class AgentStats(BaseModel):
    object: Literal["agent.stats"] = "agent.stats"
    agent_id: str
    from_: datetime = Field(serialization_alias="from")
    to: datetime
    sessions: int
    # Sessions that have ended (the cost percentiles are over these).
    ended_sessions: int
    truncated: bool
    latency: LatencySummary
    credits_charged: Percentiles | None
    duration_seconds: Percentiles | None


def time_range(start: datetime | None, end: datetime | None) -> tuple[datetime, datetime]:
    """[from, to) in UTC (`sessions.created_range`); to defaults to now, from to seven
    days before to. InvalidRequestError for an empty, reversed or too long range."""
    first, last = sessions.created_range(start, end)
    last = last or datetime.now(UTC)
    try:
        first = first or last - DEFAULT_SPAN
    except OverflowError:  # seven days before the calendar's first day
        raise InvalidRequestError("to: out of range", param="to") from None
    if first >= last:
        raise InvalidRequestError("from: must be before to", param="from")
    if last - first > MAX_SPAN:
        raise InvalidRequestError(
            f"from: the range may span at most {MAX_SPAN.days} days", param="from"
        )
    return first, last


async def agent_stats(
    db: AsyncSession, agent: Agent, *, start: datetime, end: datetime
) -> AgentStats:
    rows = list(
        (
            await db.execute(
                select(Session)
                .where(
                    Session.org_id == agent.org_id,
                    Session.agent_id == agent.id,
                    Session.created_at >= start,
                    Session.created_at < end,
                )
                .order_by(Session.created_at.desc())
                .limit(MAX_SESSIONS + 1)
            )
        ).scalars()
    )
    truncated = len(rows) > MAX_SESSIONS
    rows = rows[:MAX_SESSIONS]
    ended = [r for r in rows if r.settled_at is not None]
    return AgentStats(
        agent_id=agent.id,
        from_=start,
        to=end,
        sessions=len(rows),
        ended_sessions=len(ended),
        truncated=truncated,
        latency=summarize(e for r in rows for e in entries_of(r.transcript)),
        credits_charged=percentiles(float(r.credits_charged) for r in ended),
        duration_seconds=percentiles(r.agent_seconds for r in ended),
    )

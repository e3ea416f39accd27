"""Per agent: latency and cost percentiles over the sessions created in a time range
(`GET /v1/agents/{id}/stats`).

Percentiles are taken over the stored per-turn values of every session in the range
(callwright_shared.calls.records), never averaged from per-session summaries. Cost is
each ended session's `credits_charged`.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import ColumnElement, Text, case, cast, func, literal, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from callwright_shared.calls.records import (
    LatencySummary,
    Percentiles,
    TranscriptEntry,
    TurnLatency,
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
    """Reads only what the figures need: each session's charge, duration and whether it
    ended, and from its transcript each turn's role, interruption and latency (extracted
    by the database's JSON functions), never a whole transcript or config."""
    rows = (
        await db.execute(
            select(Session.id, Session.settled_at, Session.credits_charged, Session.agent_seconds)
            .where(
                Session.org_id == agent.org_id,
                Session.agent_id == agent.id,
                Session.created_at >= start,
                Session.created_at < end,
            )
            .order_by(Session.created_at.desc())
            .limit(MAX_SESSIONS + 1)
        )
    ).all()
    truncated = len(rows) > MAX_SESSIONS
    rows = rows[:MAX_SESSIONS]
    ended = [r for r in rows if r.settled_at is not None]
    turns: list[TranscriptEntry] = []
    ids = [r.id for r in rows]
    for first in range(0, len(ids), _IDS_PER_QUERY):
        turns.extend(await _turns(db, ids[first : first + _IDS_PER_QUERY]))
    return AgentStats(
        agent_id=agent.id,
        from_=start,
        to=end,
        sessions=len(rows),
        ended_sessions=len(ended),
        truncated=truncated,
        latency=summarize(turns),
        credits_charged=percentiles(float(r.credits_charged) for r in ended),
        duration_seconds=percentiles(r.agent_seconds for r in ended),
    )


# Session ids per query of their turns (a bound on bound parameters, not on memory).
_IDS_PER_QUERY = 500


async def _turns(db: AsyncSession, ids: list[str]) -> list[TranscriptEntry]:
    """The user and agent turns of these sessions: role, interrupted and latency only."""
    postgres = db.get_bind().dialect.name == "postgresql"
    transcript = case(
        (
            (func.json_typeof if postgres else func.json_type)(Session.transcript) == "array",
            Session.transcript,
        ),
        else_=cast(literal("[]"), Session.transcript.type) if postgres else literal("[]"),
    )
    role: ColumnElement[Any]
    interrupted: ColumnElement[Any]
    latency: ColumnElement[Any]
    if postgres:
        element = func.json_array_elements(transcript).table_valued("value").alias("turn")
        value = element.c.value
        role = value.op("->>")("role")
        interrupted = value.op("->>")("interrupted")
        latency = cast(value.op("->")("latency"), Text)
    else:
        element = func.json_each(transcript).table_valued("value").alias("turn")
        value = element.c.value
        role = func.json_extract(value, "$.role")
        interrupted = func.json_extract(value, "$.interrupted")
        latency = func.json_extract(value, "$.latency")
    query = (
        select(role, interrupted, latency)
        .select_from(Session)
        .join(element, true())
        .where(Session.id.in_(ids), role.in_(("user", "assistant")))
    )
    turns: list[TranscriptEntry] = []
    for turn_role, turn_interrupted, turn_latency in (await db.execute(query)).all():
        try:
            parsed = json.loads(turn_latency) if isinstance(turn_latency, str) else None
            turns.append(
                TranscriptEntry(
                    role=turn_role,
                    content="",
                    interrupted=turn_interrupted in (True, 1, "true", "1"),
                    latency=TurnLatency.model_validate(parsed) if parsed else None,
                )
            )
        except (ValueError, ValidationError):
            continue  # a turn that does not fit is left out, as entries_of does
    return turns

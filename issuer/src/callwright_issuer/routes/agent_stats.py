"""GET /v1/agents/{id}/stats: an agent's latency and cost percentiles over a time range."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from callwright_issuer.http.deps import CurrentKey, DbSessionDep
from callwright_issuer.http.parameters import checked_parameters
from callwright_issuer.http.rate_limits import ReadAllowed
from callwright_issuer.schemas import error_responses
from callwright_issuer.sessions.stats import AgentStats, agent_stats, time_range
from callwright_shared.agents import definitions as agents

router = APIRouter(prefix="/v1/agents", tags=["agents"], dependencies=[Depends(checked_parameters)])


@router.get(
    "/{agent_id}/stats",
    response_model=AgentStats,
    response_model_by_alias=True,
    responses=error_responses(400, 401, 404, 429),
)
async def stats(
    *,
    agent_id: str,
    key: CurrentKey,
    _allowed: ReadAllowed,
    db: DbSessionDep,
    start: Annotated[datetime | None, Query(alias="from")] = None,
    end: Annotated[datetime | None, Query(alias="to")] = None,
) -> AgentStats:
    """Over the agent's sessions created in [from, to) (ISO 8601; UTC when no offset;
    `to` defaults to now, `from` to seven days earlier, at most 93 days): turns,
    interruptions and per-part latency percentiles from every stored turn, and the
    percentiles of ended sessions' `credits_charged` and `duration_seconds`."""
    agent = await agents.get_agent(db, org_id=key.org_id, agent_id=agent_id)
    first, last = time_range(start, end)
    return await agent_stats(db, agent, start=first, end=last)

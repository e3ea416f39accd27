"""/v1/agents: the organization's agents."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from callwright_issuer.http.deps import (
    CurrentKey,
    DbSessionDep,
    SettingsDep,
    body_schema,
    json_body,
)
from callwright_issuer.http.parameters import checked_parameters
from callwright_issuer.http.rate_limits import ReadAllowed
from callwright_issuer.schemas import AgentList, DeletedAgent, error_responses
from callwright_shared.agents import definitions as agents
from callwright_shared.agents import surcharges
from callwright_shared.agents.definitions import AgentPublic, AgentSpec, AgentUpdate
from callwright_shared.billing import pricing
from callwright_shared.db.engine import transaction
from callwright_shared.db.models import Agent
from callwright_shared.settings import IssuerSettings

router = APIRouter(prefix="/v1/agents", tags=["agents"], dependencies=[Depends(checked_parameters)])


async def _public(db: DbSessionDep, agent: Agent, settings: IssuerSettings) -> AgentPublic:
    return agents.to_public(agent, await surcharges.price_of(db, agent, settings))


@router.post(
    "",
    response_model=AgentPublic,
    openapi_extra=body_schema(AgentSpec),
    responses=error_responses(400, 401, 413),
)
async def create_agent(
    *,
    key: CurrentKey,
    body: Annotated[AgentSpec, Depends(json_body(AgentSpec))],
    db: DbSessionDep,
    settings: SettingsDep,
) -> AgentPublic:
    agents.check_choices(body, body.architecture, settings)
    async with transaction(db):
        agent = await agents.create_agent(db, org_id=key.org_id, spec=body)
    return await _public(db, agent, settings)


@router.get("", response_model=AgentList, responses=error_responses(400, 401, 404, 429))
async def list_agents(
    *,
    key: CurrentKey,
    _allowed: ReadAllowed,
    db: DbSessionDep,
    settings: SettingsDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    starting_after: Annotated[str | None, Query(max_length=64)] = None,
) -> AgentList:
    rows, has_more = await agents.list_agents(
        db, org_id=key.org_id, limit=limit, starting_after=starting_after
    )
    org = await pricing.org_override(db, key.org_id)
    return AgentList(
        data=[agents.to_public(a, surcharges.price_with(a, org, settings)) for a in rows],
        has_more=has_more,
    )


@router.get("/{agent_id}", response_model=AgentPublic, responses=error_responses(400, 401, 404))
async def get_agent(
    *, agent_id: str, key: CurrentKey, db: DbSessionDep, settings: SettingsDep
) -> AgentPublic:
    agent = await agents.get_agent(db, org_id=key.org_id, agent_id=agent_id)
    return await _public(db, agent, settings)


@router.patch(
    "/{agent_id}",
    response_model=AgentPublic,
    openapi_extra=body_schema(AgentUpdate),
    responses=error_responses(400, 401, 404, 413),
)
async def update_agent(
    *,
    agent_id: str,
    key: CurrentKey,
    body: Annotated[AgentUpdate, Depends(json_body(AgentUpdate))],
    db: DbSessionDep,
    settings: SettingsDep,
) -> AgentPublic:
    async with transaction(db):
        agent = await agents.get_agent(db, org_id=key.org_id, agent_id=agent_id)
        await agents.update_agent(db, agent, body)
        # Refused before the commit: the transaction rolls back with nothing changed.
        agents.check_choices(
            agents.config_of(agent),
            agent.architecture.value,
            settings,
            fields=body.model_fields_set,
        )
    return await _public(db, agent, settings)


@router.delete("/{agent_id}", response_model=DeletedAgent, responses=error_responses(400, 401, 404))
async def delete_agent(*, agent_id: str, key: CurrentKey, db: DbSessionDep) -> DeletedAgent:
    async with transaction(db):
        agent = await agents.get_agent(db, org_id=key.org_id, agent_id=agent_id)
        await agents.delete_agent(db, agent)
    return DeletedAgent(id=agent_id)

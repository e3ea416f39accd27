"""Agents (SPEC §6): one flat JSON object, validated here, stored as name + architecture + config.

The same `AgentSpec` validates the body of `POST /v1/agents`, the content of
`admin create-agent --config-file`, and (as `AgentConfig`) what the worker reads back.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from callwright_shared.db.models import Agent, Architecture, utcnow
from callwright_shared.errors import AgentNotFoundError, InvalidRequestError
from callwright_shared.ids import AGENT_ID_PATTERN, new_agent_id

DEFAULT_REALTIME_MODELS = {"openai": "gpt-realtime", "gemini": "gemini-2.0-flash-live-001"}
DEFAULT_REALTIME_VOICES = {"openai": "alloy", "gemini": "Puck"}

ArchitectureName = Literal["pipeline", "realtime", "text"]
_STRICT = ConfigDict(extra="forbid", strict=True)


class AgentConfig(BaseModel):
    """Every agent field but name and architecture, each with a sensible default."""

    model_config = _STRICT

    instructions: str = Field(
        "You are a friendly, concise voice assistant. Keep answers short.", max_length=20_000
    )
    greeting: str | None = Field(None, max_length=1_000)
    language: str = Field("en", pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
    max_duration_seconds: int = Field(600, gt=0, le=4 * 3600)
    credits_per_minute: int = Field(10, ge=0, le=1_000_000)
    credits_per_message: int = Field(1, ge=0, le=1_000_000)
    stt_model: str = Field("nova-3", min_length=1, max_length=100)
    llm_model: str = Field("gpt-4o-mini", min_length=1, max_length=100)
    temperature: float = Field(0.8, ge=0, le=2)
    tts_model: str = Field("gpt-4o-mini-tts", min_length=1, max_length=100)
    tts_voice: str = Field("alloy", min_length=1, max_length=100)
    provider: Literal["openai", "gemini"] = "openai"
    model: str | None = Field(None, min_length=1, max_length=100)
    voice: str | None = Field(None, min_length=1, max_length=100)

    @property
    def realtime_model(self) -> str:
        return self.model or DEFAULT_REALTIME_MODELS[self.provider]

    @property
    def realtime_voice(self) -> str:
        return self.voice or DEFAULT_REALTIME_VOICES[self.provider]


class AgentSpec(AgentConfig):
    """The body of POST /v1/agents: name and architecture required, the rest defaulted."""

    name: str = Field(min_length=1, max_length=200)
    architecture: ArchitectureName


class AgentUpdate(BaseModel):
    """The body of PATCH /v1/agents/{id}: any subset of the fields."""

    model_config = _STRICT

    name: str | None = Field(None, min_length=1, max_length=200)
    architecture: ArchitectureName | None = None
    instructions: str | None = Field(None, max_length=20_000)
    greeting: str | None = Field(None, max_length=1_000)
    language: str | None = Field(None, pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
    max_duration_seconds: int | None = Field(None, gt=0, le=4 * 3600)
    credits_per_minute: int | None = Field(None, ge=0, le=1_000_000)
    credits_per_message: int | None = Field(None, ge=0, le=1_000_000)
    stt_model: str | None = Field(None, min_length=1, max_length=100)
    llm_model: str | None = Field(None, min_length=1, max_length=100)
    temperature: float | None = Field(None, ge=0, le=2)
    tts_model: str | None = Field(None, min_length=1, max_length=100)
    tts_voice: str | None = Field(None, min_length=1, max_length=100)
    provider: Literal["openai", "gemini"] | None = None
    model: str | None = Field(None, min_length=1, max_length=100)
    voice: str | None = Field(None, min_length=1, max_length=100)


class AgentPublic(AgentSpec):
    """What GET /v1/agents/{id} answers: the spec plus id and timestamps."""

    model_config = ConfigDict(extra="forbid")

    id: str
    created_at: datetime
    updated_at: datetime


def config_of(agent: Agent) -> AgentConfig:
    return AgentConfig.model_validate(agent.config, strict=False)


def to_public(agent: Agent) -> AgentPublic:
    return AgentPublic(
        id=agent.id,
        name=agent.name,
        architecture=agent.architecture.value,
        created_at=agent.created_at,
        updated_at=agent.updated_at,
        **config_of(agent).model_dump(),
    )


def _config_dict(spec: AgentConfig) -> dict[str, Any]:
    return spec.model_dump(mode="json", exclude={"name", "architecture"})


async def create_agent(db: AsyncSession, *, org_id: str, spec: AgentSpec) -> Agent:
    agent = Agent(
        id=new_agent_id(),
        org_id=org_id,
        name=spec.name,
        architecture=Architecture(spec.architecture),
        config=_config_dict(spec),
    )
    db.add(agent)
    await db.flush()
    return agent


async def get_agent(db: AsyncSession, *, org_id: str, agent_id: str) -> Agent:
    """The organization's agent, or AgentNotFoundError (also for another org's agent)."""
    if not AGENT_ID_PATTERN.fullmatch(agent_id):
        raise AgentNotFoundError(f"No agent with id '{agent_id[:40]}'.", param="agent_id")
    agent = (
        await db.execute(
            select(Agent).where(
                Agent.id == agent_id, Agent.org_id == org_id, Agent.deleted_at.is_(None)
            )
        )
    ).scalar_one_or_none()
    if agent is None:
        raise AgentNotFoundError(f"No agent with id '{agent_id}'.", param="agent_id")
    return agent


async def update_agent(db: AsyncSession, agent: Agent, changes: AgentUpdate) -> Agent:
    fields = changes.model_dump(mode="json", exclude_unset=True)
    for required in ("name", "architecture"):
        if required in fields and fields[required] is None:
            raise InvalidRequestError(f"{required}: may not be null", param=required)
    if "name" in fields:
        agent.name = fields.pop("name")
    if "architecture" in fields:
        agent.architecture = Architecture(fields.pop("architecture"))
    merged = {**agent.config, **fields}
    try:
        config = AgentConfig.model_validate(merged, strict=False)
    except ValidationError as exc:  # e.g. null for a field that has a default
        first = exc.errors()[0]
        param = ".".join(str(p) for p in first["loc"]) or None
        raise InvalidRequestError(f"{param}: {first['msg']}", param=param) from None
    agent.config = _config_dict(config)
    agent.updated_at = utcnow()
    await db.flush()
    return agent


async def delete_agent(db: AsyncSession, agent: Agent) -> None:
    # Soft delete: past sessions keep pointing at the agent they ran.
    agent.deleted_at = utcnow()
    await db.flush()

"""Agents: one flat JSON object, validated here, stored as name + architecture + config.

The same `AgentSpec` validates the body of `POST /v1/agents`, the content of
`admin create-agent --config-file`, and (as `AgentConfig`) what the worker reads back.

Prices are not part of it: they are the operator's (callwright_shared.billing.pricing). A tenant
body that names one is 400 with that field as `param`; `AgentPublic` shows the effective
prices read-only. The providers, models and voices a tenant chooses for each stage
(callwright_shared.agents.stages) must be the operator's (callwright_shared.agents.registry,
`check_choices`).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    create_model,
    field_validator,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema
from pydantic_core import PydanticCustomError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from callwright_shared.agents import stages
from callwright_shared.agents.registry import Stage, registry_of
from callwright_shared.agents.stages import (
    DEFAULT_REALTIME_MODELS as DEFAULT_REALTIME_MODELS,
)
from callwright_shared.agents.stages import (
    LlmChoice,
    RealtimeChoice,
    SttChoice,
    Temperature,
    TtsChoice,
)
from callwright_shared.agents.turn_taking import TurnTaking, check_turn_taking
from callwright_shared.agents.variables import VariableSpec, check_names, check_template
from callwright_shared.billing.pricing import PRICE_FIELDS, Price
from callwright_shared.db import pagination
from callwright_shared.db.models import Agent, Architecture, SessionKind, utcnow
from callwright_shared.errors import AgentNotFoundError, InvalidRequestError
from callwright_shared.ids import AGENT_ID_PATTERN, new_agent_id
from callwright_shared.recordings.models import AnalysisSpec, RecordingSpec, check_recording
from callwright_shared.settings import AgentSettings
from callwright_shared.tenants.organizations import live_agent
from callwright_shared.text import MultiLine, SingleLine, has_control_characters
from callwright_shared.tools.checks import check_tools, check_transfer_targets, keep_secrets
from callwright_shared.tools.models import MAX_TOOLS, STORE, Tool, check_unique_names

ArchitectureName = Literal["pipeline", "realtime", "text"]
# The architectures each kind of session runs: a chat session needs the agent's LLM, a
# voice session its audio (Create Voice/Chat Session: 400 agent_architecture_unsupported).
SESSION_ARCHITECTURES: dict[SessionKind, frozenset[Architecture]] = {
    SessionKind.VOICE: frozenset({Architecture.PIPELINE, Architecture.REALTIME}),
    SessionKind.CHAT: frozenset({Architecture.TEXT, Architecture.PIPELINE}),
}
_STRICT = ConfigDict(extra="forbid", strict=True)
_LANGUAGE = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"
# The fields a session may override, when the agent's owner lists them in
# `overridable`; `max_duration_seconds` only downwards. The flat names of before
# (tts_voice, voice, temperature) are renamed on write (callwright_shared.agents.stages).
OverridableField = Literal[
    "greeting",
    "instructions",
    "language",
    "tts.voice",
    "realtime.voice",
    "llm.temperature",
    "realtime.temperature",
    "max_duration_seconds",
]
# The fields the model sees: no secret variable may appear in them.
TEMPLATE_FIELDS = ("instructions", "greeting")


def _check_timezone(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise PydanticCustomError(
            "timezone", "must be an IANA time zone name, e.g. Europe/Paris or UTC"
        ) from None
    return value


class AgentConfig(BaseModel):
    """Every agent field but name and architecture, each with a sensible default."""

    model_config = _STRICT

    instructions: MultiLine = Field(
        "You are a friendly, concise voice assistant. Keep answers short.", max_length=20_000
    )
    greeting: MultiLine | None = Field(None, max_length=1_000)
    language: str = Field("en", pattern=_LANGUAGE)
    max_duration_seconds: int = Field(600, gt=0, le=4 * 3600)
    # Each stage: a provider the operator names, a model, a voice (pipeline: stt, llm, tts;
    # text: llm; realtime: realtime). Never a URL: endpoints are the operator's.
    stt: SttChoice = Field(default_factory=SttChoice)
    llm: LlmChoice = Field(default_factory=LlmChoice)
    tts: TtsChoice = Field(default_factory=TtsChoice)
    realtime: RealtimeChoice = Field(default_factory=RealtimeChoice)
    variables: dict[str, VariableSpec] = Field(default_factory=dict)
    overridable: list[OverridableField] = Field(default_factory=list, max_length=8)
    timezone: SingleLine = Field("UTC", min_length=1, max_length=64)
    # What the agent may call (callwright_shared.tools); every architecture.
    tools: list[Tool] = Field(default_factory=list, max_length=MAX_TOOLS)
    # When the caller's turn is over and how the agent answers it (pipeline agents).
    turn_taking: TurnTaking = Field(default_factory=TurnTaking)
    # Kept calls and what is worked out of them (callwright_shared.recordings).
    recording: RecordingSpec = Field(default_factory=RecordingSpec)
    analysis: AnalysisSpec | None = None

    _timezone = field_validator("timezone")(_check_timezone)

    @model_validator(mode="before")
    @classmethod
    def _lift_flat(cls, data: Any) -> Any:
        # The deprecated flat fields, in a body or a configuration stored before them;
        # each checked first, so that a bad one is refused under the name it was sent as.
        if not isinstance(data, dict):
            return data
        for name in stages.FLAT.keys() & data.keys():
            try:
                _FLAT_ADAPTERS[name].validate_python(data[name], strict=True)
            except ValidationError as exc:
                raise InvalidRequestError.from_validation(exc.errors(), prefix=name) from None
        return stages.lift(data)


def _flat(annotation: Any, description: str) -> Any:
    return (
        annotation | None,
        Field(None, deprecated=True, exclude=True, description=f"Deprecated: use {description}"),
    )


# The deprecated flat fields, documented on the bodies that accept them. Lifted onto the
# objects before validation (`AgentConfig._lift_flat`, `update_agent`), so never set here.
_FLAT_FIELDS: dict[str, Any] = {
    "stt_model": _flat(stages.Name, "stt.model"),
    "llm_model": _flat(stages.Name, "llm.model"),
    "temperature": _flat(Temperature, "llm.temperature and realtime.temperature"),
    "tts_model": _flat(stages.Name, "tts.model"),
    "tts_voice": _flat(stages.Name, "tts.voice"),
    "provider": _flat(stages.ProviderName, "realtime.provider"),
    "model": _flat(stages.Name, "realtime.model"),
    "voice": _flat(stages.Name, "realtime.voice"),
}
_FLAT_ADAPTERS = {name: TypeAdapter(field[0]) for name, field in _FLAT_FIELDS.items()}


class _NoTenantPrices(BaseModel):
    """The price fields, refused with a clear message instead of "extra inputs".

    Absent from the OpenAPI schema and from every dump: a tenant can never send them.
    """

    credits_per_minute: SkipJsonSchema[Any] = Field(None, exclude=True)
    credits_per_message: SkipJsonSchema[Any] = Field(None, exclude=True)
    credits_per_analysis: SkipJsonSchema[Any] = Field(None, exclude=True)

    @field_validator(*PRICE_FIELDS, mode="before")
    @classmethod
    def _refuse(cls, value: Any) -> Any:
        raise PydanticCustomError(
            "operator_price",
            "prices are set by the operator (callwright admin set-price); "
            "the API shows them read-only and cannot set or change them",
        )


if TYPE_CHECKING:

    class AgentSpec(AgentConfig, _NoTenantPrices):
        """The body of POST /v1/agents: name and architecture required, the rest defaulted."""

        name: SingleLine
        architecture: ArchitectureName

else:

    class _Spec(AgentConfig, _NoTenantPrices):
        name: SingleLine = Field(min_length=1, max_length=200)
        architecture: ArchitectureName

    AgentSpec = create_model(
        "AgentSpec",
        __doc__="The body of POST /v1/agents: name and architecture required, the rest defaulted.",
        __base__=_Spec,
        __module__=__name__,
        **{name: (field[0], field[1]) for name, field in _FLAT_FIELDS.items()},
    )


def _all_optional(model: type[BaseModel], names: Collection[str]) -> dict[str, Any]:
    """These fields of `model`, each optional (None: left as it is) under the same
    constraints, so that a field added to the model can be updated at once."""
    fields: dict[str, Any] = {}
    for name in names:
        info = model.model_fields[name]
        annotation: Any = info.annotation
        if info.metadata:  # the constraints (max_length, pattern, …) go with the type
            annotation = cast(Any, Annotated)[(annotation, *info.metadata)]
        fields[name] = (annotation | None, Field(None))
    return fields


class _Changes(_NoTenantPrices):
    model_config = _STRICT

    _timezone = field_validator("timezone", check_fields=False)(_check_timezone)

    @model_validator(mode="before")
    @classmethod
    def _rename_overridable(cls, data: Any) -> Any:
        # Flat fields are merged into the stored objects by `update_agent`; only the old
        # `overridable` names are renamed here.
        if isinstance(data, dict) and "overridable" in data:
            return {**data, "overridable": stages.rename_overridable(data["overridable"])}
        return data


if TYPE_CHECKING:

    class AgentUpdate(_Changes):
        """The body of PATCH /v1/agents/{id} (its fields are generated below)."""

        # The one field `update_agent` reads by name, declared for the type checker.
        tools: list[Tool] | None

else:
    AgentUpdate = create_model(
        "AgentUpdate",
        __doc__="The body of PATCH /v1/agents/{id}: any subset of the fields.",
        __base__=_Changes,
        __module__=__name__,
        **_all_optional(AgentSpec, ["name", "architecture", *AgentConfig.model_fields]),
        **_FLAT_FIELDS,
    )


class AgentPublic(AgentConfig):
    """What GET /v1/agents/{id} answers: the spec, id, timestamps and the effective prices
    (read-only; None where the architecture has no such price)."""

    model_config = ConfigDict(extra="forbid")

    id: str
    name: str
    architecture: ArchitectureName
    credits_per_minute: int | None
    credits_per_message: int | None
    created_at: datetime
    updated_at: datetime


def config_of(agent: Agent) -> AgentConfig:
    return AgentConfig.model_validate(agent.config, strict=False)


def to_public(agent: Agent, price: Price) -> AgentPublic:
    shown = price.shown(agent.architecture)
    return AgentPublic(
        id=agent.id,
        name=agent.name,
        architecture=agent.architecture.value,
        credits_per_minute=shown.credits_per_minute,
        credits_per_message=shown.credits_per_message,
        created_at=agent.created_at,
        updated_at=agent.updated_at,
        **config_of(agent).model_dump(),
    )


def _config_dict(spec: AgentConfig) -> dict[str, Any]:
    # The price fields of a spec are never dumped (`exclude=True`); secret header values
    # are, for storage only (`STORE`).
    return spec.model_dump(mode="json", exclude={"name", "architecture"}, context=STORE)


def check_templates(config: AgentConfig) -> None:
    """Refuse (400, `param`) bad variable names, and placeholders in what the model sees
    that are unknown, secret or malformed (callwright_shared.agents.variables)."""
    check_names(config.variables)
    for field in TEMPLATE_FIELDS:
        text = getattr(config, field)
        if text:
            check_template(text, field=field, variables=config.variables)


def check_choices(
    config: AgentConfig,
    architecture: str,
    settings: AgentSettings,
    *,
    fields: Collection[str] | None = None,
) -> None:
    """Refuse (400, `param` such as `tts.voice`) a provider, model or voice the operator
    does not offer (callwright_shared.agents.registry).

    Checks what the architecture uses; with `fields` (a PATCH, or a session's override
    paths), only the stages those fields change, so a value the operator set outside the
    lists stays until it is changed.
    """
    registry = registry_of(settings)
    touched = stages.flat_fields_of(fields or ())

    def changed(stage: str) -> bool:
        return fields is None or "architecture" in fields or stage in touched

    if architecture == "realtime":
        if changed("realtime"):
            stages.realtime_chosen(registry, config.realtime)
    else:
        used: list[tuple[Stage, SttChoice | LlmChoice | TtsChoice]] = [("llm", config.llm)]
        if architecture == "pipeline":
            used += [("stt", config.stt), ("tts", config.tts)]
        for stage, choice in used:
            if changed(stage):
                stages.chain(registry, stage, choice)
    if architecture == "pipeline":
        check_turn_taking(config.turn_taking, settings, fields=fields)
    check_recording(config.recording, architecture, fields=fields)
    # A schema is checked for Gemini whenever the agent may start running on it.
    if fields is None or {"tools", "architecture"} & set(fields) or "realtime" in touched:
        check_tools(
            config.tools,
            gemini=architecture == "realtime" and is_gemini(config, settings),
            allow_private=settings.tools_allow_private_networks,
            check_urls=fields is None or "tools" in fields,
        )


def is_gemini(config: AgentConfig, settings: AgentSettings) -> bool:
    """Whether the agent's realtime provider is a Google one (its tool schemas are Gemini's)."""
    found = registry_of(settings).find(config.realtime.provider)
    return found is not None and found.kind == "google"


async def create_agent(db: AsyncSession, *, org_id: str, spec: AgentSpec) -> Agent:
    check_templates(spec)
    check_unique_names(spec.tools)
    keep_secrets(spec.tools)
    await check_transfer_targets(db, org_id=org_id, agent_id=None, tools=spec.tools)
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
    if has_control_characters(agent_id):
        raise InvalidRequestError("agent_id: must not contain control characters", param="agent_id")
    if not AGENT_ID_PATTERN.fullmatch(agent_id):
        raise AgentNotFoundError(f"No agent with id '{agent_id[:40]}'.", param="agent_id")
    agent = await live_agent(db, org_id=org_id, agent_id=agent_id)
    if agent is None:
        raise AgentNotFoundError(f"No agent with id '{agent_id}'.", param="agent_id")
    return agent


async def update_agent(db: AsyncSession, agent: Agent, changes: AgentUpdate) -> Agent:
    if changes.tools is not None:
        # Before the dump: secret header values the tenant did not resend are kept.
        keep_secrets(changes.tools, stored=config_of(agent).tools)
    fields = changes.model_dump(mode="json", exclude_unset=True, context=STORE)
    # The deprecated flat fields (excluded from dumps) merge into the stored objects.
    fields.update(
        {name: changes.__dict__[name] for name in stages.FLAT if name in changes.model_fields_set}
    )
    for required in ("name", "architecture"):
        if required in fields and fields[required] is None:
            raise InvalidRequestError(f"{required}: may not be null", param=required)
    if "name" in fields:
        agent.name = fields.pop("name")
    if "architecture" in fields:
        agent.architecture = Architecture(fields.pop("architecture"))
    stored = stages.lift(agent.config)
    merged = {**stored, **stages.lift(fields, stored=stored)}
    try:
        config = AgentConfig.model_validate(merged, strict=False)
    except ValidationError as exc:  # e.g. null for a field that has a default
        raise InvalidRequestError.from_validation(exc.errors()) from None
    check_templates(config)
    if "tools" in fields:
        check_unique_names(config.tools)
        await check_transfer_targets(db, org_id=agent.org_id, agent_id=agent.id, tools=config.tools)
    agent.config = _config_dict(config)
    agent.updated_at = utcnow()
    await db.flush()
    return agent


async def list_agents(
    db: AsyncSession, *, org_id: str, limit: int, starting_after: str | None
) -> tuple[list[Agent], bool]:
    """The organization's agents (not deleted), newest first, and whether more follow."""
    cursor = (
        None
        if starting_after is None
        else await get_agent(db, org_id=org_id, agent_id=starting_after)
    )
    query = select(Agent).where(Agent.org_id == org_id, Agent.deleted_at.is_(None))
    return await pagination.newest_first(db, query, Agent, cursor=cursor, limit=limit)


async def delete_agent(db: AsyncSession, agent: Agent) -> None:
    # Soft delete: past sessions keep pointing at the agent they ran.
    agent.deleted_at = utcnow()
    await db.flush()

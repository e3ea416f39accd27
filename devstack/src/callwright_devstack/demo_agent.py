"""The stages of the demo agent `callwright dev` seeds: today's defaults, or, with a
providers file, the first provider, model and voice the file offers for each stage, so
that `make run` on a file of the operator's own servers (deploy/providers.self-hosted.yaml)
has an agent that runs on them."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from callwright_shared.agents import definitions as agents
from callwright_shared.agents.definitions import AgentUpdate
from callwright_shared.agents.registry import Provider, Registry, Stage, registry_of
from callwright_shared.agents.stages import LlmChoice, SttChoice, TtsChoice
from callwright_shared.errors import AgentNotFoundError, InvalidRequestError
from callwright_shared.settings import CallwrightSettings


def _first(registry: Registry, stage: Stage) -> Provider | None:
    return next((p for p in registry.providers.values() if p.serves(stage)), None)


def demo_stages(registry: Registry) -> dict[str, Any]:
    """`stt`, `llm` and `tts` for the demo agent (a stage the file does not serve keeps
    its default, which the issuer and the worker then refuse with a message naming it)."""
    stages: dict[str, Any] = {"stt": SttChoice(), "llm": LlmChoice(), "tts": TtsChoice()}
    if not registry.from_file:
        return stages
    if (stt := _first(registry, "stt")) is not None:
        stages["stt"] = SttChoice(provider=stt.name, model=stt.models["stt"][0])
    if (chat := _first(registry, "llm")) is not None:
        stages["llm"] = LlmChoice(provider=chat.name, model=chat.models["llm"][0])
    if (voice := _first(registry, "tts")) is not None:
        voices = voice.voices.get("tts", ())
        stages["tts"] = TtsChoice(
            provider=voice.name,
            model=voice.models["tts"][0],
            **({"voice": voices[0]} if voices else {}),
        )
    return stages


async def fit_demo_agent(
    db: AsyncSession, settings: CallwrightSettings, *, org_id: str, agent_id: str
) -> None:
    """A demo agent from an earlier run whose stages the registry now refuses (the
    providers file was added, changed or removed) is moved onto the demo stages; one the
    registry accepts, edits included, is left as it is."""
    try:
        agent = await agents.get_agent(db, org_id=org_id, agent_id=agent_id)
    except AgentNotFoundError:
        return  # deleted since: the developer's choice
    if agent.architecture.value != "pipeline":
        return
    try:
        agents.check_choices(agents.config_of(agent), "pipeline", settings)
    except InvalidRequestError:
        await agents.update_agent(
            db, agent, AgentUpdate.model_validate(demo_stages(registry_of(settings)))
        )

"""What an agent's voice minute costs once the operator's surcharges are counted.

The operator's providers file may put a surcharge, in credits per minute, on a provider's
models and voices (`surcharges: {models: {...}, voices: {...}}`,
callwright_shared.agents.registry). A voice session's minute then costs the base price
(the organization's, else the default of settings) plus the surcharges of what its agent
runs first: the STT model, the LLM model, the voice's model and voice of a pipeline; the
realtime model and voice. Fallbacks add nothing, and an agent's own minute price, set by
the operator, is the final word ([decision](decisions.md#minute-surcharges)). Built-in
providers carry none.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from callwright_shared.agents import stages
from callwright_shared.agents.definitions import AgentConfig, config_of
from callwright_shared.agents.registry import Registry, Stage, registry_of
from callwright_shared.billing import pricing
from callwright_shared.db.models import Agent, Architecture
from callwright_shared.errors import InvalidRequestError
from callwright_shared.settings import IssuerSettings, WorkerSettings

Settings = IssuerSettings | WorkerSettings


def minute_surcharge(config: AgentConfig, architecture: Architecture, registry: Registry) -> int:
    """Credits per minute on top of the base price for the stages' first choices."""
    if architecture is Architecture.TEXT:
        return 0  # a text agent has no minute
    if architecture is Architecture.REALTIME:
        choice = config.realtime
        used: list[tuple[Stage, str, str | None, str | None]] = [
            ("realtime", choice.provider, choice.model, choice.voice)
        ]
    else:
        used = [
            ("stt", config.stt.provider, config.stt.model, None),
            ("llm", config.llm.provider, config.llm.model, None),
            ("tts", config.tts.provider, config.tts.model, config.tts.voice),
        ]
    total = 0
    for stage, provider, model, voice in used:
        try:
            # The defaults filled in as the worker fills them, so an agent naming no model
            # pays for the one it runs.
            chosen = stages.choose(
                registry,
                stage,
                param=stage,
                provider=provider,
                model=model,
                voice=voice,
                needs_voice=stage in ("tts", "realtime"),
                lists=False,
            )
        except InvalidRequestError:
            continue  # a provider since removed: the call cannot run on it either
        total += chosen.provider.surcharges.of(model=chosen.model, voice=chosen.voice)
    return total


async def price_of(
    db: AsyncSession, agent: Agent, settings: Settings, *, config: AgentConfig | None = None
) -> pricing.Price:
    """The agent's effective prices; with `config` (a session's, overrides applied), the
    surcharges of what that configuration runs."""
    surcharge = minute_surcharge(
        config or config_of(agent), agent.architecture, registry_of(settings)
    )
    return await pricing.price_of(db, agent, settings, surcharge=surcharge)


def price_with(agent: Agent, org: pricing.PriceOverride, settings: Settings) -> pricing.Price:
    """The agent's effective prices given its organization's (a listing reads it once)."""
    return pricing.resolve(
        agent.architecture,
        agent=pricing.override_of(agent),
        org=org,
        settings=settings,
        surcharge=minute_surcharge(config_of(agent), agent.architecture, registry_of(settings)),
    )

"""Surcharges on the operator's models and voices: read from the providers file, added to
a voice minute resolved from the organization's price or the default, never to an agent's
own price, never for fallbacks or text agents; none from the built-ins."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from callwright_issuer.app import create_app
from callwright_shared.agents.definitions import AgentConfig
from callwright_shared.agents.registry import (
    ProvidersFileError,
    Registry,
    parse_providers,
    registry_of,
)
from callwright_shared.agents.surcharges import minute_surcharge
from callwright_shared.billing.pricing import PriceOverride, resolve
from callwright_shared.db.models import Architecture
from callwright_shared.settings import CallwrightSettings

pytestmark = pytest.mark.unit

PRICED = """
providers:
  - name: openai
    kind: openai
    stages: [llm, tts, realtime]
    models: [gpt-4o-mini, gpt-4o, gpt-4o-mini-tts, gpt-realtime]
    voices: [alloy, premium_voice]
    surcharges:
      models: {gpt-4o: 1, gpt-realtime: 5}
      voices: {premium_voice: 2}
  - name: deepgram
    kind: deepgram
    stages: [stt]
    models: [nova-3, nova-2]
    surcharges: {models: {nova-3: 3}}
  - name: backup
    kind: openai
    stages: [llm, tts]
    models: [big]
    voices: [posh]
    surcharges: {models: {big: 50}, voices: {posh: 50}}
"""
SETTINGS = CallwrightSettings.model_validate(
    {"price_pipeline_credits_per_minute": 10, "price_realtime_credits_per_minute": 40}
)


def registry() -> Registry:
    return parse_providers(PRICED, source="providers.yaml")


def config(**stages: Any) -> AgentConfig:
    return AgentConfig.model_validate(stages)


def test_a_pipeline_pays_for_its_first_choices_only() -> None:
    plain = config(stt={"model": "nova-2"})
    assert minute_surcharge(plain, Architecture.PIPELINE, registry()) == 0
    premium = config(
        stt={"model": "nova-3"},
        llm={"model": "gpt-4o", "fallback": [{"provider": "backup", "model": "big"}]},
        tts={"voice": "premium_voice", "fallback": [{"provider": "backup", "voice": "posh"}]},
    )
    # nova-3 (3) + gpt-4o (1) + premium_voice (2); the fallbacks run only when these fail.
    assert minute_surcharge(premium, Architecture.PIPELINE, registry()) == 6
    # A text agent has no minute: its model's surcharge does not apply.
    assert minute_surcharge(premium, Architecture.TEXT, registry()) == 0


def test_a_realtime_agent_pays_for_the_model_it_runs_by_default() -> None:
    # No model named: the provider's default (gpt-realtime) is what runs, and is priced.
    agent = config(realtime={"provider": "openai", "voice": "premium_voice"})
    assert minute_surcharge(agent, Architecture.REALTIME, registry()) == 7


def test_a_provider_no_longer_named_adds_nothing() -> None:
    gone = config(stt={"provider": "speechmatics", "model": "x"}, tts={"voice": "premium_voice"})
    assert minute_surcharge(gone, Architecture.PIPELINE, registry()) == 2


def test_the_builtins_carry_no_surcharge() -> None:
    builtins = registry_of(CallwrightSettings.model_validate({}))
    agent = config(llm={"model": "gpt-4o"}, tts={"voice": "alloy"})
    assert minute_surcharge(agent, Architecture.PIPELINE, builtins) == 0


@pytest.mark.parametrize(
    ("agent", "org", "minute"),
    [
        (PriceOverride(), PriceOverride(), 16),  # the default 10 + 6
        (PriceOverride(), PriceOverride(credits_per_minute=4), 10),  # the org's 4 + 6
        (PriceOverride(credits_per_minute=8), PriceOverride(credits_per_minute=4), 8),
        (PriceOverride(credits_per_minute=0), PriceOverride(), 0),  # a free agent stays free
    ],
)
def test_an_agent_s_own_price_is_the_final_word(
    agent: PriceOverride, org: PriceOverride, minute: int
) -> None:
    price = resolve(Architecture.PIPELINE, agent=agent, org=org, settings=SETTINGS, surcharge=6)
    assert price.credits_per_minute == minute
    assert price.credits_per_message == SETTINGS.price_chat_credits_per_message


@pytest.mark.parametrize(
    ("surcharges", "fault"),
    [
        ("{voices: {premium_voice: -1}}", r"surcharges\.voices\.premium_voice: .*greater than"),
        ("{voices: {premium_voice: 1.5}}", r"surcharges\.voices\.premium_voice: .*integer"),
        ("{voices: {premium_voice: true}}", r"surcharges\.voices\.premium_voice: .*integer"),
        ("{voices: {premium_voice: 2000000}}", r"surcharges\.voices\.premium_voice: .*less"),
        ("{voices: {shouty: 2}}", r"surcharges\.voices\.shouty: not one of its voices"),
        ("{models: {gpt-5: 2}}", r"surcharges\.models\.gpt-5: not one of its models"),
        ("{stages: {tts: 2}}", r"surcharges\.stages: Extra inputs"),
        ("[1]", r"providers\.0\.surcharges: "),
    ],
)
def test_a_malformed_surcharge_is_refused_naming_it(surcharges: str, fault: str) -> None:
    text = (
        "providers: [{name: openai, kind: openai, stages: [tts], models: [gpt-4o-mini-tts],"
        f" voices: [premium_voice], surcharges: {surcharges}}}]"
    )
    with pytest.raises(ProvidersFileError, match=fault):
        parse_providers(text, source="providers.yaml")


async def test_the_issuer_does_not_start_on_a_malformed_surcharge(tmp_path: Path) -> None:
    path = tmp_path / "providers.yaml"
    path.write_text(PRICED.replace("premium_voice: 2", "premium_voice: two"))
    app = create_app(
        CallwrightSettings.model_validate(
            {"providers_file": str(path), "database_url": "sqlite+aiosqlite:///unused.db"}
        )
    )
    with pytest.raises(ProvidersFileError, match=r"surcharges\.voices\.premium_voice"):
        async with app.router.lifespan_context(app):
            pass

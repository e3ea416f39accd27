"""The page says which provider keys an agent is missing from the providers its stages
name (fallbacks included: the worker builds them all), so an agent on the operator's own
servers is not shown as missing OpenAI's or Deepgram's key."""

from __future__ import annotations

from typing import Any

import pytest

from callwright_shared.agents.registry import builtin_registry
from callwright_shared.settings import CallwrightSettings
from callwright_web.providers import BUILTIN_KEYS, keys_needed

pytestmark = pytest.mark.unit


def pipeline(
    stt: str, llm: str, tts: str, fallbacks: dict[str, list[str]] | None = None
) -> dict[str, Any]:
    fallbacks = fallbacks or {}

    def stage(name: str, provider: str) -> dict[str, Any]:
        return {
            "provider": provider,
            "fallback": [{"provider": p} for p in fallbacks.get(name, [])],
        }

    return {
        "architecture": "pipeline",
        "stt": stage("stt", stt),
        "llm": stage("llm", llm),
        "tts": stage("tts", tts),
    }


def test_todays_pipeline_needs_deepgram_and_openai() -> None:
    assert keys_needed(pipeline("deepgram", "openai", "openai")) == {
        "DEEPGRAM_API_KEY",
        "OPENAI_API_KEY",
    }


def test_an_agent_on_the_operators_servers_needs_no_builtin_key() -> None:
    assert keys_needed(pipeline("speaches-stt", "ollama", "speaches-tts")) == set()
    # A vendor voice's key is not one the page is told about.
    assert keys_needed(pipeline("speaches-stt", "ollama", "elevenlabs")) == set()


def test_a_fallback_on_a_builtin_needs_its_key() -> None:
    agent = pipeline(
        "speaches-stt", "ollama", "speaches-tts", {"stt": ["deepgram"], "llm": ["openai"]}
    )
    assert keys_needed(agent) == {"DEEPGRAM_API_KEY", "OPENAI_API_KEY"}


@pytest.mark.parametrize(
    ("provider", "key"),
    [("openai", "OPENAI_API_KEY"), ("google", "GOOGLE_API_KEY"), ("gemini", "GOOGLE_API_KEY")],
)
def test_a_realtime_agent_needs_its_providers_key(provider: str, key: str) -> None:
    agent = {"architecture": "realtime", "realtime": {"provider": provider}}
    assert keys_needed(agent) == {key}


def test_an_answer_without_stage_objects_falls_back_to_the_architecture() -> None:
    assert keys_needed({"architecture": "pipeline"}) == {"DEEPGRAM_API_KEY", "OPENAI_API_KEY"}
    assert keys_needed({"architecture": "text"}) == set()


def test_the_builtin_names_and_keys_are_the_registrys() -> None:
    registry = builtin_registry(CallwrightSettings.model_validate({}))
    for name, key in BUILTIN_KEYS.items():
        assert registry.get(name).api_key_env == key

"""The operator's providers: the built-ins from today's settings, the providers file, and
what a tenant's choice is checked against."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from callwright_shared.agents.providers import ProviderConfigError
from callwright_shared.agents.registry import (
    ProvidersFileError,
    parse_providers,
    registry_of,
)
from callwright_shared.errors import InvalidRequestError
from callwright_shared.settings import CallwrightSettings

pytestmark = pytest.mark.unit

SPEACHES = """
providers:
  - name: groq
    kind: openai
    base_url: https://api.groq.com/openai/v1
    api_key_env: GROQ_API_KEY
    stages: [llm]
    models: [llama-3.3-70b-versatile]
  - name: speaches
    kind: openai
    base_url: http://speaches:8000/v1
    stages: [stt, tts]
    models: [Systran/faster-whisper-small, speaches-ai/Kokoro-82M-v1.0-ONNX]
    voices: [af_heart]
  - name: deepgram
    kind: deepgram
    stages: [stt, tts]
    models: [nova-3, aura-2-thalia-en]
"""


def settings(**values: object) -> CallwrightSettings:
    return CallwrightSettings.model_validate(values)


def test_builtins_follow_todays_settings_and_lists() -> None:
    registry = registry_of(
        settings(
            openai_base_url="http://127.0.0.1:9/v1",
            allowed_tts_voices="nova, alloy",
            allowed_realtime_providers="openai",
        )
    )
    assert sorted(registry.providers) == ["deepgram", "google", "openai"]
    openai = registry.get("openai")
    assert openai.base_url == "http://127.0.0.1:9/v1"
    assert openai.stages == ("llm", "tts", "realtime")
    assert openai.voices["tts"] == ("nova", "alloy")
    assert registry.get("deepgram").stages == ("stt",)
    # Gemini left out of the realtime providers: Google serves nothing.
    assert registry.get("google").stages == ()
    # Today's lists stay per stage: an LLM model is no voice model.
    with pytest.raises(InvalidRequestError) as refused:
        registry.check("tts", param="tts", provider="openai", model="gpt-4o-mini", voice="nova")
    assert refused.value.param == "tts.model"


def test_elevenlabs_and_cartesia_exist_when_their_keys_are_set() -> None:
    registry = registry_of(settings(elevenlabs_api_key="el", cartesia_api_key="ca"))
    assert {"elevenlabs", "cartesia"} <= set(registry.providers)
    assert registry.get("elevenlabs").stages == ("tts",)
    assert "elevenlabs" not in registry_of(settings()).providers


def test_gemini_finds_the_google_provider() -> None:
    registry = registry_of(settings())
    assert registry.get("gemini").name == "google"
    registry.check("realtime", param="realtime", provider="gemini", voice="Puck")


def test_the_file_rules_alone(tmp_path: Path) -> None:
    path = tmp_path / "providers.yaml"
    path.write_text(SPEACHES)
    registry = registry_of(settings(providers_file=str(path)))
    assert sorted(registry.providers) == ["deepgram", "groq", "speaches"]
    assert registry.from_file
    speaches = registry.get("speaches")
    assert speaches.base_url == "http://speaches:8000/v1"
    assert speaches.api_key_env is None  # a server of the operator's own: no key sent
    assert speaches.key(settings()) is None
    # A built-in kind without an api_key_env reads its usual variable.
    assert registry.get("deepgram").api_key_env == "DEEPGRAM_API_KEY"
    registry.check(
        "tts",
        param="tts",
        provider="speaches",
        model="speaches-ai/Kokoro-82M-v1.0-ONNX",
        voice="af_heart",
    )
    # The file's providers are the only ones: openai is not named.
    with pytest.raises(InvalidRequestError) as refused:
        registry.check("llm", param="llm", provider="openai", model="gpt-4o-mini")
    assert refused.value.param == "llm.provider"
    # JSON is read too.
    json_path = tmp_path / "providers.json"
    entry = {"name": "x", "kind": "openai", "stages": ["llm"], "models": ["m"]}
    json_path.write_text(json.dumps({"providers": [entry]}))
    assert list(registry_of(settings(providers_file=str(json_path))).providers) == ["x"]


@pytest.mark.parametrize(
    ("stage", "choice", "param"),
    [
        ("tts", {"provider": "nobody", "voice": "af_heart"}, "tts.provider"),
        ("llm", {"provider": "speaches", "model": "Systran/faster-whisper-small"}, "llm.provider"),
        ("stt", {"provider": "speaches", "model": "whisper-1"}, "stt.model"),
        ("tts", {"provider": "speaches", "voice": "alloy"}, "tts.voice"),
    ],
)
def test_refusals_name_the_field(stage: str, choice: dict[str, str], param: str) -> None:
    registry = parse_providers(SPEACHES, source="providers.yaml")
    with pytest.raises(InvalidRequestError) as refused:
        registry.check(stage, param=stage, **choice)  # type: ignore[arg-type]
    assert refused.value.param == param


def test_keys_stay_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    registry = parse_providers(SPEACHES, source="providers.yaml")
    groq = registry.get("groq")
    monkeypatch.delenv("GROQ_API_KEY", raising=False)
    with pytest.raises(ProviderConfigError, match="GROQ_API_KEY"):
        groq.key(settings())
    monkeypatch.setenv("GROQ_API_KEY", "gsk-test")
    assert groq.key(settings()) == "gsk-test"
    # The built-in variables are found in the settings (a `.env` file) too.
    assert registry.get("deepgram").key(settings(deepgram_api_key="dg")) == "dg"


@pytest.mark.parametrize(
    ("text", "fault"),
    [
        ("providers: [{name: a, kind: elevenlabs, stages: [llm], models: [m]}]", "cannot serve"),
        ("providers: [{name: a, kind: openai, stages: [llm]}]", "lists no models"),
        ("providers: [{name: a, kind: azure, stages: [llm], models: [m]}]", "kind"),
        (
            "providers: [{name: a, kind: openai, stages: [llm], models: [m]},"
            " {name: a, kind: openai, stages: [tts], models: [m]}]",
            "named twice",
        ),
        ("providers: [{name: a, kind: openai, stages: [llm], models: [m], key: sk}]", "key"),
        ("providers: {", "YAML"),
    ],
)
def test_a_bad_file_is_refused_with_its_fault(text: str, fault: str) -> None:
    with pytest.raises(ProvidersFileError, match=fault):
        parse_providers(text, source="providers.yaml")


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ProvidersFileError, match="cannot be read"):
        registry_of(settings(providers_file=str(tmp_path / "none.yaml")))

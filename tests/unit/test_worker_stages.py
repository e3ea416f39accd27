"""The worker builds each stage from the operator's providers: its own base URL and key,
OpenAI-compatible speech-to-text segmented by the VAD, Deepgram Aura voices, and the
fallbacks behind livekit-agents' FallbackAdapter."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from livekit.agents import llm, stt, tts
from livekit.agents.utils import http_context
from livekit.agents.vad import VAD
from livekit.plugins import deepgram, openai, silero

from callwright_shared.agents.definitions import AgentConfig
from callwright_shared.db.models import Architecture
from callwright_shared.settings import CallwrightSettings
from callwright_worker.providers import NO_KEY, ProviderConfigError, session_plan

pytestmark = pytest.mark.unit

PROVIDERS = """
providers:
  - name: whisper
    kind: openai
    base_url: http://127.0.0.1:9/stt/v1
    stages: [stt]
    models: [Systran/faster-whisper-small]
  - name: vllm
    kind: openai
    base_url: http://127.0.0.1:9/llm/v1
    api_key_env: CALLWRIGHT_TEST_VLLM_KEY
    stages: [llm]
    models: [qwen]
  - name: kokoro
    kind: openai
    base_url: http://127.0.0.1:9/tts/v1
    stages: [tts]
    models: [kokoro]
    voices: [af_heart]
  - name: deepgram
    kind: deepgram
    base_url: http://127.0.0.1:9/dg/v1
    stages: [stt, tts]
    models: [nova-3, aura-2-thalia-en]
    voices: [aura-2-thalia-en]
  - name: backup
    kind: openai
    base_url: http://127.0.0.1:9/backup/v1
    stages: [llm]
    models: [small]
"""


@pytest.fixture(scope="module")
def vad() -> VAD:
    return silero.VAD.load()


@pytest.fixture
async def http() -> AsyncIterator[None]:
    http_context._new_session_ctx()
    yield
    await http_context._close_http_ctx()


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CallwrightSettings:
    path = tmp_path / "providers.yaml"
    path.write_text(PROVIDERS)
    monkeypatch.setenv("CALLWRIGHT_TEST_VLLM_KEY", "vllm-key")
    # The operator's OpenAI key must not reach a server the file gave no key.
    return CallwrightSettings.model_validate(
        {"providers_file": str(path), "openai_api_key": "sk-operator", "deepgram_api_key": "dg"}
    )


def _base_url(plugin: object) -> str:
    client = plugin._client  # type: ignore[attr-defined]
    return str(client.base_url)


async def test_three_providers_on_three_base_urls(
    vad: VAD, http: None, settings: CallwrightSettings
) -> None:
    config = AgentConfig.model_validate(
        {
            "stt": {"provider": "whisper", "model": "Systran/faster-whisper-small"},
            "llm": {"provider": "vllm", "model": "qwen", "temperature": 0.2},
            "tts": {"provider": "kokoro", "voice": "af_heart"},
        }
    )
    plan = session_plan(Architecture.PIPELINE, config, settings, vad_model=vad)
    speech, chat, voice = plan.kwargs["stt"], plan.kwargs["llm"], plan.kwargs["tts"]
    # A non-streaming transcription server, segmented by the session's VAD.
    assert isinstance(speech, stt.StreamAdapter)
    whisper = speech.wrapped_stt
    assert isinstance(whisper, openai.STT) and not whisper.capabilities.streaming
    assert _base_url(whisper) == "http://127.0.0.1:9/stt/v1/"
    assert whisper._client.api_key == NO_KEY
    assert isinstance(chat, openai.LLM) and chat.model == "qwen"
    assert _base_url(chat) == "http://127.0.0.1:9/llm/v1/"
    assert chat._client.api_key == "vllm-key"
    assert isinstance(voice, openai.TTS) and voice._opts.voice == "af_heart"
    assert voice.model == "kokoro"  # the provider's first model, none chosen
    assert _base_url(voice) == "http://127.0.0.1:9/tts/v1/"
    assert voice._client.api_key == NO_KEY


async def test_fallbacks_and_deepgram_aura(
    vad: VAD, http: None, settings: CallwrightSettings
) -> None:
    config = AgentConfig.model_validate(
        {
            "stt": {
                "provider": "deepgram",
                "model": "nova-3",
                "fallback": [{"provider": "whisper"}],
            },
            "llm": {"provider": "vllm", "model": "qwen", "fallback": [{"provider": "backup"}]},
            "tts": {
                "provider": "deepgram",
                "voice": "aura-2-thalia-en",
                "fallback": [{"provider": "kokoro", "voice": "af_heart"}],
            },
        }
    )
    plan = session_plan(Architecture.PIPELINE, config, settings, vad_model=vad)
    speech, chat, voice = plan.kwargs["stt"], plan.kwargs["llm"], plan.kwargs["tts"]
    assert isinstance(speech, stt.FallbackAdapter)
    assert isinstance(speech._stt_instances[0], deepgram.STT)
    assert speech._stt_instances[0]._opts.endpoint_url.startswith("http://127.0.0.1:9/dg/v1/listen")
    assert isinstance(chat, llm.FallbackAdapter)
    assert [c.model for c in chat._llm_instances] == ["qwen", "small"]
    assert isinstance(voice, tts.FallbackAdapter)
    aura, kokoro = voice._tts_instances
    assert isinstance(aura, deepgram.TTS) and aura._opts.model == "aura-2-thalia-en"
    assert aura._opts.base_url == "http://127.0.0.1:9/dg/v1/speak"
    assert isinstance(kokoro, openai.TTS) and kokoro._opts.voice == "af_heart"


async def test_a_provider_the_operator_removed_is_a_configuration_fault(
    vad: VAD, http: None, settings: CallwrightSettings
) -> None:
    config = AgentConfig.model_validate({"llm": {"provider": "groq", "model": "llama"}})
    with pytest.raises(ProviderConfigError, match="groq"):
        session_plan(Architecture.PIPELINE, config, settings, vad_model=vad)

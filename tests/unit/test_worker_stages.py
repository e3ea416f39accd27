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
from livekit.plugins import cartesia, deepgram, elevenlabs, openai, silero

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


VENDOR_VOICES = """
providers:
  - name: eleven
    kind: elevenlabs
    base_url: http://127.0.0.1:9/eleven/v1
    stages: [tts]
    models: [eleven_flash_v2_5]
    voices: [voice-e]
  - name: sonic
    kind: cartesia
    base_url: http://127.0.0.1:9/cartesia
    stages: [tts]
    models: [sonic-2]
    voices: [voice-c]
  - name: local
    kind: openai
    base_url: http://127.0.0.1:9/local/v1
    stages: [stt, llm]
    models: [qwen]
"""


async def test_elevenlabs_and_cartesia_voices_on_their_base_urls(
    vad: VAD, http: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "providers.yaml"
    path.write_text(VENDOR_VOICES)
    monkeypatch.setenv("ELEVENLABS_API_KEY", "xi-key")
    monkeypatch.setenv("CARTESIA_API_KEY", "sk_car")
    settings = CallwrightSettings.model_validate(
        {"providers_file": str(path), "deepgram_api_key": "dg"}
    )
    config = AgentConfig.model_validate(
        {
            "language": "de-DE",
            "stt": {"provider": "local"},
            "llm": {"provider": "local"},
            "tts": {
                "provider": "eleven",
                "voice": "voice-e",
                "fallback": [{"provider": "sonic", "voice": "voice-c"}],
            },
        }
    )
    plan = session_plan(Architecture.PIPELINE, config, settings, vad_model=vad)
    voice = plan.kwargs["tts"]
    assert isinstance(voice, tts.FallbackAdapter)
    eleven, sonic = voice._tts_instances
    assert isinstance(eleven, elevenlabs.TTS)
    assert (eleven._opts.voice_id, eleven.model, eleven._opts.api_key) == (
        "voice-e", "eleven_flash_v2_5", "xi-key",
    )  # fmt: skip
    assert eleven._opts.base_url == "http://127.0.0.1:9/eleven/v1"
    # Raw PCM: nothing to decode in the worker.
    assert eleven._opts.encoding == "pcm_24000" and eleven.sample_rate == 24000
    assert isinstance(sonic, cartesia.TTS)
    assert (sonic._opts.voice, sonic.model, sonic._opts.api_key) == ("voice-c", "sonic-2", "sk_car")
    assert sonic._opts.base_url == "http://127.0.0.1:9/cartesia"
    assert sonic._opts.language is not None and sonic._opts.language.language == "de"


async def test_a_vendor_voice_without_its_key_is_a_configuration_fault(
    vad: VAD, http: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "providers.yaml"
    path.write_text(VENDOR_VOICES)
    monkeypatch.delenv("CARTESIA_API_KEY", raising=False)
    settings = CallwrightSettings.model_validate({"providers_file": str(path)})
    config = AgentConfig.model_validate(
        {
            "stt": {"provider": "local"},
            "llm": {"provider": "local"},
            "tts": {"provider": "sonic", "voice": "voice-c"},
        }
    )
    with pytest.raises(ProviderConfigError, match="CARTESIA_API_KEY"):
        session_plan(Architecture.PIPELINE, config, settings, vad_model=vad)

"""The agent's fields and the operator's settings drive the real plugin objects."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from google.genai.types import ContextWindowCompressionConfig, HttpOptions
from livekit.agents import inference
from livekit.agents.utils import http_context
from livekit.agents.vad import VAD
from livekit.plugins import deepgram, google, openai, silero
from livekit.plugins.google.realtime.realtime_api import KNOWN_GEMINI_API_MODELS

from callwright_shared.agents.definitions import DEFAULT_REALTIME_MODELS, AgentConfig
from callwright_shared.calls.dispatch import DispatchMetadata
from callwright_shared.calls.room_names import parse_room_name
from callwright_shared.db.models import Architecture, SessionStatus
from callwright_shared.settings import CallwrightSettings
from callwright_worker.call_store import CallRecord
from callwright_worker.job import issued_for
from callwright_worker.providers import (
    ProviderConfigError,
    room_io_options,
    session_plan,
    vad_model,
)
from callwright_worker.turn_handling import TranscriptTurnDetector

pytestmark = pytest.mark.unit


def settings(**overrides: object) -> CallwrightSettings:
    return CallwrightSettings.model_validate(
        {
            "openai_api_key": "sk-test",
            "openai_base_url": "http://127.0.0.1:9/v1",
            "deepgram_api_key": "dg-test",
            "deepgram_base_url": "http://127.0.0.1:9/v1/listen",
            "google_api_key": "g-test",
            "google_base_url": "http://127.0.0.1:9",
            **overrides,
        }
    )


@pytest.fixture(scope="module")
def vad() -> VAD:
    return silero.VAD.load()


@pytest.fixture
async def http() -> AsyncIterator[None]:
    # Plugins that open sockets want livekit's HTTP context outside a job.
    http_context._new_session_ctx()
    yield
    await http_context._close_http_ctx()


async def test_pipeline_agent_fields_reach_the_plugins(vad: VAD, http: None) -> None:
    config = AgentConfig(
        stt_model="nova-2",
        language="fr",
        llm_model="gpt-4.1-mini",
        temperature=0.3,
        tts_model="tts-1",
        tts_voice="nova",
    )
    plan = session_plan(Architecture.PIPELINE, config, settings(), vad_model=vad)
    stt, chat, tts = plan.kwargs["stt"], plan.kwargs["llm"], plan.kwargs["tts"]
    assert isinstance(stt, deepgram.STT) and stt.model == "nova-2"
    assert stt._opts.language == "fr"
    assert isinstance(chat, openai.LLM) and chat.model == "gpt-4.1-mini"
    assert chat._opts.temperature == 0.3
    assert isinstance(tts, openai.TTS) and tts.model == "tts-1" and tts._opts.voice == "nova"
    assert plan.kwargs["vad"] is vad
    # Nothing may call LiveKit Cloud: a local turn detector and VAD interruptions.
    assert isinstance(plan.kwargs["turn_handling"]["turn_detection"], TranscriptTurnDetector)
    assert plan.kwargs["turn_handling"]["interruption"]["mode"] == "vad"


async def test_openai_realtime_agent(vad: VAD, http: None) -> None:
    config = AgentConfig(provider="openai", model="gpt-realtime-mini", voice="verse")
    plan = session_plan(Architecture.REALTIME, config, settings(), vad_model=vad)
    model = plan.kwargs["llm"]
    assert isinstance(model, openai.realtime.RealtimeModel)
    assert model.model == "gpt-realtime-mini"
    assert model._opts.voice == "verse"
    assert "stt" not in plan.kwargs and "tts" not in plan.kwargs


async def test_gemini_live_agent_gets_its_model_voice_and_endpoint(vad: VAD, http: None) -> None:
    config = AgentConfig(
        provider="gemini", model="gemini-3.1-flash-live-preview", voice="Kore", temperature=0.5
    )
    plan = session_plan(Architecture.REALTIME, config, settings(), vad_model=vad)
    model = plan.kwargs["llm"]
    assert isinstance(model, google.realtime.RealtimeModel)
    assert model._opts.model == "gemini-3.1-flash-live-preview"
    assert model._opts.voice == "Kore"
    assert model._opts.temperature == 0.5
    http_options = model._opts.http_options
    assert isinstance(http_options, HttpOptions) and http_options.base_url == "http://127.0.0.1:9"
    # Calls outlast Gemini's ~15 minutes of audio only with a compressed context.
    compression = model._opts.context_window_compression
    assert isinstance(compression, ContextWindowCompressionConfig) and compression.sliding_window


async def test_openai_realtime_sessions_are_renewed_before_the_60_minute_limit(
    vad: VAD, http: None
) -> None:
    plan = session_plan(Architecture.REALTIME, AgentConfig(), settings(), vad_model=vad)
    recycle = plan.kwargs["llm"]._opts.max_session_duration
    assert recycle is not None and 0 < recycle < 60 * 60


async def test_gemini_default_model_is_current(vad: VAD, http: None) -> None:
    """The default is the plugin's own Gemini API default, a model it knows, and offered."""
    config = AgentConfig(provider="gemini")
    plan = session_plan(Architecture.REALTIME, config, settings(), vad_model=vad)
    chosen = plan.kwargs["llm"]._opts.model
    plugin_default = google.realtime.RealtimeModel(api_key="g-test", vertexai=False)._opts.model
    assert chosen == DEFAULT_REALTIME_MODELS["google"] == plugin_default
    assert chosen in KNOWN_GEMINI_API_MODELS
    offered = CallwrightSettings.model_fields["allowed_gemini_live_models"].default
    assert chosen in offered
    assert set(offered) <= KNOWN_GEMINI_API_MODELS, "an offered model the plugin does not know"
    # Retired by Google: an agent may not choose them any more.
    assert not {"gemini-2.0-flash-live-001", "gemini-live-2.5-flash-preview"} & set(offered)


@pytest.mark.parametrize(
    ("architecture", "provider", "missing", "setting"),
    [
        (Architecture.PIPELINE, "openai", "openai_api_key", "OPENAI_API_KEY"),
        (Architecture.PIPELINE, "openai", "deepgram_api_key", "DEEPGRAM_API_KEY"),
        (Architecture.REALTIME, "openai", "openai_api_key", "OPENAI_API_KEY"),
        (Architecture.REALTIME, "gemini", "google_api_key", "GOOGLE_API_KEY"),
    ],
)
async def test_a_missing_key_is_a_provider_config_error(
    vad: VAD,
    http: None,
    architecture: Architecture,
    provider: str,
    missing: str,
    setting: str,
) -> None:
    config = AgentConfig.model_validate({"provider": provider})
    with pytest.raises(ProviderConfigError) as raised:
        session_plan(architecture, config, settings(**{missing: None}), vad_model=vad)
    assert raised.value.setting == setting
    assert "sk-test" not in str(raised.value)


def record(**overrides: object) -> CallRecord:
    values: dict[str, object] = {
        "session_id": "ses_1",
        "org_id": "org_1",
        "user_id": "user_1",
        "agent_id": "5b710eca",
        "status": SessionStatus.CREATED,
        "created_at": datetime.now(UTC),
        "max_duration_seconds": 60,
        "limited_by_credits": False,
        "credits_per_minute": 10,
        "agent_name": "A",
        "architecture": Architecture.PIPELINE,
        "config": AgentConfig(),
        "metadata": None,
        **overrides,
    }
    return CallRecord(**values)  # type: ignore[arg-type]


ROOM = parse_room_name("agent_5b710eca_user_1_1705312800000")
META = DispatchMetadata(
    session_id="ses_1", agent_id="5b710eca", user_id="user_1", org_id="org_1"
).to_json()


@pytest.mark.parametrize(
    ("call", "metadata", "expected"),
    [
        (record(), META, True),
        (record(), "", True),
        (None, META, False),
        (record(status=SessionStatus.ENDED), META, False),
        (record(status=SessionStatus.ACTIVE), META, False),
        (record(user_id="someone_else"), META, False),
        (record(agent_id="0123456789"), META, False),
        (record(session_id="ses_2"), META, False),
        (record(), "not json", False),
    ],
)
def test_only_rooms_callwright_issued_are_served(
    call: CallRecord | None, metadata: str, expected: bool
) -> None:
    assert issued_for(call, ROOM, metadata) is expected


def test_density_settings_reach_the_room_input_and_the_vad() -> None:
    tuned = settings(
        worker_input_sample_rate=16000,
        worker_input_frame_ms=20,
        worker_input_auto_gain_control=False,
        worker_vad_sample_rate=8000,
        worker_sync_transcription=False,
    )
    pipeline = room_io_options(Architecture.PIPELINE, tuned)
    assert pipeline["audio_input"].sample_rate == 16000
    assert pipeline["audio_input"].frame_size_ms == 20
    assert pipeline["audio_input"].auto_gain_control is False
    assert pipeline["text_output"].sync_transcription is False
    # A realtime model keeps its own input rate: 16 kHz would be resampled up again.
    realtime = room_io_options(Architecture.REALTIME, tuned)
    assert realtime["audio_input"].sample_rate == 24000
    assert realtime["audio_input"].auto_gain_control is False
    model = vad_model(tuned)
    assert isinstance(model, silero.VAD)
    assert model._opts.sample_rate == 8000
    assert model._opts.min_silence_duration == 0.3  # CALLWRIGHT_WORKER_VAD_MIN_SILENCE_S


def test_the_native_vad_is_livekit_s_local_one_with_the_worker_s_silence() -> None:
    model = vad_model(settings(worker_vad="native", worker_vad_min_silence_s=0.4))
    assert isinstance(model, inference.VAD)
    assert model.provider == "livekit-local-inference"
    assert model.min_silence_duration == 0.4

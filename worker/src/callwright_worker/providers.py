"""Building an agent's models from its configuration and the operator's settings.

Provider endpoints and keys come only from the operator's settings, read through the
registry of callwright_shared.agents.providers: an agent chooses models and voices, never URLs
(a tenant must not point the worker, and the operator's keys, at a server of its own). Nothing
here touches LiveKit Cloud inference: turn detection is pinned to local VAD (pipeline) or
the realtime model's own server VAD, and interruption handling to VAD, so no default
silently calls the cloud: livekit-agents' default turn detector and, in dev mode, its
adaptive interruption detector call LiveKit Cloud inference with the API key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from google.genai import types as genai
from livekit import rtc
from livekit.agents import NOT_GIVEN, Agent, AgentSession, NotGivenOr, llm, vad
from livekit.agents.voice import room_io
from livekit.agents.voice.agent_session import RecordingOptions
from livekit.agents.voice.turn import TurnHandlingOptions
from livekit.plugins import deepgram, google, openai, silero

from callwright_shared.agents.definitions import AgentConfig
from callwright_shared.agents.providers import DEEPGRAM, GOOGLE, OPENAI
from callwright_shared.agents.providers import ProviderConfigError as ProviderConfigError
from callwright_shared.db.models import Architecture
from callwright_shared.settings import CallwrightSettings

# Turn taking (pipeline). Silero VAD reports the end of speech after VAD_MIN_SILENCE_S of
# silence; the session takes the turn no earlier than ENDPOINTING_MIN_DELAY_S after the
# end of speech. Both count from the end of speech, so the endpointing delay a user
# waits is the larger of the two.
VAD_MIN_SILENCE_S = 0.55
ENDPOINTING_MIN_DELAY_S = 0.4
ENDPOINTING_DELAY_S = max(VAD_MIN_SILENCE_S, ENDPOINTING_MIN_DELAY_S)
DEEPGRAM_LISTEN_URL = "https://api.deepgram.com/v1/listen"
# Provider session limits. OpenAI Realtime ends a session
# at 60 minutes: the plugin opens a new one this often, replaying the conversation. Gemini
# Live resets a connection about every 10 minutes (goAway; the plugin reconnects with its
# resumption handle) and ends an audio session at about 15 minutes unless the context is
# compressed: a sliding window lifts that limit.
OPENAI_REALTIME_RECYCLE_SECONDS = 20 * 60
GEMINI_CONTEXT_COMPRESSION = genai.ContextWindowCompressionConfig(
    sliding_window=genai.SlidingWindow()
)


@dataclass(frozen=True, slots=True)
class SessionPlan:
    """What `AgentSession(**kwargs)` is built from; kept for tests and logs."""

    architecture: Architecture
    kwargs: dict[str, Any]


def _url(value: str | None) -> NotGivenOr[str]:
    return value or NOT_GIVEN


def vad_model(settings: CallwrightSettings) -> vad.VAD:
    """Silero VAD, loaded once per job process (its ONNX session runs on one thread)."""
    return silero.VAD.load(
        min_silence_duration=VAD_MIN_SILENCE_S,
        sample_rate=8000 if settings.worker_vad_sample_rate == 8000 else 16000,
    )


def room_io_options(architecture: Architecture, settings: CallwrightSettings) -> dict[str, Any]:
    """How the session reads the caller's audio and writes its transcript (RoomOptions
    fields). A realtime model takes the caller's audio at livekit-agents' default rate
    (24 kHz, OpenAI Realtime's own); a pipeline call at the configured one."""
    audio = room_io.AudioInputOptions(
        frame_size_ms=settings.worker_input_frame_ms,
        auto_gain_control=settings.worker_input_auto_gain_control,
    )
    if architecture is Architecture.PIPELINE:
        audio.sample_rate = settings.worker_input_sample_rate
    return {
        "audio_input": audio,
        "text_output": room_io.TextOutputOptions(
            sync_transcription=settings.worker_sync_transcription
        ),
    }


def pipeline_plan(
    config: AgentConfig, settings: CallwrightSettings, *, vad_model: vad.VAD
) -> SessionPlan:
    stt = deepgram.STT(
        model=config.stt_model,
        language=config.language,
        api_key=DEEPGRAM.key(settings),
        base_url=DEEPGRAM.base_url(settings) or DEEPGRAM_LISTEN_URL,
    )
    openai_key = OPENAI.key(settings)
    chat = openai.LLM(
        model=config.llm_model,
        temperature=config.temperature,
        api_key=openai_key,
        base_url=_url(OPENAI.base_url(settings)),
    )
    tts = openai.TTS(
        model=config.tts_model,
        voice=config.tts_voice,
        api_key=openai_key,
        base_url=_url(OPENAI.base_url(settings)),
    )
    turn_handling: TurnHandlingOptions = {
        "turn_detection": "vad",
        "endpointing": {"min_delay": ENDPOINTING_MIN_DELAY_S},
        "interruption": {"mode": "vad"},
    }
    return SessionPlan(
        Architecture.PIPELINE,
        {"stt": stt, "llm": chat, "tts": tts, "vad": vad_model, "turn_handling": turn_handling},
    )


def realtime_model(config: AgentConfig, settings: CallwrightSettings) -> llm.RealtimeModel:
    if config.provider == "gemini":
        http_options: dict[str, Any] = {}
        if google_url := GOOGLE.base_url(settings):
            http_options["http_options"] = genai.HttpOptions(base_url=google_url)
        gemini: llm.RealtimeModel = google.realtime.RealtimeModel(
            model=config.realtime_model,
            voice=config.realtime_voice,
            temperature=config.temperature,
            language=config.language,
            instructions=config.instructions,
            context_window_compression=GEMINI_CONTEXT_COMPRESSION,
            api_key=GOOGLE.key(settings),
            **http_options,
        )
        return gemini
    model: llm.RealtimeModel = openai.realtime.RealtimeModel(
        model=config.realtime_model,
        voice=config.realtime_voice,
        api_key=OPENAI.key(settings),
        base_url=_url(OPENAI.base_url(settings)),
        max_session_duration=OPENAI_REALTIME_RECYCLE_SECONDS,
    )
    return model


def realtime_plan(config: AgentConfig, settings: CallwrightSettings) -> SessionPlan:
    turn_handling: TurnHandlingOptions = {
        "turn_detection": "realtime_llm",
        "interruption": {"mode": "vad"},
    }
    return SessionPlan(
        Architecture.REALTIME,
        {"llm": realtime_model(config, settings), "turn_handling": turn_handling},
    )


def session_plan(
    architecture: Architecture,
    config: AgentConfig,
    settings: CallwrightSettings,
    *,
    vad_model: vad.VAD,
) -> SessionPlan:
    if architecture is Architecture.REALTIME:
        return realtime_plan(config, settings)
    return pipeline_plan(config, settings, vad_model=vad_model)


class CallAgentSession(AgentSession[None]):
    """An agent session bound to its job's room."""

    def __init__(self, room: rtc.Room, plan: SessionPlan) -> None:
        super().__init__(**plan.kwargs)
        self._room = room

    async def start_in_room(
        self,
        agent: Agent,
        *,
        room_options: room_io.RoomOptions,
        record: bool | RecordingOptions = False,
    ) -> None:
        # No session host: livekit-agents' `lk.agent.session` would hand any participant
        # the instructions and a control channel; the end user gets the microphone only.
        # `record` is always given: unset, livekit-agents follows the server's setting.
        await self.start(
            agent,
            room=self._room,
            room_options=room_options,
            session_host=False,
            record=record,
        )


@dataclass(frozen=True, slots=True)
class ProviderSessions:
    """Builds a job's agent sessions on the operator's providers, in the job's room
    (callwright_worker.deps.SessionFactory)."""

    vad: vad.VAD
    room: rtc.Room

    def __call__(
        self, architecture: Architecture, config: AgentConfig, settings: CallwrightSettings
    ) -> CallAgentSession:
        return CallAgentSession(
            self.room, session_plan(architecture, config, settings, vad_model=self.vad)
        )

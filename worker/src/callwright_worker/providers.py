"""Building an agent's models from its configuration and the operator's settings.

Provider endpoints and keys come only from the operator's providers, read through the
registry of callwright_shared.agents.registry (each stage its own base URL and key, and
its fallbacks behind livekit-agents' FallbackAdapter): an agent chooses providers, models
and voices, never URLs
(a tenant must not point the worker, and the operator's keys, at a server of its own). Nothing
here touches LiveKit Cloud inference: turn detection is pinned to local detectors
(pipeline: callwright_worker.turn_handling) or the realtime model's own server VAD, and
interruption handling to VAD, so no default silently calls the cloud: livekit-agents'
default turn detector and, in dev mode, its adaptive interruption detector call LiveKit
Cloud inference with the API key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from google.genai import types as genai
from livekit import rtc
from livekit.agents import (
    NOT_GIVEN,
    Agent,
    AgentSession,
    NotGivenOr,
    inference,
    llm,
    stt,
    tts,
    vad,
)
from livekit.agents.voice import room_io
from livekit.agents.voice.agent_session import RecordingOptions
from livekit.agents.voice.turn import TurnHandlingOptions
from livekit.plugins import cartesia, deepgram, elevenlabs, google, openai, silero

from callwright_shared.agents import stages
from callwright_shared.agents.definitions import AgentConfig
from callwright_shared.agents.providers import ProviderConfigError as ProviderConfigError
from callwright_shared.agents.registry import (
    ProvidersFileError,
    Registry,
    Stage,
    registry_of,
)
from callwright_shared.db.models import Architecture
from callwright_shared.errors import InvalidRequestError
from callwright_shared.settings import WorkerSettings
from callwright_worker.turn_handling import turn_handling_options

# Turn taking (pipeline): the agent's `turn_taking` (callwright_worker.turn_handling).
# Silero VAD reports the end of speech after the operator's
# `worker_vad_min_silence_s`; the session takes the turn no earlier than the agent's
# endpointing delay after the end of speech. Both count from the end of speech, so the
# wait a user hears is the larger of the two.
DEEPGRAM_API_URL = "https://api.deepgram.com/v1"
# ElevenLabs sends what the worker asks for: raw PCM at the session's output rate, so
# nothing is decoded per call (the plugin's default, MP3, costs a decoder per stream)
# ([decision](decisions.md#vendor-voices-as-pcm)).
ELEVENLABS_ENCODING: Final = "pcm_24000"
CARTESIA_API_URL = "https://api.cartesia.ai"
# livekit-plugins-openai falls back to OPENAI_API_KEY when given no key: a provider that
# takes none gets this instead, so the operator's OpenAI key never reaches its server.
NO_KEY = "no-key"
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


def vad_model(settings: WorkerSettings) -> vad.VAD:
    """The VAD, loaded once per job process: Silero's plugin (its ONNX session runs on one
    thread) or livekit-local-inference's native one (its weights are in the wheel, already
    loaded by livekit-agents' forkserver preload)."""
    if settings.worker_vad == "native":
        return inference.VAD(min_silence_duration=settings.worker_vad_min_silence_s)
    return silero.VAD.load(
        min_silence_duration=settings.worker_vad_min_silence_s,
        sample_rate=8000 if settings.worker_vad_sample_rate == 8000 else 16000,
    )


def room_io_options(architecture: Architecture, settings: WorkerSettings) -> dict[str, Any]:
    """How the session reads the caller's audio and writes its transcript (RoomOptions
    fields). A realtime model takes the caller's audio at livekit-agents' default rate
    (24 kHz, OpenAI Realtime's own); a pipeline call at the configured one. No pre-connect
    audio: the page never sends a buffer, and one a caller sends is decoded whole and fed
    to the STT faster than real time (docs/security.md#no-pre-connect-audio)."""
    audio = room_io.AudioInputOptions(
        frame_size_ms=settings.worker_input_frame_ms,
        auto_gain_control=settings.worker_input_auto_gain_control,
        pre_connect_audio=False,
    )
    if architecture is Architecture.PIPELINE:
        audio.sample_rate = settings.worker_input_sample_rate
    return {
        "audio_input": audio,
        "text_output": room_io.TextOutputOptions(
            sync_transcription=settings.worker_sync_transcription
        ),
    }


def _registry(settings: WorkerSettings) -> Registry:
    try:
        return registry_of(settings)
    except ProvidersFileError as exc:
        raise ProviderConfigError("the providers file", str(exc)) from None


def _chain(
    registry: Registry, stage: Stage, choice: stages.SttChoice | stages.LlmChoice | stages.TtsChoice
) -> list[stages.Chosen]:
    # What was accepted runs, even off today's lists; a provider the operator has since
    # removed is a configuration fault the caller hears about.
    try:
        return stages.chain(registry, stage, choice, lists=False)
    except InvalidRequestError as exc:
        raise ProviderConfigError(choice.provider, exc.message) from None


def _deepgram_root(base_url: str | None) -> str:
    # DEEPGRAM_BASE_URL has always named the listen endpoint; a provider's is the API root.
    return (base_url or DEEPGRAM_API_URL).rstrip("/").removesuffix("/listen")


def _stt(chosen: stages.Chosen, language: str, settings: WorkerSettings) -> stt.STT[Any]:
    provider = chosen.provider
    key = provider.key(settings)
    if provider.kind == "deepgram":
        return deepgram.STT(
            model=chosen.model,
            language=language,
            api_key=key or NOT_GIVEN,
            base_url=_deepgram_root(provider.base_url) + "/listen",
        )
    # An OpenAI-compatible `/v1/audio/transcriptions` (speaches, faster-whisper-server):
    # one request per utterance, segmented by the session's VAD.
    return openai.STT(
        model=chosen.model,
        language=language,
        api_key=key or NO_KEY,
        base_url=_url(provider.base_url),
        use_realtime=False,
    )


def _llm(chosen: stages.Chosen, temperature: float, settings: WorkerSettings) -> llm.LLM[Any]:
    provider = chosen.provider
    return openai.LLM(
        model=chosen.model,
        temperature=temperature,
        api_key=provider.key(settings) or NO_KEY,
        base_url=_url(provider.base_url),
    )


def _voice(chosen: stages.Chosen) -> str:
    assert chosen.voice is not None  # a voice stage always has one (`stages.chain`)
    return chosen.voice


def _tts(chosen: stages.Chosen, language: str, settings: WorkerSettings) -> tts.TTS[Any]:
    provider = chosen.provider
    key = provider.key(settings)
    if provider.kind == "elevenlabs":
        # The model tells the language from the text: no language code is forced.
        return elevenlabs.TTS(
            voice_id=_voice(chosen),
            model=chosen.model,
            api_key=key or NO_KEY,
            base_url=_url(provider.base_url),
            encoding=ELEVENLABS_ENCODING,
        )
    if provider.kind == "cartesia":
        return cartesia.TTS(
            voice=_voice(chosen),
            model=chosen.model,
            # Cartesia takes the primary subtag (`de`, not `de-DE`).
            language=language.split("-")[0].lower(),
            api_key=key or NO_KEY,
            base_url=provider.base_url or CARTESIA_API_URL,
        )
    if provider.kind == "deepgram":
        # An Aura voice is a model of its own (aura-2-thalia-en): the voice names it.
        return deepgram.TTS(
            model=chosen.voice or chosen.model,
            api_key=key,
            base_url=_deepgram_root(provider.base_url) + "/speak",
        )
    if provider.kind == "openai":
        return openai.TTS(
            model=chosen.model,
            voice=chosen.voice or "alloy",
            api_key=key or NO_KEY,
            base_url=_url(provider.base_url),
        )
    raise ProviderConfigError(
        provider.name, f"the worker has no {provider.kind} voice plugin installed"
    )


def pipeline_plan(
    config: AgentConfig, settings: WorkerSettings, *, vad_model: vad.VAD
) -> SessionPlan:
    registry = _registry(settings)
    language = config.stt.language or config.language
    stts = [_stt(c, language, settings) for c in _chain(registry, "stt", config.stt)]
    chats = [_llm(c, config.llm.temperature, settings) for c in _chain(registry, "llm", config.llm)]
    voices = [_tts(c, config.language, settings) for c in _chain(registry, "tts", config.tts)]
    speech: stt.STT[Any]
    if len(stts) > 1:
        # Its own StreamAdapter (with the VAD) for each non-streaming one.
        speech = stt.FallbackAdapter(stts, vad=vad_model)
    elif not stts[0].capabilities.streaming:
        speech = stt.StreamAdapter(stt=stts[0], vad=vad_model)
    else:
        speech = stts[0]
    chat = llm.FallbackAdapter(chats) if len(chats) > 1 else chats[0]
    voice = tts.FallbackAdapter(voices) if len(voices) > 1 else voices[0]
    turn_handling = turn_handling_options(
        config.turn_taking, max_delay_limit=settings.turn_max_delay_limit_s
    )
    return SessionPlan(
        Architecture.PIPELINE,
        {
            "stt": speech,
            "llm": chat,
            "tts": voice,
            "vad": vad_model,
            "turn_handling": turn_handling,
        },
    )


def fallback_stages(session: object) -> list[tuple[str, Any]]:
    """The (stage, FallbackAdapter) pairs of a session whose stages have fallbacks; each
    emits `<stage>_availability_changed` when a provider fails or comes back."""
    kinds = (
        ("stt", stt.FallbackAdapter),
        ("llm", llm.FallbackAdapter),
        ("tts", tts.FallbackAdapter),
    )
    return [
        (stage, adapter)
        for stage, kind in kinds
        if isinstance(adapter := getattr(session, stage, None), kind)
    ]


def switch_detail(stage: str, event: Any) -> str:
    """What a fallback adapter's availability event says, for the call's timeline."""
    plugin = getattr(event, stage, None)
    which = f"{getattr(plugin, 'provider', '?')} {getattr(plugin, 'model', '?')}"
    state = "available again" if event.available else "failed; the next one takes over"
    return f"{stage} {which}: {state}"


def realtime_model(config: AgentConfig, settings: WorkerSettings) -> llm.RealtimeModel:
    try:
        chosen = stages.realtime_chosen(_registry(settings), config.realtime, lists=False)
    except InvalidRequestError as exc:
        raise ProviderConfigError(config.realtime.provider, exc.message) from None
    provider = chosen.provider
    voice = chosen.voice
    assert voice is not None  # a realtime choice always has one (`stages.choose`)
    if provider.kind == "google":
        http_options: dict[str, Any] = {}
        if provider.base_url:
            http_options["http_options"] = genai.HttpOptions(base_url=provider.base_url)
        gemini: llm.RealtimeModel = google.realtime.RealtimeModel(
            model=chosen.model,
            voice=voice,
            temperature=config.realtime.temperature,
            language=config.language,
            instructions=config.instructions,
            context_window_compression=GEMINI_CONTEXT_COMPRESSION,
            api_key=provider.key(settings) or NOT_GIVEN,
            **http_options,
        )
        return gemini
    model: llm.RealtimeModel = openai.realtime.RealtimeModel(
        model=chosen.model,
        voice=voice,
        api_key=provider.key(settings) or NO_KEY,
        base_url=_url(provider.base_url),
        max_session_duration=OPENAI_REALTIME_RECYCLE_SECONDS,
    )
    return model


def realtime_plan(config: AgentConfig, settings: WorkerSettings) -> SessionPlan:
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
    settings: WorkerSettings,
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
        self, architecture: Architecture, config: AgentConfig, settings: WorkerSettings
    ) -> CallAgentSession:
        return CallAgentSession(
            self.room, session_plan(architecture, config, settings, vad_model=self.vad)
        )

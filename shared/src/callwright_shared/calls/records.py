"""What a session records about its call: transcript entries (which are also its
timeline), per-turn latency, usage, and the latency summary derived from them.

Writers: the worker (`callwright_worker.timeline`: turns from livekit-agents'
`ChatMessage.metrics`, lifecycle events, flushed with each heartbeat and at settlement)
and the chat path (`callwright_shared.sessions.chat`: message turns with the LLM's latency).
Readers: the API (`SessionPublic`, `GET /v1/sessions/{id}/timeline`,
`GET /v1/agents/{id}/stats`), the outbound webhooks (they carry `SessionPublic`) and the
issuer's Prometheus metrics (callwright_issuer.loops.call_metrics).

One record, not two: the `transcript` column holds every entry in the order it
happened, turns and events alike, so a heartbeat flushes the timeline with the
transcript and a worker killed mid-call leaves both up to its last heartbeat. Rows
written before these models stay readable: chat entries stamped `created_at` read as
`at`, and an entry that does not fit is left out of the typed view, never an error.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, ValidationError

logger = logging.getLogger(__name__)


class CallEvent(StrEnum):
    """The `content` of an entry with role `event`."""

    USER_JOINED = "user_joined"
    USER_AWAY = "user_away"
    USER_RETURNED = "user_returned"
    TIME_LIMIT = "time_limit"
    # A `transfer` tool handed the call to another agent (`detail`: its id).
    TRANSFERRED = "transferred"
    # A stage's provider failed and its fallback took over, or came back (`detail`: which).
    PROVIDER_SWITCHED = "provider_switched"
    # The agent paused for what it took for an interruption (a cough, a noise) and no
    # words came (`detail`: `resumed`, or `not_resumed` when it could not go on).
    FALSE_INTERRUPTION = "false_interruption"
    ERROR = "error"
    ENDED = "ended"


class TurnLatency(BaseModel):
    """One turn's latency parts, in milliseconds, as livekit-agents measured them at the
    agent (network and the caller's playout are not in them).

    User turns: `end_of_turn_ms` (end of speech to the end-of-turn decision) and
    `transcription_ms` (end of speech to the final transcript). Agent turns:
    `llm_ttft_ms` (the LLM's first token), `tts_ttfb_ms` (the TTS's first audio byte
    after its first text) and `e2e_ms` (the user stopped speaking → the agent began
    answering, when the agent knows when the user stopped). A realtime model's turns:
    `realtime_ttft_ms` (the response's creation → its first audio, the model's own
    `RealtimeModelMetrics.ttft`).
    """

    end_of_turn_ms: float | None = None
    transcription_ms: float | None = None
    llm_ttft_ms: float | None = None
    tts_ttfb_ms: float | None = None
    e2e_ms: float | None = None
    realtime_ttft_ms: float | None = None


LATENCY_PARTS: tuple[str, ...] = tuple(TurnLatency.model_fields)


ToolOutcomeName = Literal[
    "ok",
    "tool_error",
    "http_error",
    "timeout",
    "invalid_arguments",
    "invalid_response",
    "refused",
    "unreachable",
    "ended",
    "transferred",
]


class ToolCall(BaseModel):
    """A tool the agent ran (role `tool`; `content` is the tool's name), written by
    `callwright_shared.tools.executor.record_of` from a call's outcome.

    `arguments` are the model's (never a secret header); `output` is an excerpt of what
    the model was given back (the answer, or the short error). `outcome`: `ok`;
    `tool_error` (a 2xx answer `{"error": …}`); `http_error` (a non-2xx); `timeout`;
    `invalid_arguments` (they did not match the tool's schema; nothing was sent);
    `invalid_response`; `refused` (a private address the operator does not allow);
    `unreachable`; and for the built-ins `ended` / `transferred`.
    """

    model_config = ConfigDict(extra="ignore")

    name: str
    call_id: str | None = None
    arguments: dict[str, Any] | None = None
    output: str | None = None
    is_error: bool = False
    http_status: int | None = None
    latency_ms: float | None = None
    outcome: ToolOutcomeName | None = None


class TranscriptEntry(BaseModel):
    """One entry of a session's transcript and timeline.

    `role`: `user` / `assistant` (a turn, `content` is its text), `event` (`content` is
    a `CallEvent`, `detail` says more: the end reason, the failing provider) or `tool`.
    """

    model_config = ConfigDict(extra="ignore")

    role: Literal["user", "assistant", "event", "tool"]
    content: str
    at: datetime | None = Field(default=None, validation_alias=AliasChoices("at", "created_at"))
    started_speaking_at: datetime | None = None
    stopped_speaking_at: datetime | None = None
    interrupted: bool | None = None
    latency: TurnLatency | None = None
    detail: str | None = None
    tool: ToolCall | None = None

    def stored(self) -> dict[str, Any]:
        """The JSON stored in the `transcript` column (no empty fields)."""
        return self.model_dump(mode="json", exclude_none=True)


def entries_of(stored: Iterable[Mapping[str, Any]] | None) -> list[TranscriptEntry]:
    """The typed entries of a stored transcript; entries that do not fit are left out."""
    entries: list[TranscriptEntry] = []
    for raw in stored or []:
        try:
            entries.append(TranscriptEntry.model_validate(raw))
        except ValidationError:
            logger.warning("transcript entry skipped", extra={"keys": sorted(raw)[:8]})
    return entries


def in_time_order(entries: Sequence[TranscriptEntry]) -> list[TranscriptEntry]:
    """Entries by when they began: a realtime model's user transcript can arrive after
    the agent answered it. Stable, so entries without a time keep their place."""
    times: list[datetime | None] = [e.started_speaking_at or e.at for e in entries]
    known = [t for t in times if t is not None]
    if not known:
        return list(entries)
    filled: list[datetime] = []
    last = min(known)
    for t in times:
        last = t or last
        filled.append(last)
    order = sorted(range(len(entries)), key=lambda i: filled[i])
    return [entries[i] for i in order]


# -- usage -------------------------------------------------------------------------------


class ModelUsage(BaseModel):
    """One provider's and model's usage in a voice call: livekit-agents'
    `session.usage.model_usage` entry (`llm_usage`, `tts_usage`, `stt_usage`, …) with
    its counters kept as they are."""

    model_config = ConfigDict(extra="allow")

    type: str
    provider: str = ""
    model: str = ""


class VoiceUsage(BaseModel):
    models: list[ModelUsage] = []
    # Tool calls the agent made (every outcome counted).
    tool_calls: int = 0


class ChatUsage(BaseModel):
    messages: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    tool_calls: int = 0


def usage_of(stored: Mapping[str, Any] | None, *, chat: bool) -> VoiceUsage | ChatUsage | None:
    if stored is None:
        return None
    model: type[VoiceUsage | ChatUsage] = ChatUsage if chat else VoiceUsage
    try:
        return model.model_validate(stored)
    except ValidationError:
        logger.warning("usage not readable", extra={"keys": sorted(stored)[:8]})
        return None


# -- latency summary -----------------------------------------------------------------------


class Percentiles(BaseModel):
    """Nearest-rank percentiles of `n` values."""

    n: int
    p50: float
    p90: float
    p99: float
    max: float


def percentiles(values: Iterable[float]) -> Percentiles | None:
    ordered = sorted(values)
    if not ordered:
        return None

    def rank(p: float) -> float:
        return round(ordered[max(math.ceil(p * len(ordered)) - 1, 0)], 1)

    return Percentiles(n=len(ordered), p50=rank(0.5), p90=rank(0.9), p99=rank(0.99), max=rank(1.0))


class TurnCounts(BaseModel):
    user: int = 0
    agent: int = 0
    # Agent turns the user cut short.
    interrupted: int = 0


class LatencySummary(BaseModel):
    """Per latency part (see `TurnLatency`), percentiles over the turns that have it."""

    turns: TurnCounts
    end_of_turn_ms: Percentiles | None = None
    transcription_ms: Percentiles | None = None
    llm_ttft_ms: Percentiles | None = None
    tts_ttfb_ms: Percentiles | None = None
    e2e_ms: Percentiles | None = None
    realtime_ttft_ms: Percentiles | None = None


def latency_values(entries: Iterable[TranscriptEntry]) -> dict[str, list[float]]:
    """Every recorded value of each latency part."""
    values: dict[str, list[float]] = {part: [] for part in LATENCY_PARTS}
    for entry in entries:
        if entry.latency is None:
            continue
        for part in LATENCY_PARTS:
            value = getattr(entry.latency, part)
            if value is not None:
                values[part].append(value)
    return values


def summarize(entries: Iterable[TranscriptEntry]) -> LatencySummary:
    """Computed from the per-turn values, so summaries over many sessions are exact
    percentiles, never averages of percentiles."""
    entries = list(entries)
    turns = TurnCounts(
        user=sum(e.role == "user" for e in entries),
        agent=sum(e.role == "assistant" for e in entries),
        interrupted=sum(e.role == "assistant" and bool(e.interrupted) for e in entries),
    )
    parts = {part: percentiles(v) for part, v in latency_values(entries).items()}
    return LatencySummary(turns=turns, **parts)


def milliseconds(seconds: float | None) -> float | None:
    """livekit-agents' seconds as stored milliseconds (None when unmeasured)."""
    if seconds is None or seconds < 0:
        return None
    return round(seconds * 1000, 1)

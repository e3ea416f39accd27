"""The session timeline as the issuer's API answers it (`GET /v1/sessions/{id}/timeline`):
the shapes the console reads and passes on to the browser.

Copies of `callwright_shared.calls.records`' models (which this member does not import: the
page's image carries no database layer); tests/unit/test_web_member.py checks that their
JSON schemas are the same.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field


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


class Percentiles(BaseModel):
    """Nearest-rank percentiles of `n` values."""

    n: int
    p50: float
    p90: float
    p99: float
    max: float


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

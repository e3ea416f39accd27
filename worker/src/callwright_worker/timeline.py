"""A call's timeline as the worker records it: the transcript entries
(callwright_shared.calls.records) of its turns, tool calls and events, in the order they
happened. The stored form is `TranscriptEntry.stored()` of each entry.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any, Literal

from livekit.agents import llm
from livekit.agents.metrics import AgentSessionUsage, RealtimeModelMetrics
from livekit.agents.voice.events import (
    AgentFalseInterruptionEvent,
    ConversationItemAddedEvent,
    MetricsCollectedEvent,
)
from pydantic import BaseModel

from callwright_shared.calls.records import CallEvent, TranscriptEntry, TurnLatency, milliseconds


class CallTimeline:
    """The entries of one call. A realtime model's turn and its time to first audio
    arrive separately, in either order; they are joined by the model's response id."""

    def __init__(self, *, realtime: bool) -> None:
        self._realtime = realtime
        self._entries: list[TranscriptEntry] = []
        self._turn_of_response: dict[str, TranscriptEntry] = {}
        self._ttft_of_response: dict[str, float] = {}

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def entries(self) -> list[TranscriptEntry]:
        return list(self._entries)

    def stored(self) -> list[dict[str, Any]]:
        """The `transcript` column's JSON."""
        return [entry.stored() for entry in self._entries]

    def record(self, entry: TranscriptEntry) -> None:
        self._entries.append(entry)

    def mark(self, event: CallEvent, *, detail: str | None = None) -> None:
        """A moment of the call (an entry with role `event`)."""
        self.record(
            TranscriptEntry(role="event", content=event, at=datetime.now(UTC), detail=detail)
        )

    def on_item(self, event: ConversationItemAddedEvent) -> None:
        """A user or agent turn (livekit-agents' `conversation_item_added`)."""
        item = event.item
        if not isinstance(item, llm.ChatMessage):
            return
        text, role = item.text_content, item.role
        if text and role in ("user", "assistant"):
            entry = turn_of(item, role, text)
            self.record(entry)
            for response_id in (
                item.metrics.get("provider_request_ids", []) if self._realtime else []
            ):
                self._turn_of_response[response_id] = entry
                self._join_realtime_ttft(response_id)

    def on_false_interruption(self, event: AgentFalseInterruptionEvent) -> None:
        """The agent paused for a noise, and went on or not (livekit-agents'
        `agent_false_interruption`, sent when its false-interruption timeout ran out)."""
        self.record(
            TranscriptEntry(
                role="event",
                content=CallEvent.FALSE_INTERRUPTION,
                at=datetime.fromtimestamp(event.created_at, UTC),
                detail="resumed" if event.resumed else "not_resumed",
            )
        )

    def on_metrics(self, event: MetricsCollectedEvent) -> None:
        """A realtime model's time to first audio (livekit-agents' `metrics_collected`)."""
        metrics = event.metrics
        if isinstance(metrics, RealtimeModelMetrics) and metrics.request_id:
            ttft = milliseconds(metrics.ttft)  # -1: no audio came
            if ttft is not None:
                self._ttft_of_response[metrics.request_id] = ttft
                self._join_realtime_ttft(metrics.request_id)

    def _join_realtime_ttft(self, response_id: str) -> None:
        entry = self._turn_of_response.get(response_id)
        ttft = self._ttft_of_response.get(response_id)
        if entry is not None and ttft is not None:
            # The entry itself: the next heartbeat or the settlement writes it.
            latency = entry.latency or TurnLatency()
            latency.realtime_ttft_ms = ttft
            entry.latency = latency


def turn_of(item: llm.ChatMessage, role: str, text: str) -> TranscriptEntry:
    """A user or agent turn with its speaking times and latency parts, from livekit-agents'
    per-turn `ChatMessage.metrics` (seconds; a part it did not measure is absent)."""
    metrics = item.metrics

    def moment(key: Literal["started_speaking_at", "stopped_speaking_at"]) -> datetime | None:
        value = metrics.get(key)
        return datetime.fromtimestamp(value, UTC) if value else None

    latency = TurnLatency(
        end_of_turn_ms=milliseconds(metrics.get("end_of_turn_delay")),
        transcription_ms=milliseconds(metrics.get("transcription_delay")),
        llm_ttft_ms=milliseconds(metrics.get("llm_node_ttft")),
        tts_ttfb_ms=milliseconds(metrics.get("tts_node_ttfb")),
        e2e_ms=milliseconds(metrics.get("e2e_latency")),
    )
    return TranscriptEntry(
        role="user" if role == "user" else "assistant",
        content=text,
        at=datetime.fromtimestamp(item.created_at, UTC),
        started_speaking_at=moment("started_speaking_at"),
        stopped_speaking_at=moment("stopped_speaking_at"),
        interrupted=item.interrupted or None,
        latency=latency if latency.model_dump(exclude_none=True) else None,
    )


def usage_of(usage: AgentSessionUsage) -> dict[str, Any]:
    """A session's usage (`AgentSession.usage`) as JSON: one entry per provider and model."""
    entries: list[Any] = []
    for item in usage.model_usage:
        if isinstance(item, BaseModel):
            entries.append(item.model_dump(mode="json"))
        elif dataclasses.is_dataclass(item) and not isinstance(item, type):
            entries.append(dataclasses.asdict(item))
    return {"models": entries}

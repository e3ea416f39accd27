"""Ended voice calls on record, written as a worker writes them, without a call.

The session row is what Create Voice Session records (a hold placed); then the worker's
own `CallStore` claims it, marks it active and settles it with a transcript built by the
worker's own `turn_of` from livekit-agents `ChatMessage`s carrying per-turn metrics, and
with usage dumped from livekit-agents' usage models, as `usage_of` dumps them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from livekit.agents import llm
from livekit.agents.metrics.usage import LLMModelUsage, STTModelUsage, TTSModelUsage

from callwright_devstack.database import database
from callwright_devstack.tenants import Tenant
from callwright_shared.billing import credits
from callwright_shared.calls.records import CallEvent, ToolCall, TranscriptEntry
from callwright_shared.calls.room_names import format_room_name
from callwright_shared.db.models import EndReason
from callwright_shared.ids import new_session_id
from callwright_shared.sessions import lifecycle as sessions
from callwright_worker.call_store import CallStore
from callwright_worker.timeline import turn_of


@dataclass(frozen=True)
class Turn:
    """A user's question and the agent's answer, with livekit-agents' per-turn metrics
    (seconds); `tool` is a tool the agent ran in between, with its latency (ms)."""

    said: str
    answer: str
    end_of_turn: float = 0.4
    transcription: float = 0.2
    llm_ttft: float = 0.3
    tts_ttfb: float = 0.2
    e2e: float = 0.9
    interrupted: bool = False
    tool: tuple[str, float] | None = None


@dataclass
class SeededCall:
    session_id: str
    turns: list[Turn] = field(default_factory=list)


def _message(role: llm.ChatRole, text: str, at: float, **metrics: Any) -> llm.ChatMessage:
    return llm.ChatMessage(role=role, content=[text], created_at=at, metrics=metrics)


def transcript_of(turns: list[Turn], *, greeting: str | None, start: datetime) -> list[Any]:
    """The transcript column as the worker's `Call` builds it: events and turns."""
    clock = start.timestamp()
    entries: list[dict[str, Any]] = [
        TranscriptEntry(role="event", content=CallEvent.USER_JOINED, at=start).stored()
    ]
    if greeting:
        clock += 0.5
        greeted = _message(
            "assistant",
            greeting,
            clock,
            started_speaking_at=clock,
            llm_node_ttft=0.25,
            tts_node_ttfb=0.18,
        )
        entries.append(turn_of(greeted, "assistant", greeting).stored())
    for turn in turns:
        clock += 4.0
        stopped = clock + 1.5
        user = _message(
            "user",
            turn.said,
            stopped + turn.end_of_turn,
            started_speaking_at=clock,
            stopped_speaking_at=stopped,
            end_of_turn_delay=turn.end_of_turn,
            transcription_delay=turn.transcription,
        )
        entries.append(turn_of(user, "user", turn.said).stored())
        if turn.tool is not None:
            name, latency_ms = turn.tool
            ran = datetime.fromtimestamp(stopped + turn.end_of_turn + 0.1, UTC)
            tool = ToolCall(name=name, latency_ms=latency_ms)
            entries.append(TranscriptEntry(role="tool", content=name, at=ran, tool=tool).stored())
        spoke = stopped + turn.e2e
        agent = _message(
            "assistant",
            turn.answer,
            spoke,
            started_speaking_at=spoke,
            stopped_speaking_at=spoke + 2.0,
            llm_node_ttft=turn.llm_ttft,
            tts_node_ttfb=turn.tts_ttfb,
            e2e_latency=turn.e2e,
        )
        agent.interrupted = turn.interrupted
        entries.append(turn_of(agent, "assistant", turn.answer).stored())
        clock = spoke + 2.0
    return entries


async def seed_call(
    database_url: str,
    tenant: Tenant,
    turns: list[Turn],
    *,
    agent_id: str | None = None,
    end_reason: EndReason = EndReason.USER_LEFT,
    greeting: str | None = "Hello, how can I help?",
    agent_seconds: float = 42.0,
    credits_per_minute: int = 6,
) -> SeededCall:
    """An ended voice call of `tenant`'s agent (or `agent_id`), settled by the worker's
    CallStore: its charge is the real settlement's."""
    session_id = new_session_id()
    agent_id = agent_id or tenant.agent_id
    now = datetime.now(UTC)
    room_name = format_room_name(agent_id, tenant.user_id, int(now.timestamp() * 1000))
    hold = credits.Hold(amount=20, max_duration_seconds=200, limited_by_credits=False)
    async with database(database_url) as db:
        db.add(
            sessions.new_voice_session(
                session_id=session_id,
                org_id=tenant.org_id,
                user_id=tenant.user_id,
                agent_id=agent_id,
                room_name=room_name,
                hold=hold,
                credits_per_minute=credits_per_minute,
                metadata=None,
            )
        )
        await db.flush()
        org_lock = await credits.lock(db, tenant.org_id)
        await credits.hold(db, org_lock, session_id=session_id, amount=hold.amount)
    store = CallStore(database_url)
    job_id = f"AJ_{session_id[4:16]}"
    try:
        assert await store.claim(session_id, job_id, grace_seconds=30)
        await store.mark_active(session_id)
        transcript = transcript_of(turns, greeting=greeting, start=now + timedelta(seconds=1))
        transcript.append(
            TranscriptEntry(
                role="event",
                content=CallEvent.ENDED,
                at=now + timedelta(seconds=agent_seconds),
                detail=end_reason.value,
            ).stored()
        )
        usage = [
            STTModelUsage(provider="deepgram", model="nova-3", audio_duration=agent_seconds),
            LLMModelUsage(
                provider="openai", model="gpt-4o-mini", input_tokens=812, output_tokens=96
            ),
            TTSModelUsage(provider="openai", model="tts-1", characters_count=240),
        ]
        settled = await store.settle(
            session_id,
            end_reason=end_reason,
            agent_seconds=agent_seconds,
            usage={"models": [u.model_dump(mode="json") for u in usage]},
            transcript=transcript,
            job_id=job_id,
        )
        assert settled.applied
    finally:
        await store.aclose()
    return SeededCall(session_id, list(turns))

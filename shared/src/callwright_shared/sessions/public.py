"""The session object of the API: what GET /v1/sessions/{id} answers.

Writers: the issuer's session routes, and the outbox (callwright_shared.sessions.outbox), whose
`session.*` webhooks carry the same object; readers: the customer's backend.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel

from callwright_shared.calls.records import (
    ChatUsage,
    LatencySummary,
    TranscriptEntry,
    VoiceUsage,
    entries_of,
    in_time_order,
    summarize,
    usage_of,
)
from callwright_shared.db.models import EndReason, Session, SessionKind, SessionStatus
from callwright_shared.recordings.models import AnalysisInfo, RecordingInfo
from callwright_shared.sessions import config as session_config


class SessionPublic(BaseModel):
    id: str
    object: str = "session"
    kind: SessionKind
    agent_id: str
    user_id: str
    room_name: str | None
    status: SessionStatus
    end_reason: EndReason | None
    created_at: datetime
    started_at: datetime | None
    ended_at: datetime | None
    # Voice: the user left mid-call and the agent waits for them to come back (rejoin);
    # null while the user is in the call, and once the session has ended.
    away_since: datetime | None
    duration_seconds: float
    max_duration_seconds: int
    # The price the session was created with (the operator's, read-only).
    credits_per_minute: int | None
    credits_per_message: int | None
    credits_held: int
    credits_charged: int
    usage: VoiceUsage | ChatUsage | None
    transcript: list[TranscriptEntry] | None
    # Turns, interruptions and per-part latency percentiles (callwright_shared.calls.records).
    latency: LatencySummary
    metadata: dict[str, Any] | None
    # What ran: `{agent, variables, overrides}` resolved at creation, secret variables
    # redacted (callwright_shared.sessions.config); null for sessions older than it.
    config: dict[str, Any] | None = None
    # The call's recording (GET /v1/sessions/{id}/recording for the file) and the
    # session's post-call analysis; null when the agent asks for neither.
    recording: RecordingInfo | None = None
    analysis: AnalysisInfo | None = None

    @classmethod
    def of(cls, row: Session) -> SessionPublic:
        entries = entries_of(row.transcript)
        return cls(
            id=row.id,
            kind=row.kind,
            agent_id=row.agent_id,
            user_id=row.user_id,
            room_name=row.room_name,
            status=row.status,
            end_reason=row.end_reason,
            created_at=row.created_at,
            started_at=row.started_at,
            ended_at=row.ended_at,
            away_since=row.away_since if row.settled_at is None else None,
            duration_seconds=round(row.agent_seconds, 3),
            max_duration_seconds=row.max_duration_seconds,
            credits_per_minute=row.credits_per_minute if row.kind is SessionKind.VOICE else None,
            credits_per_message=row.credits_per_message if row.kind is SessionKind.CHAT else None,
            credits_held=row.credits_held,
            credits_charged=row.credits_charged,
            usage=usage_of(row.usage, chat=row.kind is SessionKind.CHAT),
            transcript=None if row.transcript is None else entries,
            latency=summarize(entries),
            metadata=row.request_metadata,
            config=session_config.public(row.config),
            recording=RecordingInfo.stored(row.recording),
            analysis=None if row.analysis is None else AnalysisInfo.model_validate(row.analysis),
        )


class SessionTimeline(BaseModel):
    """GET /v1/sessions/{id}/timeline: every entry of the session in time order, turns
    with their speaking times and latency parts, and events (joined, away, back, time
    limit, errors, ended)."""

    object: Literal["session.timeline"] = "session.timeline"
    session_id: str
    kind: SessionKind
    items: list[TranscriptEntry]
    latency: LatencySummary

    @classmethod
    def of(cls, row: Session) -> SessionTimeline:
        entries = entries_of(row.transcript)
        return cls(
            session_id=row.id,
            kind=row.kind,
            items=in_time_order(entries),
            latency=summarize(entries),
        )

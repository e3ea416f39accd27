"""Request and response bodies of the HTTP API (the `XCreate` / `XPublic` models)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from callwright_shared.agents import AgentPublic
from callwright_shared.db.models import EndReason, Session, SessionKind, SessionStatus
from callwright_shared.text import MultiLine

MAX_METADATA_BYTES = 4096
T = TypeVar("T")


class SessionCreate(BaseModel):
    """The body of Create Voice Session and Create Chat Session."""

    model_config = ConfigDict(extra="forbid", strict=True)

    agent_id: str = Field(min_length=1, max_length=64)
    metadata: dict[str, Any] | None = None

    @field_validator("metadata")
    @classmethod
    def _metadata_size(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is None:
            return None
        try:
            # allow_nan=False: NaN and Infinity (and 1e400) are not JSON; Postgres refuses them.
            encoded = json.dumps(value, separators=(",", ":"), allow_nan=False)
        except ValueError:
            raise PydanticCustomError(
                "finite_number", "metadata must not contain NaN or Infinity"
            ) from None
        if len(encoded) > MAX_METADATA_BYTES:
            raise PydanticCustomError(
                "too_large", f"metadata must be at most {MAX_METADATA_BYTES} bytes of JSON"
            )
        return value


class VoiceSessionCreate(SessionCreate):
    pass


class ChatSessionCreate(SessionCreate):
    pass


class VoiceSessionCreated(BaseModel):
    room_name: str
    token: str
    livekit_url: str
    agent_name: str
    session_id: str
    expires_at: datetime


class ChatSessionCreated(BaseModel):
    session_id: str
    agent_name: str
    expires_at: datetime


class MessageCreate(BaseModel):
    """The body of Send Message."""

    model_config = ConfigDict(extra="forbid", strict=True)

    message: MultiLine = Field(min_length=1, max_length=16_000)


class ChatMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str


class MessageUsage(BaseModel):
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    credits_charged: int


class MessageReply(BaseModel):
    """Send Message's answer; with `Accept: text/event-stream` it is the data of the last
    server-sent event, `message.completed`, after `message.delta` events."""

    message: ChatMessage
    usage: MessageUsage


class WebhookAck(BaseModel):
    received: bool = True
    duplicate: bool = False


class ErrorDetail(BaseModel):
    type: str
    code: str
    message: str
    param: str | None = None


class ErrorBody(BaseModel):
    """SPEC §4's error body, on every 4xx and 5xx."""

    error: ErrorDetail


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` documenting the error body for these status codes."""
    return {status: {"model": ErrorBody} for status in statuses}


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
    # The price the session was created with (the operator's, read-only; SPEC §7).
    credits_per_minute: int | None
    credits_per_message: int | None
    credits_held: int
    credits_charged: int
    usage: dict[str, Any] | None
    transcript: list[dict[str, Any]] | None
    metadata: dict[str, Any] | None

    @classmethod
    def of(cls, row: Session) -> SessionPublic:
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
            usage=row.usage,
            transcript=row.transcript,
            metadata=row.request_metadata,
        )


class ListPage(BaseModel, Generic[T]):
    object: str = "list"
    data: list[T]
    has_more: bool


class AgentList(ListPage[AgentPublic]):
    pass


class SessionList(ListPage[SessionPublic]):
    pass


class CreditsPublic(BaseModel):
    balance: int
    held: int
    available: int


class DeletedAgent(BaseModel):
    id: str
    deleted: bool = True

"""Request and response bodies of the HTTP API (the `XCreate` / `XPublic` models)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from callwright_shared.agents.definitions import AgentPublic
from callwright_shared.sessions.public import SessionPublic
from callwright_shared.text import MultiLine

MAX_METADATA_BYTES = 4096
T = TypeVar("T")


class SessionCreate(BaseModel):
    """The body of Create Voice Session and Create Chat Session."""

    model_config = ConfigDict(extra="forbid", strict=True)

    agent_id: str = Field(min_length=1, max_length=64)
    metadata: dict[str, Any] | None = None
    # Values of the agent's declared variables, and fields of its `overridable` list
    # (checked against the agent in callwright_shared.sessions.config).
    variables: dict[str, Any] | None = Field(None, max_length=64)
    overrides: dict[str, Any] | None = Field(None, max_length=16)

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
    # What the session runs with: every declared variable's value (secrets redacted) and
    # the names of the fields the request overrode.
    variables: dict[str, Any] = Field(default_factory=dict)
    applied_overrides: list[str] = Field(default_factory=list)


class ChatSessionCreated(BaseModel):
    session_id: str
    agent_name: str
    expires_at: datetime
    variables: dict[str, Any] = Field(default_factory=dict)
    applied_overrides: list[str] = Field(default_factory=list)


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
    """The API's error body, on every 4xx and 5xx."""

    error: ErrorDetail


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` documenting the error body for these status codes."""
    return {status: {"model": ErrorBody} for status in statuses}


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


# --- API keys (the tenant's own, and the operator's for any organization) ---


class ApiKeyCreate(BaseModel):
    """`user_id`: the key's user (default: the calling key's); `scope`: `full` or
    `sessions`, never wider than the calling key's."""

    model_config = ConfigDict(extra="forbid", strict=True)

    scope: Literal["full", "sessions"] = "full"
    user_id: str | None = Field(None, min_length=1, max_length=64)


class ApiKeyPublic(BaseModel):
    object: Literal["api_key"] = "api_key"
    id: str
    # `cw_<8 hex>`: the visible, non-secret start of the key.
    prefix: str
    org_id: str
    user_id: str
    scope: Literal["full", "sessions"]
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyPublic):
    """The new key with its secret, shown this once: store it now."""

    api_key: str


class ApiKeyList(ListPage[ApiKeyPublic]):
    pass

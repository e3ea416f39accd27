"""Recording and post-call analysis: what an agent asks for (`RecordingSpec`,
`AnalysisSpec`, agent fields) and what a session shows (`RecordingInfo`, `AnalysisInfo`,
stored as JSON on the session row and answered as its `recording` and `analysis`)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from callwright_shared.errors import CallwrightError, InvalidRequestError, NotFoundError
from callwright_shared.text import MultiLine, SingleLine
from callwright_shared.tools.schema import schema_problem

_STRICT = ConfigDict(extra="forbid", strict=True)

RecordingStatus = Literal["pending", "ready", "failed", "deleted"]
AnalysisStatus = Literal["pending", "succeeded", "failed", "skipped"]


class RecordingSpec(BaseModel):
    """Agent field `recording`: both sides of every call in one stereo Ogg/Opus file."""

    model_config = _STRICT

    enabled: bool = False
    # Said before the greeting when the call is recorded.
    consent_message: MultiLine | None = Field(None, max_length=1_000)


class AnalysisSpec(BaseModel):
    """Agent field `analysis`: what is worked out of a session once it ended."""

    model_config = _STRICT

    summary: bool = True
    success_criteria: MultiLine | None = Field(None, max_length=4_000)
    # The data to extract: the tools' portable JSON-Schema subset.
    data_schema: dict[str, Any] | None = None
    instructions: MultiLine | None = Field(None, max_length=4_000)

    @field_validator("data_schema")
    @classmethod
    def _portable_schema(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is not None:
            problem = schema_problem(value, gemini=False)
            if problem:
                raise PydanticCustomError("data_schema", problem)
        return value


def check_recording(
    recording: RecordingSpec, architecture: str, *, fields: Collection[str] | None = None
) -> None:
    """Refuse (400, `param`) a recording a text agent cannot make: it has no audio."""
    changed = fields is None or "recording" in fields or "architecture" in fields
    if changed and architecture == "text" and recording.enabled:
        raise InvalidRequestError(
            "recording: a text agent has no audio to record; "
            "use a pipeline or realtime agent, or set recording.enabled to false",
            param="recording",
        )


class RecordingInfo(BaseModel):
    """A session's `recording`. `error`: why it failed; `key`: where it is in the store
    (never answered)."""

    status: RecordingStatus
    duration_seconds: float | None = None
    size_bytes: int | None = None
    content_type: str = "audio/ogg"
    channels: list[SingleLine] = Field(default_factory=lambda: ["caller", "agent"])
    error: str | None = None
    key: str | None = Field(None, exclude=True)
    # The wall time of the file's first sample: a transcript item's `started_speaking_at`
    # minus this is where it is heard in the file.
    started_at: datetime | None = None
    ready_at: datetime | None = None

    @classmethod
    def stored(cls, value: dict[str, Any] | None) -> RecordingInfo | None:
        if not value:
            return None
        return cls.model_validate(value)

    def to_json(self) -> dict[str, Any]:
        """What the session row holds, the key included."""
        return {**self.model_dump(mode="json"), "key": self.key}


class AnalysisInfo(BaseModel):
    """A session's `analysis`."""

    status: AnalysisStatus
    summary: str | None = None
    success: bool | None = None
    data: dict[str, Any] | None = None
    model: str | None = None
    completed_at: datetime | None = None
    error: str | None = None


class RecordingNotFoundError(NotFoundError):
    code = "recording_not_found"


class RecordingLinkError(CallwrightError):
    """A download link that expired, or was not signed by this issuer."""

    http_status = 403
    error_type = "invalid_request_error"
    code = "recording_link_invalid"

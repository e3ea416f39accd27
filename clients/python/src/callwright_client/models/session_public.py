from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.end_reason import EndReason
from ..models.session_kind import SessionKind
from ..models.session_status import SessionStatus
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.analysis_info import AnalysisInfo
    from ..models.chat_usage import ChatUsage
    from ..models.latency_summary import LatencySummary
    from ..models.recording_info import RecordingInfo
    from ..models.session_public_config_type_0 import SessionPublicConfigType0
    from ..models.session_public_metadata_type_0 import SessionPublicMetadataType0
    from ..models.transcript_entry import TranscriptEntry
    from ..models.voice_usage import VoiceUsage


T = TypeVar("T", bound="SessionPublic")


@_attrs_define
class SessionPublic:
    """
    Attributes:
        id (str):
        kind (SessionKind):
        agent_id (str):
        user_id (str):
        room_name (None | str):
        status (SessionStatus):
        end_reason (EndReason | None):
        created_at (datetime.datetime):
        started_at (datetime.datetime | None):
        ended_at (datetime.datetime | None):
        away_since (datetime.datetime | None):
        duration_seconds (float):
        max_duration_seconds (int):
        credits_per_minute (int | None):
        credits_per_message (int | None):
        credits_held (int):
        credits_charged (int):
        usage (ChatUsage | None | VoiceUsage):
        transcript (list[TranscriptEntry] | None):
        latency (LatencySummary): Per latency part (see `TurnLatency`), percentiles over the turns that have it.
        metadata (None | SessionPublicMetadataType0):
        object_ (str | Unset):  Default: 'session'.
        config (None | SessionPublicConfigType0 | Unset):
        recording (None | RecordingInfo | Unset):
        analysis (AnalysisInfo | None | Unset):
    """

    id: str
    kind: SessionKind
    agent_id: str
    user_id: str
    room_name: str | None
    status: SessionStatus
    end_reason: EndReason | None
    created_at: datetime.datetime
    started_at: datetime.datetime | None
    ended_at: datetime.datetime | None
    away_since: datetime.datetime | None
    duration_seconds: float
    max_duration_seconds: int
    credits_per_minute: int | None
    credits_per_message: int | None
    credits_held: int
    credits_charged: int
    usage: ChatUsage | VoiceUsage | None
    transcript: list[TranscriptEntry] | None
    latency: LatencySummary
    metadata: SessionPublicMetadataType0 | None
    object_: str | Unset = "session"
    config: SessionPublicConfigType0 | Unset | None = UNSET
    recording: RecordingInfo | Unset | None = UNSET
    analysis: AnalysisInfo | Unset | None = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.analysis_info import AnalysisInfo
        from ..models.chat_usage import ChatUsage
        from ..models.recording_info import RecordingInfo
        from ..models.session_public_config_type_0 import SessionPublicConfigType0
        from ..models.session_public_metadata_type_0 import SessionPublicMetadataType0
        from ..models.voice_usage import VoiceUsage

        id = self.id

        kind = self.kind.value

        agent_id = self.agent_id

        user_id = self.user_id

        room_name: str | None
        room_name = self.room_name

        status = self.status.value

        end_reason: str | None
        if isinstance(self.end_reason, EndReason):
            end_reason = self.end_reason.value
        else:
            end_reason = self.end_reason

        created_at = self.created_at.isoformat()

        started_at: str | None
        if isinstance(self.started_at, datetime.datetime):
            started_at = self.started_at.isoformat()
        else:
            started_at = self.started_at

        ended_at: str | None
        if isinstance(self.ended_at, datetime.datetime):
            ended_at = self.ended_at.isoformat()
        else:
            ended_at = self.ended_at

        away_since: str | None
        if isinstance(self.away_since, datetime.datetime):
            away_since = self.away_since.isoformat()
        else:
            away_since = self.away_since

        duration_seconds = self.duration_seconds

        max_duration_seconds = self.max_duration_seconds

        credits_per_minute: int | None
        credits_per_minute = self.credits_per_minute

        credits_per_message: int | None
        credits_per_message = self.credits_per_message

        credits_held = self.credits_held

        credits_charged = self.credits_charged

        usage: dict[str, Any] | None
        if isinstance(self.usage, VoiceUsage) or isinstance(self.usage, ChatUsage):
            usage = self.usage.to_dict()
        else:
            usage = self.usage

        transcript: list[dict[str, Any]] | None
        if isinstance(self.transcript, list):
            transcript = []
            for transcript_type_0_item_data in self.transcript:
                transcript_type_0_item = transcript_type_0_item_data.to_dict()
                transcript.append(transcript_type_0_item)

        else:
            transcript = self.transcript

        latency = self.latency.to_dict()

        metadata: dict[str, Any] | None
        if isinstance(self.metadata, SessionPublicMetadataType0):
            metadata = self.metadata.to_dict()
        else:
            metadata = self.metadata

        object_ = self.object_

        config: dict[str, Any] | Unset | None
        if isinstance(self.config, Unset):
            config = UNSET
        elif isinstance(self.config, SessionPublicConfigType0):
            config = self.config.to_dict()
        else:
            config = self.config

        recording: dict[str, Any] | Unset | None
        if isinstance(self.recording, Unset):
            recording = UNSET
        elif isinstance(self.recording, RecordingInfo):
            recording = self.recording.to_dict()
        else:
            recording = self.recording

        analysis: dict[str, Any] | Unset | None
        if isinstance(self.analysis, Unset):
            analysis = UNSET
        elif isinstance(self.analysis, AnalysisInfo):
            analysis = self.analysis.to_dict()
        else:
            analysis = self.analysis

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "kind": kind,
                "agent_id": agent_id,
                "user_id": user_id,
                "room_name": room_name,
                "status": status,
                "end_reason": end_reason,
                "created_at": created_at,
                "started_at": started_at,
                "ended_at": ended_at,
                "away_since": away_since,
                "duration_seconds": duration_seconds,
                "max_duration_seconds": max_duration_seconds,
                "credits_per_minute": credits_per_minute,
                "credits_per_message": credits_per_message,
                "credits_held": credits_held,
                "credits_charged": credits_charged,
                "usage": usage,
                "transcript": transcript,
                "latency": latency,
                "metadata": metadata,
            }
        )
        if object_ is not UNSET:
            field_dict["object"] = object_
        if config is not UNSET:
            field_dict["config"] = config
        if recording is not UNSET:
            field_dict["recording"] = recording
        if analysis is not UNSET:
            field_dict["analysis"] = analysis

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.analysis_info import AnalysisInfo
        from ..models.chat_usage import ChatUsage
        from ..models.latency_summary import LatencySummary
        from ..models.recording_info import RecordingInfo
        from ..models.session_public_config_type_0 import SessionPublicConfigType0
        from ..models.session_public_metadata_type_0 import SessionPublicMetadataType0
        from ..models.transcript_entry import TranscriptEntry
        from ..models.voice_usage import VoiceUsage

        d = dict(src_dict)
        id = d.pop("id")

        kind = SessionKind(d.pop("kind"))

        agent_id = d.pop("agent_id")

        user_id = d.pop("user_id")

        def _parse_room_name(data: object) -> str | None:
            if data is None:
                return data
            return cast(None | str, data)

        room_name = _parse_room_name(d.pop("room_name"))

        status = SessionStatus(d.pop("status"))

        def _parse_end_reason(data: object) -> EndReason | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                end_reason_type_0 = EndReason(data)

                return end_reason_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(EndReason | None, data)

        end_reason = _parse_end_reason(d.pop("end_reason"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_started_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                started_at_type_0 = datetime.datetime.fromisoformat(data)

                return started_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        started_at = _parse_started_at(d.pop("started_at"))

        def _parse_ended_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                ended_at_type_0 = datetime.datetime.fromisoformat(data)

                return ended_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        ended_at = _parse_ended_at(d.pop("ended_at"))

        def _parse_away_since(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                away_since_type_0 = datetime.datetime.fromisoformat(data)

                return away_since_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        away_since = _parse_away_since(d.pop("away_since"))

        duration_seconds = d.pop("duration_seconds")

        max_duration_seconds = d.pop("max_duration_seconds")

        def _parse_credits_per_minute(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        credits_per_minute = _parse_credits_per_minute(d.pop("credits_per_minute"))

        def _parse_credits_per_message(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        credits_per_message = _parse_credits_per_message(d.pop("credits_per_message"))

        credits_held = d.pop("credits_held")

        credits_charged = d.pop("credits_charged")

        def _parse_usage(data: object) -> ChatUsage | VoiceUsage | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                usage_type_0 = VoiceUsage.from_dict(data)

                return usage_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                usage_type_1 = ChatUsage.from_dict(data)

                return usage_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ChatUsage | None | VoiceUsage, data)

        usage = _parse_usage(d.pop("usage"))

        def _parse_transcript(data: object) -> list[TranscriptEntry] | None:
            if data is None:
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                transcript_type_0 = []
                _transcript_type_0 = data
                for transcript_type_0_item_data in _transcript_type_0:
                    transcript_type_0_item = TranscriptEntry.from_dict(transcript_type_0_item_data)

                    transcript_type_0.append(transcript_type_0_item)

                return transcript_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[TranscriptEntry] | None, data)

        transcript = _parse_transcript(d.pop("transcript"))

        latency = LatencySummary.from_dict(d.pop("latency"))

        def _parse_metadata(data: object) -> SessionPublicMetadataType0 | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                metadata_type_0 = SessionPublicMetadataType0.from_dict(data)

                return metadata_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SessionPublicMetadataType0, data)

        metadata = _parse_metadata(d.pop("metadata"))

        object_ = d.pop("object", UNSET)

        def _parse_config(data: object) -> SessionPublicConfigType0 | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                config_type_0 = SessionPublicConfigType0.from_dict(data)

                return config_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SessionPublicConfigType0 | Unset, data)

        config = _parse_config(d.pop("config", UNSET))

        def _parse_recording(data: object) -> RecordingInfo | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                recording_type_0 = RecordingInfo.from_dict(data)

                return recording_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | RecordingInfo | Unset, data)

        recording = _parse_recording(d.pop("recording", UNSET))

        def _parse_analysis(data: object) -> AnalysisInfo | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                analysis_type_0 = AnalysisInfo.from_dict(data)

                return analysis_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(AnalysisInfo | None | Unset, data)

        analysis = _parse_analysis(d.pop("analysis", UNSET))

        session_public = cls(
            id=id,
            kind=kind,
            agent_id=agent_id,
            user_id=user_id,
            room_name=room_name,
            status=status,
            end_reason=end_reason,
            created_at=created_at,
            started_at=started_at,
            ended_at=ended_at,
            away_since=away_since,
            duration_seconds=duration_seconds,
            max_duration_seconds=max_duration_seconds,
            credits_per_minute=credits_per_minute,
            credits_per_message=credits_per_message,
            credits_held=credits_held,
            credits_charged=credits_charged,
            usage=usage,
            transcript=transcript,
            latency=latency,
            metadata=metadata,
            object_=object_,
            config=config,
            recording=recording,
            analysis=analysis,
        )

        session_public.additional_properties = d
        return session_public

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties

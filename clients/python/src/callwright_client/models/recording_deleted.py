from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.recording_deleted_status import RecordingDeletedStatus
from ..types import UNSET, Unset

T = TypeVar("T", bound="RecordingDeleted")


@_attrs_define
class RecordingDeleted:
    """
    Attributes:
        status (RecordingDeletedStatus):
        session_id (str):
        duration_seconds (float | None | Unset):
        size_bytes (int | None | Unset):
        content_type (str | Unset):  Default: 'audio/ogg'.
        channels (list[str] | Unset):
        error (None | str | Unset):
        started_at (datetime.datetime | None | Unset):
        ready_at (datetime.datetime | None | Unset):
        object_ (Literal['session.recording'] | Unset):  Default: 'session.recording'.
    """

    status: RecordingDeletedStatus
    session_id: str
    duration_seconds: float | Unset | None = UNSET
    size_bytes: int | Unset | None = UNSET
    content_type: str | Unset = "audio/ogg"
    channels: list[str] | Unset = UNSET
    error: str | Unset | None = UNSET
    started_at: datetime.datetime | Unset | None = UNSET
    ready_at: datetime.datetime | Unset | None = UNSET
    object_: Literal["session.recording"] | Unset = "session.recording"
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        status = self.status.value

        session_id = self.session_id

        duration_seconds: float | Unset | None
        if isinstance(self.duration_seconds, Unset):
            duration_seconds = UNSET
        else:
            duration_seconds = self.duration_seconds

        size_bytes: int | Unset | None
        if isinstance(self.size_bytes, Unset):
            size_bytes = UNSET
        else:
            size_bytes = self.size_bytes

        content_type = self.content_type

        channels: list[str] | Unset = UNSET
        if not isinstance(self.channels, Unset):
            channels = self.channels

        error: str | Unset | None
        if isinstance(self.error, Unset):
            error = UNSET
        else:
            error = self.error

        started_at: str | Unset | None
        if isinstance(self.started_at, Unset):
            started_at = UNSET
        elif isinstance(self.started_at, datetime.datetime):
            started_at = self.started_at.isoformat()
        else:
            started_at = self.started_at

        ready_at: str | Unset | None
        if isinstance(self.ready_at, Unset):
            ready_at = UNSET
        elif isinstance(self.ready_at, datetime.datetime):
            ready_at = self.ready_at.isoformat()
        else:
            ready_at = self.ready_at

        object_ = self.object_

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "status": status,
                "session_id": session_id,
            }
        )
        if duration_seconds is not UNSET:
            field_dict["duration_seconds"] = duration_seconds
        if size_bytes is not UNSET:
            field_dict["size_bytes"] = size_bytes
        if content_type is not UNSET:
            field_dict["content_type"] = content_type
        if channels is not UNSET:
            field_dict["channels"] = channels
        if error is not UNSET:
            field_dict["error"] = error
        if started_at is not UNSET:
            field_dict["started_at"] = started_at
        if ready_at is not UNSET:
            field_dict["ready_at"] = ready_at
        if object_ is not UNSET:
            field_dict["object"] = object_

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        status = RecordingDeletedStatus(d.pop("status"))

        session_id = d.pop("session_id")

        def _parse_duration_seconds(data: object) -> float | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        duration_seconds = _parse_duration_seconds(d.pop("duration_seconds", UNSET))

        def _parse_size_bytes(data: object) -> int | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        size_bytes = _parse_size_bytes(d.pop("size_bytes", UNSET))

        content_type = d.pop("content_type", UNSET)

        channels = cast(list[str], d.pop("channels", UNSET))

        def _parse_error(data: object) -> str | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        error = _parse_error(d.pop("error", UNSET))

        def _parse_started_at(data: object) -> datetime.datetime | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                started_at_type_0 = datetime.datetime.fromisoformat(data)

                return started_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        started_at = _parse_started_at(d.pop("started_at", UNSET))

        def _parse_ready_at(data: object) -> datetime.datetime | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                ready_at_type_0 = datetime.datetime.fromisoformat(data)

                return ready_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        ready_at = _parse_ready_at(d.pop("ready_at", UNSET))

        object_ = cast(Literal["session.recording"] | Unset, d.pop("object", UNSET))
        if object_ != "session.recording" and not isinstance(object_, Unset):
            raise ValueError(f"object must match const 'session.recording', got '{object_}'")

        recording_deleted = cls(
            status=status,
            session_id=session_id,
            duration_seconds=duration_seconds,
            size_bytes=size_bytes,
            content_type=content_type,
            channels=channels,
            error=error,
            started_at=started_at,
            ready_at=ready_at,
            object_=object_,
        )

        recording_deleted.additional_properties = d
        return recording_deleted

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

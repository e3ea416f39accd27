from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.transcript_entry_role import TranscriptEntryRole
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.tool_call import ToolCall
    from ..models.turn_latency import TurnLatency


T = TypeVar("T", bound="TranscriptEntry")


@_attrs_define
class TranscriptEntry:
    """One entry of a session's transcript and timeline.

    `role`: `user` / `assistant` (a turn, `content` is its text), `event` (`content` is
    a `CallEvent`, `detail` says more: the end reason, the failing provider) or `tool`.

        Attributes:
            role (TranscriptEntryRole):
            content (str):
            at (datetime.datetime | None | Unset):
            started_speaking_at (datetime.datetime | None | Unset):
            stopped_speaking_at (datetime.datetime | None | Unset):
            interrupted (bool | None | Unset):
            latency (None | TurnLatency | Unset):
            detail (None | str | Unset):
            tool (None | ToolCall | Unset):
    """

    role: TranscriptEntryRole
    content: str
    at: datetime.datetime | Unset | None = UNSET
    started_speaking_at: datetime.datetime | Unset | None = UNSET
    stopped_speaking_at: datetime.datetime | Unset | None = UNSET
    interrupted: bool | Unset | None = UNSET
    latency: TurnLatency | Unset | None = UNSET
    detail: str | Unset | None = UNSET
    tool: ToolCall | Unset | None = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.tool_call import ToolCall
        from ..models.turn_latency import TurnLatency

        role = self.role.value

        content = self.content

        at: str | Unset | None
        if isinstance(self.at, Unset):
            at = UNSET
        elif isinstance(self.at, datetime.datetime):
            at = self.at.isoformat()
        else:
            at = self.at

        started_speaking_at: str | Unset | None
        if isinstance(self.started_speaking_at, Unset):
            started_speaking_at = UNSET
        elif isinstance(self.started_speaking_at, datetime.datetime):
            started_speaking_at = self.started_speaking_at.isoformat()
        else:
            started_speaking_at = self.started_speaking_at

        stopped_speaking_at: str | Unset | None
        if isinstance(self.stopped_speaking_at, Unset):
            stopped_speaking_at = UNSET
        elif isinstance(self.stopped_speaking_at, datetime.datetime):
            stopped_speaking_at = self.stopped_speaking_at.isoformat()
        else:
            stopped_speaking_at = self.stopped_speaking_at

        interrupted: bool | Unset | None
        if isinstance(self.interrupted, Unset):
            interrupted = UNSET
        else:
            interrupted = self.interrupted

        latency: dict[str, Any] | Unset | None
        if isinstance(self.latency, Unset):
            latency = UNSET
        elif isinstance(self.latency, TurnLatency):
            latency = self.latency.to_dict()
        else:
            latency = self.latency

        detail: str | Unset | None
        if isinstance(self.detail, Unset):
            detail = UNSET
        else:
            detail = self.detail

        tool: dict[str, Any] | Unset | None
        if isinstance(self.tool, Unset):
            tool = UNSET
        elif isinstance(self.tool, ToolCall):
            tool = self.tool.to_dict()
        else:
            tool = self.tool

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "role": role,
                "content": content,
            }
        )
        if at is not UNSET:
            field_dict["at"] = at
        if started_speaking_at is not UNSET:
            field_dict["started_speaking_at"] = started_speaking_at
        if stopped_speaking_at is not UNSET:
            field_dict["stopped_speaking_at"] = stopped_speaking_at
        if interrupted is not UNSET:
            field_dict["interrupted"] = interrupted
        if latency is not UNSET:
            field_dict["latency"] = latency
        if detail is not UNSET:
            field_dict["detail"] = detail
        if tool is not UNSET:
            field_dict["tool"] = tool

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.tool_call import ToolCall
        from ..models.turn_latency import TurnLatency

        d = dict(src_dict)
        role = TranscriptEntryRole(d.pop("role"))

        content = d.pop("content")

        def _parse_at(data: object) -> datetime.datetime | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                at_type_0 = datetime.datetime.fromisoformat(data)

                return at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        at = _parse_at(d.pop("at", UNSET))

        def _parse_started_speaking_at(data: object) -> datetime.datetime | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                started_speaking_at_type_0 = datetime.datetime.fromisoformat(data)

                return started_speaking_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        started_speaking_at = _parse_started_speaking_at(d.pop("started_speaking_at", UNSET))

        def _parse_stopped_speaking_at(data: object) -> datetime.datetime | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                stopped_speaking_at_type_0 = datetime.datetime.fromisoformat(data)

                return stopped_speaking_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        stopped_speaking_at = _parse_stopped_speaking_at(d.pop("stopped_speaking_at", UNSET))

        def _parse_interrupted(data: object) -> bool | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        interrupted = _parse_interrupted(d.pop("interrupted", UNSET))

        def _parse_latency(data: object) -> TurnLatency | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                latency_type_0 = TurnLatency.from_dict(data)

                return latency_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | TurnLatency | Unset, data)

        latency = _parse_latency(d.pop("latency", UNSET))

        def _parse_detail(data: object) -> str | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        detail = _parse_detail(d.pop("detail", UNSET))

        def _parse_tool(data: object) -> ToolCall | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                tool_type_0 = ToolCall.from_dict(data)

                return tool_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | ToolCall | Unset, data)

        tool = _parse_tool(d.pop("tool", UNSET))

        transcript_entry = cls(
            role=role,
            content=content,
            at=at,
            started_speaking_at=started_speaking_at,
            stopped_speaking_at=stopped_speaking_at,
            interrupted=interrupted,
            latency=latency,
            detail=detail,
            tool=tool,
        )

        transcript_entry.additional_properties = d
        return transcript_entry

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

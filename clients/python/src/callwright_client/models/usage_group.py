from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="UsageGroup")


@_attrs_define
class UsageGroup:
    """
    Attributes:
        group (None | str):
        credits_captured (int):
        voice_seconds (float):
        chat_messages (int):
        analyses (int):
    """

    group: str | None
    credits_captured: int
    voice_seconds: float
    chat_messages: int
    analyses: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        group: str | None
        group = self.group

        credits_captured = self.credits_captured

        voice_seconds = self.voice_seconds

        chat_messages = self.chat_messages

        analyses = self.analyses

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "group": group,
                "credits_captured": credits_captured,
                "voice_seconds": voice_seconds,
                "chat_messages": chat_messages,
                "analyses": analyses,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_group(data: object) -> str | None:
            if data is None:
                return data
            return cast(None | str, data)

        group = _parse_group(d.pop("group"))

        credits_captured = d.pop("credits_captured")

        voice_seconds = d.pop("voice_seconds")

        chat_messages = d.pop("chat_messages")

        analyses = d.pop("analyses")

        usage_group = cls(
            group=group,
            credits_captured=credits_captured,
            voice_seconds=voice_seconds,
            chat_messages=chat_messages,
            analyses=analyses,
        )

        usage_group.additional_properties = d
        return usage_group

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

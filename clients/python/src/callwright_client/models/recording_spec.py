from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="RecordingSpec")


@_attrs_define
class RecordingSpec:
    """Agent field `recording`: both sides of every call in one stereo Ogg/Opus file.

    Attributes:
        enabled (bool | Unset):  Default: False.
        consent_message (None | str | Unset):
    """

    enabled: bool | Unset = False
    consent_message: str | Unset | None = UNSET

    def to_dict(self) -> dict[str, Any]:
        enabled = self.enabled

        consent_message: str | Unset | None
        if isinstance(self.consent_message, Unset):
            consent_message = UNSET
        else:
            consent_message = self.consent_message

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if enabled is not UNSET:
            field_dict["enabled"] = enabled
        if consent_message is not UNSET:
            field_dict["consent_message"] = consent_message

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        enabled = d.pop("enabled", UNSET)

        def _parse_consent_message(data: object) -> str | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        consent_message = _parse_consent_message(d.pop("consent_message", UNSET))

        recording_spec = cls(
            enabled=enabled,
            consent_message=consent_message,
        )

        return recording_spec

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="ToolMessages")


@_attrs_define
class ToolMessages:
    """What the agent says while a tool runs (`waiting`, once it has waited
    `waiting_after_ms`) and when it fails (`failed`; without it the model is told the
    short error and answers in its own words).

        Attributes:
            waiting (None | str | Unset):
            waiting_after_ms (int | Unset):  Default: 1500.
            failed (None | str | Unset):
    """

    waiting: str | Unset | None = UNSET
    waiting_after_ms: int | Unset = 1500
    failed: str | Unset | None = UNSET

    def to_dict(self) -> dict[str, Any]:
        waiting: str | Unset | None
        if isinstance(self.waiting, Unset):
            waiting = UNSET
        else:
            waiting = self.waiting

        waiting_after_ms = self.waiting_after_ms

        failed: str | Unset | None
        if isinstance(self.failed, Unset):
            failed = UNSET
        else:
            failed = self.failed

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if waiting is not UNSET:
            field_dict["waiting"] = waiting
        if waiting_after_ms is not UNSET:
            field_dict["waiting_after_ms"] = waiting_after_ms
        if failed is not UNSET:
            field_dict["failed"] = failed

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_waiting(data: object) -> str | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        waiting = _parse_waiting(d.pop("waiting", UNSET))

        waiting_after_ms = d.pop("waiting_after_ms", UNSET)

        def _parse_failed(data: object) -> str | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        failed = _parse_failed(d.pop("failed", UNSET))

        tool_messages = cls(
            waiting=waiting,
            waiting_after_ms=waiting_after_ms,
            failed=failed,
        )

        return tool_messages

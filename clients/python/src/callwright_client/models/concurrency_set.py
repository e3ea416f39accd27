from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="ConcurrencySet")


@_attrs_define
class ConcurrencySet:
    """
    Attributes:
        max_concurrent_sessions (int | None):
    """

    max_concurrent_sessions: int | None

    def to_dict(self) -> dict[str, Any]:
        max_concurrent_sessions: int | None
        max_concurrent_sessions = self.max_concurrent_sessions

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "max_concurrent_sessions": max_concurrent_sessions,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_max_concurrent_sessions(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        max_concurrent_sessions = _parse_max_concurrent_sessions(d.pop("max_concurrent_sessions"))

        concurrency_set = cls(
            max_concurrent_sessions=max_concurrent_sessions,
        )

        return concurrency_set

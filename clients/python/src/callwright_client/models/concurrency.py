from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="Concurrency")


@_attrs_define
class Concurrency:
    """
    Attributes:
        org_id (str):
        max_concurrent_sessions (int | None):
        object_ (Literal['concurrency_limit'] | Unset):  Default: 'concurrency_limit'.
    """

    org_id: str
    max_concurrent_sessions: int | None
    object_: Literal["concurrency_limit"] | Unset = "concurrency_limit"
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        org_id = self.org_id

        max_concurrent_sessions: int | None
        max_concurrent_sessions = self.max_concurrent_sessions

        object_ = self.object_

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "org_id": org_id,
                "max_concurrent_sessions": max_concurrent_sessions,
            }
        )
        if object_ is not UNSET:
            field_dict["object"] = object_

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        org_id = d.pop("org_id")

        def _parse_max_concurrent_sessions(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        max_concurrent_sessions = _parse_max_concurrent_sessions(d.pop("max_concurrent_sessions"))

        object_ = cast(Literal["concurrency_limit"] | Unset, d.pop("object", UNSET))
        if object_ != "concurrency_limit" and not isinstance(object_, Unset):
            raise ValueError(f"object must match const 'concurrency_limit', got '{object_}'")

        concurrency = cls(
            org_id=org_id,
            max_concurrent_sessions=max_concurrent_sessions,
            object_=object_,
        )

        concurrency.additional_properties = d
        return concurrency

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

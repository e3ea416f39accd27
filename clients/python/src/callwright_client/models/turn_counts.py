from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="TurnCounts")


@_attrs_define
class TurnCounts:
    """
    Attributes:
        user (int | Unset):  Default: 0.
        agent (int | Unset):  Default: 0.
        interrupted (int | Unset):  Default: 0.
    """

    user: int | Unset = 0
    agent: int | Unset = 0
    interrupted: int | Unset = 0
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        user = self.user

        agent = self.agent

        interrupted = self.interrupted

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if user is not UNSET:
            field_dict["user"] = user
        if agent is not UNSET:
            field_dict["agent"] = agent
        if interrupted is not UNSET:
            field_dict["interrupted"] = interrupted

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        user = d.pop("user", UNSET)

        agent = d.pop("agent", UNSET)

        interrupted = d.pop("interrupted", UNSET)

        turn_counts = cls(
            user=user,
            agent=agent,
            interrupted=interrupted,
        )

        turn_counts.additional_properties = d
        return turn_counts

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

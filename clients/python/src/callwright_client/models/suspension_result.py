from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="SuspensionResult")


@_attrs_define
class SuspensionResult:
    """
    Attributes:
        id (str):
        name (str):
        balance (int):
        held (int):
        available (int):
        max_concurrent_sessions (int | None):
        credits_per_minute (int | None):
        credits_per_message (int | None):
        credits_per_analysis (int | None):
        suspended (bool):
        suspended_at (datetime.datetime | None):
        created_at (datetime.datetime):
        ended_sessions (list[str]):
        object_ (Literal['organization'] | Unset):  Default: 'organization'.
    """

    id: str
    name: str
    balance: int
    held: int
    available: int
    max_concurrent_sessions: int | None
    credits_per_minute: int | None
    credits_per_message: int | None
    credits_per_analysis: int | None
    suspended: bool
    suspended_at: datetime.datetime | None
    created_at: datetime.datetime
    ended_sessions: list[str]
    object_: Literal["organization"] | Unset = "organization"
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        name = self.name

        balance = self.balance

        held = self.held

        available = self.available

        max_concurrent_sessions: int | None
        max_concurrent_sessions = self.max_concurrent_sessions

        credits_per_minute: int | None
        credits_per_minute = self.credits_per_minute

        credits_per_message: int | None
        credits_per_message = self.credits_per_message

        credits_per_analysis: int | None
        credits_per_analysis = self.credits_per_analysis

        suspended = self.suspended

        suspended_at: str | None
        if isinstance(self.suspended_at, datetime.datetime):
            suspended_at = self.suspended_at.isoformat()
        else:
            suspended_at = self.suspended_at

        created_at = self.created_at.isoformat()

        ended_sessions = self.ended_sessions

        object_ = self.object_

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "name": name,
                "balance": balance,
                "held": held,
                "available": available,
                "max_concurrent_sessions": max_concurrent_sessions,
                "credits_per_minute": credits_per_minute,
                "credits_per_message": credits_per_message,
                "credits_per_analysis": credits_per_analysis,
                "suspended": suspended,
                "suspended_at": suspended_at,
                "created_at": created_at,
                "ended_sessions": ended_sessions,
            }
        )
        if object_ is not UNSET:
            field_dict["object"] = object_

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        name = d.pop("name")

        balance = d.pop("balance")

        held = d.pop("held")

        available = d.pop("available")

        def _parse_max_concurrent_sessions(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        max_concurrent_sessions = _parse_max_concurrent_sessions(d.pop("max_concurrent_sessions"))

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

        def _parse_credits_per_analysis(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        credits_per_analysis = _parse_credits_per_analysis(d.pop("credits_per_analysis"))

        suspended = d.pop("suspended")

        def _parse_suspended_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                suspended_at_type_0 = datetime.datetime.fromisoformat(data)

                return suspended_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        suspended_at = _parse_suspended_at(d.pop("suspended_at"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        ended_sessions = cast(list[str], d.pop("ended_sessions"))

        object_ = cast(Literal["organization"] | Unset, d.pop("object", UNSET))
        if object_ != "organization" and not isinstance(object_, Unset):
            raise ValueError(f"object must match const 'organization', got '{object_}'")

        suspension_result = cls(
            id=id,
            name=name,
            balance=balance,
            held=held,
            available=available,
            max_concurrent_sessions=max_concurrent_sessions,
            credits_per_minute=credits_per_minute,
            credits_per_message=credits_per_message,
            credits_per_analysis=credits_per_analysis,
            suspended=suspended,
            suspended_at=suspended_at,
            created_at=created_at,
            ended_sessions=ended_sessions,
            object_=object_,
        )

        suspension_result.additional_properties = d
        return suspension_result

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

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="Prices")


@_attrs_define
class Prices:
    """
    Attributes:
        org_id (str):
        credits_per_minute (int | None):
        credits_per_message (int | None):
        credits_per_analysis (int | None):
        object_ (Literal['prices'] | Unset):  Default: 'prices'.
        agent_id (None | str | Unset):
    """

    org_id: str
    credits_per_minute: int | None
    credits_per_message: int | None
    credits_per_analysis: int | None
    object_: Literal["prices"] | Unset = "prices"
    agent_id: str | Unset | None = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        org_id = self.org_id

        credits_per_minute: int | None
        credits_per_minute = self.credits_per_minute

        credits_per_message: int | None
        credits_per_message = self.credits_per_message

        credits_per_analysis: int | None
        credits_per_analysis = self.credits_per_analysis

        object_ = self.object_

        agent_id: str | Unset | None
        if isinstance(self.agent_id, Unset):
            agent_id = UNSET
        else:
            agent_id = self.agent_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "org_id": org_id,
                "credits_per_minute": credits_per_minute,
                "credits_per_message": credits_per_message,
                "credits_per_analysis": credits_per_analysis,
            }
        )
        if object_ is not UNSET:
            field_dict["object"] = object_
        if agent_id is not UNSET:
            field_dict["agent_id"] = agent_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        org_id = d.pop("org_id")

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

        object_ = cast(Literal["prices"] | Unset, d.pop("object", UNSET))
        if object_ != "prices" and not isinstance(object_, Unset):
            raise ValueError(f"object must match const 'prices', got '{object_}'")

        def _parse_agent_id(data: object) -> str | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        agent_id = _parse_agent_id(d.pop("agent_id", UNSET))

        prices = cls(
            org_id=org_id,
            credits_per_minute=credits_per_minute,
            credits_per_message=credits_per_message,
            credits_per_analysis=credits_per_analysis,
            object_=object_,
            agent_id=agent_id,
        )

        prices.additional_properties = d
        return prices

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

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="OperatorToolSecret")


@_attrs_define
class OperatorToolSecret:
    """
    Attributes:
        org_id (str):
        tool_signing_secret (str):
        object_ (Literal['tool_secret'] | Unset):  Default: 'tool_secret'.
    """

    org_id: str
    tool_signing_secret: str
    object_: Literal["tool_secret"] | Unset = "tool_secret"
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        org_id = self.org_id

        tool_signing_secret = self.tool_signing_secret

        object_ = self.object_

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "org_id": org_id,
                "tool_signing_secret": tool_signing_secret,
            }
        )
        if object_ is not UNSET:
            field_dict["object"] = object_

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        org_id = d.pop("org_id")

        tool_signing_secret = d.pop("tool_signing_secret")

        object_ = cast(Literal["tool_secret"] | Unset, d.pop("object", UNSET))
        if object_ != "tool_secret" and not isinstance(object_, Unset):
            raise ValueError(f"object must match const 'tool_secret', got '{object_}'")

        operator_tool_secret = cls(
            org_id=org_id,
            tool_signing_secret=tool_signing_secret,
            object_=object_,
        )

        operator_tool_secret.additional_properties = d
        return operator_tool_secret

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

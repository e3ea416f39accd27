from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="UserCreated")


@_attrs_define
class UserCreated:
    """
    Attributes:
        org_id (str):
        user_id (str):
        object_ (Literal['user'] | Unset):  Default: 'user'.
    """

    org_id: str
    user_id: str
    object_: Literal["user"] | Unset = "user"
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        org_id = self.org_id

        user_id = self.user_id

        object_ = self.object_

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "org_id": org_id,
                "user_id": user_id,
            }
        )
        if object_ is not UNSET:
            field_dict["object"] = object_

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        org_id = d.pop("org_id")

        user_id = d.pop("user_id")

        object_ = cast(Literal["user"] | Unset, d.pop("object", UNSET))
        if object_ != "user" and not isinstance(object_, Unset):
            raise ValueError(f"object must match const 'user', got '{object_}'")

        user_created = cls(
            org_id=org_id,
            user_id=user_id,
            object_=object_,
        )

        user_created.additional_properties = d
        return user_created

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

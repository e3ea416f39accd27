from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ConnectionTestPublic")


@_attrs_define
class ConnectionTestPublic:
    """
    Attributes:
        livekit_url (str):
        token (str):
        room_name (str):
        expires_at (datetime.datetime):
        object_ (str | Unset):  Default: 'connection_test'.
    """

    livekit_url: str
    token: str
    room_name: str
    expires_at: datetime.datetime
    object_: str | Unset = "connection_test"
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        livekit_url = self.livekit_url

        token = self.token

        room_name = self.room_name

        expires_at = self.expires_at.isoformat()

        object_ = self.object_

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "livekit_url": livekit_url,
                "token": token,
                "room_name": room_name,
                "expires_at": expires_at,
            }
        )
        if object_ is not UNSET:
            field_dict["object"] = object_

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        livekit_url = d.pop("livekit_url")

        token = d.pop("token")

        room_name = d.pop("room_name")

        expires_at = datetime.datetime.fromisoformat(d.pop("expires_at"))

        object_ = d.pop("object", UNSET)

        connection_test_public = cls(
            livekit_url=livekit_url,
            token=token,
            room_name=room_name,
            expires_at=expires_at,
            object_=object_,
        )

        connection_test_public.additional_properties = d
        return connection_test_public

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

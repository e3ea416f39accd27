from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.audit_entry_public_details import AuditEntryPublicDetails


T = TypeVar("T", bound="AuditEntryPublic")


@_attrs_define
class AuditEntryPublic:
    """
    Attributes:
        id (int):
        at (datetime.datetime):
        actor (str):
        action (str):
        org_id (None | str):
        target (None | str):
        details (AuditEntryPublicDetails):
        object_ (Literal['audit_entry'] | Unset):  Default: 'audit_entry'.
    """

    id: int
    at: datetime.datetime
    actor: str
    action: str
    org_id: str | None
    target: str | None
    details: AuditEntryPublicDetails
    object_: Literal["audit_entry"] | Unset = "audit_entry"
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        at = self.at.isoformat()

        actor = self.actor

        action = self.action

        org_id: str | None
        org_id = self.org_id

        target: str | None
        target = self.target

        details = self.details.to_dict()

        object_ = self.object_

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "at": at,
                "actor": actor,
                "action": action,
                "org_id": org_id,
                "target": target,
                "details": details,
            }
        )
        if object_ is not UNSET:
            field_dict["object"] = object_

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.audit_entry_public_details import AuditEntryPublicDetails

        d = dict(src_dict)
        id = d.pop("id")

        at = datetime.datetime.fromisoformat(d.pop("at"))

        actor = d.pop("actor")

        action = d.pop("action")

        def _parse_org_id(data: object) -> str | None:
            if data is None:
                return data
            return cast(None | str, data)

        org_id = _parse_org_id(d.pop("org_id"))

        def _parse_target(data: object) -> str | None:
            if data is None:
                return data
            return cast(None | str, data)

        target = _parse_target(d.pop("target"))

        details = AuditEntryPublicDetails.from_dict(d.pop("details"))

        object_ = cast(Literal["audit_entry"] | Unset, d.pop("object", UNSET))
        if object_ != "audit_entry" and not isinstance(object_, Unset):
            raise ValueError(f"object must match const 'audit_entry', got '{object_}'")

        audit_entry_public = cls(
            id=id,
            at=at,
            actor=actor,
            action=action,
            org_id=org_id,
            target=target,
            details=details,
            object_=object_,
        )

        audit_entry_public.additional_properties = d
        return audit_entry_public

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

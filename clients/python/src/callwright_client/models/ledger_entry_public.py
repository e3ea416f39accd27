from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.ledger_entry_public_kind import LedgerEntryPublicKind
from ..types import UNSET, Unset

T = TypeVar("T", bound="LedgerEntryPublic")


@_attrs_define
class LedgerEntryPublic:
    """
    Attributes:
        id (int):
        kind (LedgerEntryPublicKind):
        amount (int):
        session_id (None | str):
        reference (None | str):
        created_at (datetime.datetime):
        object_ (Literal['ledger_entry'] | Unset):  Default: 'ledger_entry'.
    """

    id: int
    kind: LedgerEntryPublicKind
    amount: int
    session_id: str | None
    reference: str | None
    created_at: datetime.datetime
    object_: Literal["ledger_entry"] | Unset = "ledger_entry"
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        kind = self.kind.value

        amount = self.amount

        session_id: str | None
        session_id = self.session_id

        reference: str | None
        reference = self.reference

        created_at = self.created_at.isoformat()

        object_ = self.object_

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "kind": kind,
                "amount": amount,
                "session_id": session_id,
                "reference": reference,
                "created_at": created_at,
            }
        )
        if object_ is not UNSET:
            field_dict["object"] = object_

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        kind = LedgerEntryPublicKind(d.pop("kind"))

        amount = d.pop("amount")

        def _parse_session_id(data: object) -> str | None:
            if data is None:
                return data
            return cast(None | str, data)

        session_id = _parse_session_id(d.pop("session_id"))

        def _parse_reference(data: object) -> str | None:
            if data is None:
                return data
            return cast(None | str, data)

        reference = _parse_reference(d.pop("reference"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        object_ = cast(Literal["ledger_entry"] | Unset, d.pop("object", UNSET))
        if object_ != "ledger_entry" and not isinstance(object_, Unset):
            raise ValueError(f"object must match const 'ledger_entry', got '{object_}'")

        ledger_entry_public = cls(
            id=id,
            kind=kind,
            amount=amount,
            session_id=session_id,
            reference=reference,
            created_at=created_at,
            object_=object_,
        )

        ledger_entry_public.additional_properties = d
        return ledger_entry_public

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

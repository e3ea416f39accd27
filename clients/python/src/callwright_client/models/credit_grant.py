from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="CreditGrant")


@_attrs_define
class CreditGrant:
    """
    Attributes:
        org_id (str):
        amount (int):
        reference (None | str):
        ledger_entry_id (int | None):
        created (bool):
        balance (int):
        object_ (Literal['credit_grant'] | Unset):  Default: 'credit_grant'.
    """

    org_id: str
    amount: int
    reference: str | None
    ledger_entry_id: int | None
    created: bool
    balance: int
    object_: Literal["credit_grant"] | Unset = "credit_grant"
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        org_id = self.org_id

        amount = self.amount

        reference: str | None
        reference = self.reference

        ledger_entry_id: int | None
        ledger_entry_id = self.ledger_entry_id

        created = self.created

        balance = self.balance

        object_ = self.object_

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "org_id": org_id,
                "amount": amount,
                "reference": reference,
                "ledger_entry_id": ledger_entry_id,
                "created": created,
                "balance": balance,
            }
        )
        if object_ is not UNSET:
            field_dict["object"] = object_

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        org_id = d.pop("org_id")

        amount = d.pop("amount")

        def _parse_reference(data: object) -> str | None:
            if data is None:
                return data
            return cast(None | str, data)

        reference = _parse_reference(d.pop("reference"))

        def _parse_ledger_entry_id(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        ledger_entry_id = _parse_ledger_entry_id(d.pop("ledger_entry_id"))

        created = d.pop("created")

        balance = d.pop("balance")

        object_ = cast(Literal["credit_grant"] | Unset, d.pop("object", UNSET))
        if object_ != "credit_grant" and not isinstance(object_, Unset):
            raise ValueError(f"object must match const 'credit_grant', got '{object_}'")

        credit_grant = cls(
            org_id=org_id,
            amount=amount,
            reference=reference,
            ledger_entry_id=ledger_entry_id,
            created=created,
            balance=balance,
            object_=object_,
        )

        credit_grant.additional_properties = d
        return credit_grant

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

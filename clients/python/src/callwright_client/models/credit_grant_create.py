from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="CreditGrantCreate")


@_attrs_define
class CreditGrantCreate:
    """`reference`: the invoice or payment the credits are for; the same reference again
    is the same grant (nothing added), with another amount 409.

        Attributes:
            amount (int):
            reference (None | str | Unset):
    """

    amount: int
    reference: str | Unset | None = UNSET

    def to_dict(self) -> dict[str, Any]:
        amount = self.amount

        reference: str | Unset | None
        if isinstance(self.reference, Unset):
            reference = UNSET
        else:
            reference = self.reference

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "amount": amount,
            }
        )
        if reference is not UNSET:
            field_dict["reference"] = reference

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        amount = d.pop("amount")

        def _parse_reference(data: object) -> str | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        reference = _parse_reference(d.pop("reference", UNSET))

        credit_grant_create = cls(
            amount=amount,
            reference=reference,
        )

        return credit_grant_create

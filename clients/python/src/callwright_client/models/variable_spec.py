from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.variable_spec_type import VariableSpecType
from ..types import UNSET, Unset

T = TypeVar("T", bound="VariableSpec")


@_attrs_define
class VariableSpec:
    """One declared variable of an agent: `variables: {name: VariableSpec}`.

    Attributes:
        type_ (VariableSpecType | Unset):  Default: VariableSpecType.STRING.
        required (bool | Unset):  Default: False.
        default (bool | float | int | None | str | Unset):
        secret (bool | Unset):  Default: False.
        description (None | str | Unset):
    """

    type_: VariableSpecType | Unset = VariableSpecType.STRING
    required: bool | Unset = False
    default: bool | float | int | str | Unset | None = UNSET
    secret: bool | Unset = False
    description: str | Unset | None = UNSET

    def to_dict(self) -> dict[str, Any]:
        type_: str | Unset = UNSET
        if not isinstance(self.type_, Unset):
            type_ = self.type_.value

        required = self.required

        default: bool | float | int | str | Unset | None
        if isinstance(self.default, Unset):
            default = UNSET
        else:
            default = self.default

        secret = self.secret

        description: str | Unset | None
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if type_ is not UNSET:
            field_dict["type"] = type_
        if required is not UNSET:
            field_dict["required"] = required
        if default is not UNSET:
            field_dict["default"] = default
        if secret is not UNSET:
            field_dict["secret"] = secret
        if description is not UNSET:
            field_dict["description"] = description

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        _type_ = d.pop("type", UNSET)
        type_: VariableSpecType | Unset
        if isinstance(_type_, Unset):
            type_ = UNSET
        else:
            type_ = VariableSpecType(_type_)

        required = d.pop("required", UNSET)

        def _parse_default(data: object) -> bool | float | int | str | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | float | int | None | str | Unset, data)

        default = _parse_default(d.pop("default", UNSET))

        secret = d.pop("secret", UNSET)

        def _parse_description(data: object) -> str | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))

        variable_spec = cls(
            type_=type_,
            required=required,
            default=default,
            secret=secret,
            description=description,
        )

        return variable_spec

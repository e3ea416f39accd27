from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.api_key_create_scope import ApiKeyCreateScope
from ..types import UNSET, Unset

T = TypeVar("T", bound="ApiKeyCreate")


@_attrs_define
class ApiKeyCreate:
    """`user_id`: the key's user (default: the calling key's); `scope`: `full` or
    `sessions`, never wider than the calling key's.

        Attributes:
            scope (ApiKeyCreateScope | Unset):  Default: ApiKeyCreateScope.FULL.
            user_id (None | str | Unset):
    """

    scope: ApiKeyCreateScope | Unset = ApiKeyCreateScope.FULL
    user_id: str | Unset | None = UNSET

    def to_dict(self) -> dict[str, Any]:
        scope: str | Unset = UNSET
        if not isinstance(self.scope, Unset):
            scope = self.scope.value

        user_id: str | Unset | None
        if isinstance(self.user_id, Unset):
            user_id = UNSET
        else:
            user_id = self.user_id

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if scope is not UNSET:
            field_dict["scope"] = scope
        if user_id is not UNSET:
            field_dict["user_id"] = user_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        _scope = d.pop("scope", UNSET)
        scope: ApiKeyCreateScope | Unset
        if isinstance(_scope, Unset):
            scope = UNSET
        else:
            scope = ApiKeyCreateScope(_scope)

        def _parse_user_id(data: object) -> str | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        user_id = _parse_user_id(d.pop("user_id", UNSET))

        api_key_create = cls(
            scope=scope,
            user_id=user_id,
        )

        return api_key_create

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.chat_session_created_variables import ChatSessionCreatedVariables


T = TypeVar("T", bound="ChatSessionCreated")


@_attrs_define
class ChatSessionCreated:
    """
    Attributes:
        session_id (str):
        agent_name (str):
        expires_at (datetime.datetime):
        variables (ChatSessionCreatedVariables | Unset):
        applied_overrides (list[str] | Unset):
    """

    session_id: str
    agent_name: str
    expires_at: datetime.datetime
    variables: ChatSessionCreatedVariables | Unset = UNSET
    applied_overrides: list[str] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        session_id = self.session_id

        agent_name = self.agent_name

        expires_at = self.expires_at.isoformat()

        variables: dict[str, Any] | Unset = UNSET
        if not isinstance(self.variables, Unset):
            variables = self.variables.to_dict()

        applied_overrides: list[str] | Unset = UNSET
        if not isinstance(self.applied_overrides, Unset):
            applied_overrides = self.applied_overrides

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "session_id": session_id,
                "agent_name": agent_name,
                "expires_at": expires_at,
            }
        )
        if variables is not UNSET:
            field_dict["variables"] = variables
        if applied_overrides is not UNSET:
            field_dict["applied_overrides"] = applied_overrides

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.chat_session_created_variables import ChatSessionCreatedVariables

        d = dict(src_dict)
        session_id = d.pop("session_id")

        agent_name = d.pop("agent_name")

        expires_at = datetime.datetime.fromisoformat(d.pop("expires_at"))

        _variables = d.pop("variables", UNSET)
        variables: ChatSessionCreatedVariables | Unset
        if isinstance(_variables, Unset):
            variables = UNSET
        else:
            variables = ChatSessionCreatedVariables.from_dict(_variables)

        applied_overrides = cast(list[str], d.pop("applied_overrides", UNSET))

        chat_session_created = cls(
            session_id=session_id,
            agent_name=agent_name,
            expires_at=expires_at,
            variables=variables,
            applied_overrides=applied_overrides,
        )

        chat_session_created.additional_properties = d
        return chat_session_created

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

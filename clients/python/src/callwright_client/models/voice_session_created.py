from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.voice_session_created_variables import VoiceSessionCreatedVariables


T = TypeVar("T", bound="VoiceSessionCreated")


@_attrs_define
class VoiceSessionCreated:
    """
    Attributes:
        room_name (str):
        token (str):
        livekit_url (str):
        agent_name (str):
        session_id (str):
        expires_at (datetime.datetime):
        variables (VoiceSessionCreatedVariables | Unset):
        applied_overrides (list[str] | Unset):
    """

    room_name: str
    token: str
    livekit_url: str
    agent_name: str
    session_id: str
    expires_at: datetime.datetime
    variables: VoiceSessionCreatedVariables | Unset = UNSET
    applied_overrides: list[str] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        room_name = self.room_name

        token = self.token

        livekit_url = self.livekit_url

        agent_name = self.agent_name

        session_id = self.session_id

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
                "room_name": room_name,
                "token": token,
                "livekit_url": livekit_url,
                "agent_name": agent_name,
                "session_id": session_id,
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
        from ..models.voice_session_created_variables import VoiceSessionCreatedVariables

        d = dict(src_dict)
        room_name = d.pop("room_name")

        token = d.pop("token")

        livekit_url = d.pop("livekit_url")

        agent_name = d.pop("agent_name")

        session_id = d.pop("session_id")

        expires_at = datetime.datetime.fromisoformat(d.pop("expires_at"))

        _variables = d.pop("variables", UNSET)
        variables: VoiceSessionCreatedVariables | Unset
        if isinstance(_variables, Unset):
            variables = UNSET
        else:
            variables = VoiceSessionCreatedVariables.from_dict(_variables)

        applied_overrides = cast(list[str], d.pop("applied_overrides", UNSET))

        voice_session_created = cls(
            room_name=room_name,
            token=token,
            livekit_url=livekit_url,
            agent_name=agent_name,
            session_id=session_id,
            expires_at=expires_at,
            variables=variables,
            applied_overrides=applied_overrides,
        )

        voice_session_created.additional_properties = d
        return voice_session_created

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

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="AgentCreated")


@_attrs_define
class AgentCreated:
    """
    Attributes:
        agent_id (str):
        object_ (Literal['agent'] | Unset):  Default: 'agent'.
    """

    agent_id: str
    object_: Literal["agent"] | Unset = "agent"
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        agent_id = self.agent_id

        object_ = self.object_

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "agent_id": agent_id,
            }
        )
        if object_ is not UNSET:
            field_dict["object"] = object_

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        agent_id = d.pop("agent_id")

        object_ = cast(Literal["agent"] | Unset, d.pop("object", UNSET))
        if object_ != "agent" and not isinstance(object_, Unset):
            raise ValueError(f"object must match const 'agent', got '{object_}'")

        agent_created = cls(
            agent_id=agent_id,
            object_=object_,
        )

        agent_created.additional_properties = d
        return agent_created

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

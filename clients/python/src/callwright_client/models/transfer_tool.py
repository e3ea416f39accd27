from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="TransferTool")


@_attrs_define
class TransferTool:
    """Another agent of the same organization takes over the conversation, in the same
    room (its instructions and tools from then on).

        Attributes:
            type_ (Literal['transfer']):
            agent_id (str):
            description (str):
            name (str | Unset):  Default: 'transfer'.
    """

    type_: Literal["transfer"]
    agent_id: str
    description: str
    name: str | Unset = "transfer"

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_

        agent_id = self.agent_id

        description = self.description

        name = self.name

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "type": type_,
                "agent_id": agent_id,
                "description": description,
            }
        )
        if name is not UNSET:
            field_dict["name"] = name

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        type_ = cast(Literal["transfer"], d.pop("type"))
        if type_ != "transfer":
            raise ValueError(f"type must match const 'transfer', got '{type_}'")

        agent_id = d.pop("agent_id")

        description = d.pop("description")

        name = d.pop("name", UNSET)

        transfer_tool = cls(
            type_=type_,
            agent_id=agent_id,
            description=description,
            name=name,
        )

        return transfer_tool

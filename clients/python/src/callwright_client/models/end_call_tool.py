from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="EndCallTool")


@_attrs_define
class EndCallTool:
    """The agent ends the call (`agent_ended`) once its goodbye has played.

    Attributes:
        type_ (Literal['end_call']):
        name (str | Unset):  Default: 'end_call'.
        description (str | Unset):  Default: 'End the call when the conversation is over or the user asks to hang up.'.
        goodbye (None | str | Unset):
    """

    type_: Literal["end_call"]
    name: str | Unset = "end_call"
    description: str | Unset = (
        "End the call when the conversation is over or the user asks to hang up."
    )
    goodbye: str | Unset | None = UNSET

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_

        name = self.name

        description = self.description

        goodbye: str | Unset | None
        if isinstance(self.goodbye, Unset):
            goodbye = UNSET
        else:
            goodbye = self.goodbye

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "type": type_,
            }
        )
        if name is not UNSET:
            field_dict["name"] = name
        if description is not UNSET:
            field_dict["description"] = description
        if goodbye is not UNSET:
            field_dict["goodbye"] = goodbye

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        type_ = cast(Literal["end_call"], d.pop("type"))
        if type_ != "end_call":
            raise ValueError(f"type must match const 'end_call', got '{type_}'")

        name = d.pop("name", UNSET)

        description = d.pop("description", UNSET)

        def _parse_goodbye(data: object) -> str | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        goodbye = _parse_goodbye(d.pop("goodbye", UNSET))

        end_call_tool = cls(
            type_=type_,
            name=name,
            description=description,
            goodbye=goodbye,
        )

        return end_call_tool

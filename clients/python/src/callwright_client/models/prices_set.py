from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="PricesSet")


@_attrs_define
class PricesSet:
    """Set (or with `clear`, remove) the organization's prices, or with `agent_id` one
    agent's; an unset price inherits (the organization's, then the default).

        Attributes:
            agent_id (None | str | Unset):
            credits_per_minute (int | None | Unset):
            credits_per_message (int | None | Unset):
            credits_per_analysis (int | None | Unset):
            clear (bool | Unset):  Default: False.
    """

    agent_id: str | Unset | None = UNSET
    credits_per_minute: int | Unset | None = UNSET
    credits_per_message: int | Unset | None = UNSET
    credits_per_analysis: int | Unset | None = UNSET
    clear: bool | Unset = False

    def to_dict(self) -> dict[str, Any]:
        agent_id: str | Unset | None
        if isinstance(self.agent_id, Unset):
            agent_id = UNSET
        else:
            agent_id = self.agent_id

        credits_per_minute: int | Unset | None
        if isinstance(self.credits_per_minute, Unset):
            credits_per_minute = UNSET
        else:
            credits_per_minute = self.credits_per_minute

        credits_per_message: int | Unset | None
        if isinstance(self.credits_per_message, Unset):
            credits_per_message = UNSET
        else:
            credits_per_message = self.credits_per_message

        credits_per_analysis: int | Unset | None
        if isinstance(self.credits_per_analysis, Unset):
            credits_per_analysis = UNSET
        else:
            credits_per_analysis = self.credits_per_analysis

        clear = self.clear

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if agent_id is not UNSET:
            field_dict["agent_id"] = agent_id
        if credits_per_minute is not UNSET:
            field_dict["credits_per_minute"] = credits_per_minute
        if credits_per_message is not UNSET:
            field_dict["credits_per_message"] = credits_per_message
        if credits_per_analysis is not UNSET:
            field_dict["credits_per_analysis"] = credits_per_analysis
        if clear is not UNSET:
            field_dict["clear"] = clear

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_agent_id(data: object) -> str | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        agent_id = _parse_agent_id(d.pop("agent_id", UNSET))

        def _parse_credits_per_minute(data: object) -> int | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        credits_per_minute = _parse_credits_per_minute(d.pop("credits_per_minute", UNSET))

        def _parse_credits_per_message(data: object) -> int | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        credits_per_message = _parse_credits_per_message(d.pop("credits_per_message", UNSET))

        def _parse_credits_per_analysis(data: object) -> int | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        credits_per_analysis = _parse_credits_per_analysis(d.pop("credits_per_analysis", UNSET))

        clear = d.pop("clear", UNSET)

        prices_set = cls(
            agent_id=agent_id,
            credits_per_minute=credits_per_minute,
            credits_per_message=credits_per_message,
            credits_per_analysis=credits_per_analysis,
            clear=clear,
        )

        return prices_set

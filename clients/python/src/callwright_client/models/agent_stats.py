from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.latency_summary import LatencySummary
    from ..models.percentiles import Percentiles


T = TypeVar("T", bound="AgentStats")


@_attrs_define
class AgentStats:
    """
    Attributes:
        agent_id (str):
        from_ (datetime.datetime):
        to (datetime.datetime):
        sessions (int):
        ended_sessions (int):
        truncated (bool):
        latency (LatencySummary): Per latency part (see `TurnLatency`), percentiles over the turns that have it.
        credits_charged (None | Percentiles):
        duration_seconds (None | Percentiles):
        object_ (Literal['agent.stats'] | Unset):  Default: 'agent.stats'.
    """

    agent_id: str
    from_: datetime.datetime
    to: datetime.datetime
    sessions: int
    ended_sessions: int
    truncated: bool
    latency: LatencySummary
    credits_charged: Percentiles | None
    duration_seconds: Percentiles | None
    object_: Literal["agent.stats"] | Unset = "agent.stats"
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.percentiles import Percentiles

        agent_id = self.agent_id

        from_ = self.from_.isoformat()

        to = self.to.isoformat()

        sessions = self.sessions

        ended_sessions = self.ended_sessions

        truncated = self.truncated

        latency = self.latency.to_dict()

        credits_charged: dict[str, Any] | None
        if isinstance(self.credits_charged, Percentiles):
            credits_charged = self.credits_charged.to_dict()
        else:
            credits_charged = self.credits_charged

        duration_seconds: dict[str, Any] | None
        if isinstance(self.duration_seconds, Percentiles):
            duration_seconds = self.duration_seconds.to_dict()
        else:
            duration_seconds = self.duration_seconds

        object_ = self.object_

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "agent_id": agent_id,
                "from": from_,
                "to": to,
                "sessions": sessions,
                "ended_sessions": ended_sessions,
                "truncated": truncated,
                "latency": latency,
                "credits_charged": credits_charged,
                "duration_seconds": duration_seconds,
            }
        )
        if object_ is not UNSET:
            field_dict["object"] = object_

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.latency_summary import LatencySummary
        from ..models.percentiles import Percentiles

        d = dict(src_dict)
        agent_id = d.pop("agent_id")

        from_ = datetime.datetime.fromisoformat(d.pop("from"))

        to = datetime.datetime.fromisoformat(d.pop("to"))

        sessions = d.pop("sessions")

        ended_sessions = d.pop("ended_sessions")

        truncated = d.pop("truncated")

        latency = LatencySummary.from_dict(d.pop("latency"))

        def _parse_credits_charged(data: object) -> Percentiles | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                credits_charged_type_0 = Percentiles.from_dict(data)

                return credits_charged_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Percentiles, data)

        credits_charged = _parse_credits_charged(d.pop("credits_charged"))

        def _parse_duration_seconds(data: object) -> Percentiles | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                duration_seconds_type_0 = Percentiles.from_dict(data)

                return duration_seconds_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Percentiles, data)

        duration_seconds = _parse_duration_seconds(d.pop("duration_seconds"))

        object_ = cast(Literal["agent.stats"] | Unset, d.pop("object", UNSET))
        if object_ != "agent.stats" and not isinstance(object_, Unset):
            raise ValueError(f"object must match const 'agent.stats', got '{object_}'")

        agent_stats = cls(
            agent_id=agent_id,
            from_=from_,
            to=to,
            sessions=sessions,
            ended_sessions=ended_sessions,
            truncated=truncated,
            latency=latency,
            credits_charged=credits_charged,
            duration_seconds=duration_seconds,
            object_=object_,
        )

        agent_stats.additional_properties = d
        return agent_stats

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

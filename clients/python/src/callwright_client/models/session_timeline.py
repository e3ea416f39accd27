from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.session_kind import SessionKind
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.latency_summary import LatencySummary
    from ..models.transcript_entry import TranscriptEntry


T = TypeVar("T", bound="SessionTimeline")


@_attrs_define
class SessionTimeline:
    """GET /v1/sessions/{id}/timeline: every entry of the session in time order, turns
    with their speaking times and latency parts, and events (joined, away, back, time
    limit, errors, ended).

        Attributes:
            session_id (str):
            kind (SessionKind):
            items (list[TranscriptEntry]):
            latency (LatencySummary): Per latency part (see `TurnLatency`), percentiles over the turns that have it.
            object_ (Literal['session.timeline'] | Unset):  Default: 'session.timeline'.
    """

    session_id: str
    kind: SessionKind
    items: list[TranscriptEntry]
    latency: LatencySummary
    object_: Literal["session.timeline"] | Unset = "session.timeline"
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        session_id = self.session_id

        kind = self.kind.value

        items = []
        for items_item_data in self.items:
            items_item = items_item_data.to_dict()
            items.append(items_item)

        latency = self.latency.to_dict()

        object_ = self.object_

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "session_id": session_id,
                "kind": kind,
                "items": items,
                "latency": latency,
            }
        )
        if object_ is not UNSET:
            field_dict["object"] = object_

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.latency_summary import LatencySummary
        from ..models.transcript_entry import TranscriptEntry

        d = dict(src_dict)
        session_id = d.pop("session_id")

        kind = SessionKind(d.pop("kind"))

        items = []
        _items = d.pop("items")
        for items_item_data in _items:
            items_item = TranscriptEntry.from_dict(items_item_data)

            items.append(items_item)

        latency = LatencySummary.from_dict(d.pop("latency"))

        object_ = cast(Literal["session.timeline"] | Unset, d.pop("object", UNSET))
        if object_ != "session.timeline" and not isinstance(object_, Unset):
            raise ValueError(f"object must match const 'session.timeline', got '{object_}'")

        session_timeline = cls(
            session_id=session_id,
            kind=kind,
            items=items,
            latency=latency,
            object_=object_,
        )

        session_timeline.additional_properties = d
        return session_timeline

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

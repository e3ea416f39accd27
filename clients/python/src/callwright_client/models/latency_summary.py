from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.percentiles import Percentiles
    from ..models.turn_counts import TurnCounts


T = TypeVar("T", bound="LatencySummary")


@_attrs_define
class LatencySummary:
    """Per latency part (see `TurnLatency`), percentiles over the turns that have it.

    Attributes:
        turns (TurnCounts):
        end_of_turn_ms (None | Percentiles | Unset):
        transcription_ms (None | Percentiles | Unset):
        llm_ttft_ms (None | Percentiles | Unset):
        tts_ttfb_ms (None | Percentiles | Unset):
        e2e_ms (None | Percentiles | Unset):
        realtime_ttft_ms (None | Percentiles | Unset):
    """

    turns: TurnCounts
    end_of_turn_ms: Percentiles | Unset | None = UNSET
    transcription_ms: Percentiles | Unset | None = UNSET
    llm_ttft_ms: Percentiles | Unset | None = UNSET
    tts_ttfb_ms: Percentiles | Unset | None = UNSET
    e2e_ms: Percentiles | Unset | None = UNSET
    realtime_ttft_ms: Percentiles | Unset | None = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.percentiles import Percentiles

        turns = self.turns.to_dict()

        end_of_turn_ms: dict[str, Any] | Unset | None
        if isinstance(self.end_of_turn_ms, Unset):
            end_of_turn_ms = UNSET
        elif isinstance(self.end_of_turn_ms, Percentiles):
            end_of_turn_ms = self.end_of_turn_ms.to_dict()
        else:
            end_of_turn_ms = self.end_of_turn_ms

        transcription_ms: dict[str, Any] | Unset | None
        if isinstance(self.transcription_ms, Unset):
            transcription_ms = UNSET
        elif isinstance(self.transcription_ms, Percentiles):
            transcription_ms = self.transcription_ms.to_dict()
        else:
            transcription_ms = self.transcription_ms

        llm_ttft_ms: dict[str, Any] | Unset | None
        if isinstance(self.llm_ttft_ms, Unset):
            llm_ttft_ms = UNSET
        elif isinstance(self.llm_ttft_ms, Percentiles):
            llm_ttft_ms = self.llm_ttft_ms.to_dict()
        else:
            llm_ttft_ms = self.llm_ttft_ms

        tts_ttfb_ms: dict[str, Any] | Unset | None
        if isinstance(self.tts_ttfb_ms, Unset):
            tts_ttfb_ms = UNSET
        elif isinstance(self.tts_ttfb_ms, Percentiles):
            tts_ttfb_ms = self.tts_ttfb_ms.to_dict()
        else:
            tts_ttfb_ms = self.tts_ttfb_ms

        e2e_ms: dict[str, Any] | Unset | None
        if isinstance(self.e2e_ms, Unset):
            e2e_ms = UNSET
        elif isinstance(self.e2e_ms, Percentiles):
            e2e_ms = self.e2e_ms.to_dict()
        else:
            e2e_ms = self.e2e_ms

        realtime_ttft_ms: dict[str, Any] | Unset | None
        if isinstance(self.realtime_ttft_ms, Unset):
            realtime_ttft_ms = UNSET
        elif isinstance(self.realtime_ttft_ms, Percentiles):
            realtime_ttft_ms = self.realtime_ttft_ms.to_dict()
        else:
            realtime_ttft_ms = self.realtime_ttft_ms

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "turns": turns,
            }
        )
        if end_of_turn_ms is not UNSET:
            field_dict["end_of_turn_ms"] = end_of_turn_ms
        if transcription_ms is not UNSET:
            field_dict["transcription_ms"] = transcription_ms
        if llm_ttft_ms is not UNSET:
            field_dict["llm_ttft_ms"] = llm_ttft_ms
        if tts_ttfb_ms is not UNSET:
            field_dict["tts_ttfb_ms"] = tts_ttfb_ms
        if e2e_ms is not UNSET:
            field_dict["e2e_ms"] = e2e_ms
        if realtime_ttft_ms is not UNSET:
            field_dict["realtime_ttft_ms"] = realtime_ttft_ms

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.percentiles import Percentiles
        from ..models.turn_counts import TurnCounts

        d = dict(src_dict)
        turns = TurnCounts.from_dict(d.pop("turns"))

        def _parse_end_of_turn_ms(data: object) -> Percentiles | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                end_of_turn_ms_type_0 = Percentiles.from_dict(data)

                return end_of_turn_ms_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Percentiles | Unset, data)

        end_of_turn_ms = _parse_end_of_turn_ms(d.pop("end_of_turn_ms", UNSET))

        def _parse_transcription_ms(data: object) -> Percentiles | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                transcription_ms_type_0 = Percentiles.from_dict(data)

                return transcription_ms_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Percentiles | Unset, data)

        transcription_ms = _parse_transcription_ms(d.pop("transcription_ms", UNSET))

        def _parse_llm_ttft_ms(data: object) -> Percentiles | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                llm_ttft_ms_type_0 = Percentiles.from_dict(data)

                return llm_ttft_ms_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Percentiles | Unset, data)

        llm_ttft_ms = _parse_llm_ttft_ms(d.pop("llm_ttft_ms", UNSET))

        def _parse_tts_ttfb_ms(data: object) -> Percentiles | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                tts_ttfb_ms_type_0 = Percentiles.from_dict(data)

                return tts_ttfb_ms_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Percentiles | Unset, data)

        tts_ttfb_ms = _parse_tts_ttfb_ms(d.pop("tts_ttfb_ms", UNSET))

        def _parse_e2e_ms(data: object) -> Percentiles | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                e2e_ms_type_0 = Percentiles.from_dict(data)

                return e2e_ms_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Percentiles | Unset, data)

        e2e_ms = _parse_e2e_ms(d.pop("e2e_ms", UNSET))

        def _parse_realtime_ttft_ms(data: object) -> Percentiles | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                realtime_ttft_ms_type_0 = Percentiles.from_dict(data)

                return realtime_ttft_ms_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Percentiles | Unset, data)

        realtime_ttft_ms = _parse_realtime_ttft_ms(d.pop("realtime_ttft_ms", UNSET))

        latency_summary = cls(
            turns=turns,
            end_of_turn_ms=end_of_turn_ms,
            transcription_ms=transcription_ms,
            llm_ttft_ms=llm_ttft_ms,
            tts_ttfb_ms=tts_ttfb_ms,
            e2e_ms=e2e_ms,
            realtime_ttft_ms=realtime_ttft_ms,
        )

        latency_summary.additional_properties = d
        return latency_summary

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

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="TurnLatency")


@_attrs_define
class TurnLatency:
    """One turn's latency parts, in milliseconds, as livekit-agents measured them at the
    agent (network and the caller's playout are not in them).

    User turns: `end_of_turn_ms` (end of speech to the end-of-turn decision) and
    `transcription_ms` (end of speech to the final transcript). Agent turns:
    `llm_ttft_ms` (the LLM's first token), `tts_ttfb_ms` (the TTS's first audio byte
    after its first text) and `e2e_ms` (the user stopped speaking → the agent began
    answering, when the agent knows when the user stopped). A realtime model's turns:
    `realtime_ttft_ms` (the response's creation → its first audio, the model's own
    `RealtimeModelMetrics.ttft`).

        Attributes:
            end_of_turn_ms (float | None | Unset):
            transcription_ms (float | None | Unset):
            llm_ttft_ms (float | None | Unset):
            tts_ttfb_ms (float | None | Unset):
            e2e_ms (float | None | Unset):
            realtime_ttft_ms (float | None | Unset):
    """

    end_of_turn_ms: float | Unset | None = UNSET
    transcription_ms: float | Unset | None = UNSET
    llm_ttft_ms: float | Unset | None = UNSET
    tts_ttfb_ms: float | Unset | None = UNSET
    e2e_ms: float | Unset | None = UNSET
    realtime_ttft_ms: float | Unset | None = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        end_of_turn_ms: float | Unset | None
        if isinstance(self.end_of_turn_ms, Unset):
            end_of_turn_ms = UNSET
        else:
            end_of_turn_ms = self.end_of_turn_ms

        transcription_ms: float | Unset | None
        if isinstance(self.transcription_ms, Unset):
            transcription_ms = UNSET
        else:
            transcription_ms = self.transcription_ms

        llm_ttft_ms: float | Unset | None
        if isinstance(self.llm_ttft_ms, Unset):
            llm_ttft_ms = UNSET
        else:
            llm_ttft_ms = self.llm_ttft_ms

        tts_ttfb_ms: float | Unset | None
        if isinstance(self.tts_ttfb_ms, Unset):
            tts_ttfb_ms = UNSET
        else:
            tts_ttfb_ms = self.tts_ttfb_ms

        e2e_ms: float | Unset | None
        if isinstance(self.e2e_ms, Unset):
            e2e_ms = UNSET
        else:
            e2e_ms = self.e2e_ms

        realtime_ttft_ms: float | Unset | None
        if isinstance(self.realtime_ttft_ms, Unset):
            realtime_ttft_ms = UNSET
        else:
            realtime_ttft_ms = self.realtime_ttft_ms

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
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
        d = dict(src_dict)

        def _parse_end_of_turn_ms(data: object) -> float | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        end_of_turn_ms = _parse_end_of_turn_ms(d.pop("end_of_turn_ms", UNSET))

        def _parse_transcription_ms(data: object) -> float | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        transcription_ms = _parse_transcription_ms(d.pop("transcription_ms", UNSET))

        def _parse_llm_ttft_ms(data: object) -> float | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        llm_ttft_ms = _parse_llm_ttft_ms(d.pop("llm_ttft_ms", UNSET))

        def _parse_tts_ttfb_ms(data: object) -> float | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        tts_ttfb_ms = _parse_tts_ttfb_ms(d.pop("tts_ttfb_ms", UNSET))

        def _parse_e2e_ms(data: object) -> float | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        e2e_ms = _parse_e2e_ms(d.pop("e2e_ms", UNSET))

        def _parse_realtime_ttft_ms(data: object) -> float | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        realtime_ttft_ms = _parse_realtime_ttft_ms(d.pop("realtime_ttft_ms", UNSET))

        turn_latency = cls(
            end_of_turn_ms=end_of_turn_ms,
            transcription_ms=transcription_ms,
            llm_ttft_ms=llm_ttft_ms,
            tts_ttfb_ms=tts_ttfb_ms,
            e2e_ms=e2e_ms,
            realtime_ttft_ms=realtime_ttft_ms,
        )

        turn_latency.additional_properties = d
        return turn_latency

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

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="RealtimeChoice")


@_attrs_define
class RealtimeChoice:
    """
    Attributes:
        provider (str | Unset):  Default: 'openai'.
        model (None | str | Unset):
        voice (None | str | Unset):
        temperature (float | Unset):  Default: 0.8.
    """

    provider: str | Unset = "openai"
    model: str | Unset | None = UNSET
    voice: str | Unset | None = UNSET
    temperature: float | Unset = 0.8

    def to_dict(self) -> dict[str, Any]:
        provider = self.provider

        model: str | Unset | None
        if isinstance(self.model, Unset):
            model = UNSET
        else:
            model = self.model

        voice: str | Unset | None
        if isinstance(self.voice, Unset):
            voice = UNSET
        else:
            voice = self.voice

        temperature = self.temperature

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if provider is not UNSET:
            field_dict["provider"] = provider
        if model is not UNSET:
            field_dict["model"] = model
        if voice is not UNSET:
            field_dict["voice"] = voice
        if temperature is not UNSET:
            field_dict["temperature"] = temperature

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        provider = d.pop("provider", UNSET)

        def _parse_model(data: object) -> str | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        model = _parse_model(d.pop("model", UNSET))

        def _parse_voice(data: object) -> str | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        voice = _parse_voice(d.pop("voice", UNSET))

        temperature = d.pop("temperature", UNSET)

        realtime_choice = cls(
            provider=provider,
            model=model,
            voice=voice,
            temperature=temperature,
        )

        return realtime_choice

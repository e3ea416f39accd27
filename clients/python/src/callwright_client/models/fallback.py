from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="Fallback")


@_attrs_define
class Fallback:
    """A second choice for a stage: tried in order when the one before it fails.

    Attributes:
        provider (str):
        model (None | str | Unset):
        voice (None | str | Unset):
    """

    provider: str
    model: str | Unset | None = UNSET
    voice: str | Unset | None = UNSET

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

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "provider": provider,
            }
        )
        if model is not UNSET:
            field_dict["model"] = model
        if voice is not UNSET:
            field_dict["voice"] = voice

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        provider = d.pop("provider")

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

        fallback = cls(
            provider=provider,
            model=model,
            voice=voice,
        )

        return fallback

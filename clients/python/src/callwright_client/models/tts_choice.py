from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.fallback import Fallback


T = TypeVar("T", bound="TtsChoice")


@_attrs_define
class TtsChoice:
    """
    Attributes:
        provider (str | Unset):  Default: 'openai'.
        model (None | str | Unset):
        voice (str | Unset):  Default: 'alloy'.
        fallback (list[Fallback] | Unset):
    """

    provider: str | Unset = "openai"
    model: str | Unset | None = UNSET
    voice: str | Unset = "alloy"
    fallback: list[Fallback] | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        provider = self.provider

        model: str | Unset | None
        if isinstance(self.model, Unset):
            model = UNSET
        else:
            model = self.model

        voice = self.voice

        fallback: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.fallback, Unset):
            fallback = []
            for fallback_item_data in self.fallback:
                fallback_item = fallback_item_data.to_dict()
                fallback.append(fallback_item)

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if provider is not UNSET:
            field_dict["provider"] = provider
        if model is not UNSET:
            field_dict["model"] = model
        if voice is not UNSET:
            field_dict["voice"] = voice
        if fallback is not UNSET:
            field_dict["fallback"] = fallback

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.fallback import Fallback

        d = dict(src_dict)
        provider = d.pop("provider", UNSET)

        def _parse_model(data: object) -> str | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        model = _parse_model(d.pop("model", UNSET))

        voice = d.pop("voice", UNSET)

        _fallback = d.pop("fallback", UNSET)
        fallback: list[Fallback] | Unset = UNSET
        if _fallback is not UNSET:
            fallback = []
            for fallback_item_data in _fallback:
                fallback_item = Fallback.from_dict(fallback_item_data)

                fallback.append(fallback_item)

        tts_choice = cls(
            provider=provider,
            model=model,
            voice=voice,
            fallback=fallback,
        )

        return tts_choice

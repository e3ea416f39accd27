from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.fallback import Fallback


T = TypeVar("T", bound="SttChoice")


@_attrs_define
class SttChoice:
    """
    Attributes:
        provider (str | Unset):  Default: 'deepgram'.
        model (str | Unset):  Default: 'nova-3'.
        language (None | str | Unset):
        fallback (list[Fallback] | Unset):
    """

    provider: str | Unset = "deepgram"
    model: str | Unset = "nova-3"
    language: str | Unset | None = UNSET
    fallback: list[Fallback] | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        provider = self.provider

        model = self.model

        language: str | Unset | None
        if isinstance(self.language, Unset):
            language = UNSET
        else:
            language = self.language

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
        if language is not UNSET:
            field_dict["language"] = language
        if fallback is not UNSET:
            field_dict["fallback"] = fallback

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.fallback import Fallback

        d = dict(src_dict)
        provider = d.pop("provider", UNSET)

        model = d.pop("model", UNSET)

        def _parse_language(data: object) -> str | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        language = _parse_language(d.pop("language", UNSET))

        _fallback = d.pop("fallback", UNSET)
        fallback: list[Fallback] | Unset = UNSET
        if _fallback is not UNSET:
            fallback = []
            for fallback_item_data in _fallback:
                fallback_item = Fallback.from_dict(fallback_item_data)

                fallback.append(fallback_item)

        stt_choice = cls(
            provider=provider,
            model=model,
            language=language,
            fallback=fallback,
        )

        return stt_choice

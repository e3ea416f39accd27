from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.fallback import Fallback


T = TypeVar("T", bound="LlmChoice")


@_attrs_define
class LlmChoice:
    """
    Attributes:
        provider (str | Unset):  Default: 'openai'.
        model (str | Unset):  Default: 'gpt-4o-mini'.
        temperature (float | Unset):  Default: 0.8.
        fallback (list[Fallback] | Unset):
    """

    provider: str | Unset = "openai"
    model: str | Unset = "gpt-4o-mini"
    temperature: float | Unset = 0.8
    fallback: list[Fallback] | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        provider = self.provider

        model = self.model

        temperature = self.temperature

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
        if temperature is not UNSET:
            field_dict["temperature"] = temperature
        if fallback is not UNSET:
            field_dict["fallback"] = fallback

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.fallback import Fallback

        d = dict(src_dict)
        provider = d.pop("provider", UNSET)

        model = d.pop("model", UNSET)

        temperature = d.pop("temperature", UNSET)

        _fallback = d.pop("fallback", UNSET)
        fallback: list[Fallback] | Unset = UNSET
        if _fallback is not UNSET:
            fallback = []
            for fallback_item_data in _fallback:
                fallback_item = Fallback.from_dict(fallback_item_data)

                fallback.append(fallback_item)

        llm_choice = cls(
            provider=provider,
            model=model,
            temperature=temperature,
            fallback=fallback,
        )

        return llm_choice

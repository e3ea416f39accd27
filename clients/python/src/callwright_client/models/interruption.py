from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="Interruption")


@_attrs_define
class Interruption:
    """What speech over the agent stops it.

    Attributes:
        min_duration (float | Unset):  Default: 0.5.
        min_words (int | Unset):  Default: 1.
        ignore_backchannels (bool | Unset):  Default: True.
        resume_false_interruption (bool | Unset):  Default: True.
        false_interruption_timeout (float | None | Unset):  Default: 2.0.
    """

    min_duration: float | Unset = 0.5
    min_words: int | Unset = 1
    ignore_backchannels: bool | Unset = True
    resume_false_interruption: bool | Unset = True
    false_interruption_timeout: float | Unset | None = 2.0

    def to_dict(self) -> dict[str, Any]:
        min_duration = self.min_duration

        min_words = self.min_words

        ignore_backchannels = self.ignore_backchannels

        resume_false_interruption = self.resume_false_interruption

        false_interruption_timeout: float | Unset | None
        if isinstance(self.false_interruption_timeout, Unset):
            false_interruption_timeout = UNSET
        else:
            false_interruption_timeout = self.false_interruption_timeout

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if min_duration is not UNSET:
            field_dict["min_duration"] = min_duration
        if min_words is not UNSET:
            field_dict["min_words"] = min_words
        if ignore_backchannels is not UNSET:
            field_dict["ignore_backchannels"] = ignore_backchannels
        if resume_false_interruption is not UNSET:
            field_dict["resume_false_interruption"] = resume_false_interruption
        if false_interruption_timeout is not UNSET:
            field_dict["false_interruption_timeout"] = false_interruption_timeout

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        min_duration = d.pop("min_duration", UNSET)

        min_words = d.pop("min_words", UNSET)

        ignore_backchannels = d.pop("ignore_backchannels", UNSET)

        resume_false_interruption = d.pop("resume_false_interruption", UNSET)

        def _parse_false_interruption_timeout(data: object) -> float | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        false_interruption_timeout = _parse_false_interruption_timeout(
            d.pop("false_interruption_timeout", UNSET)
        )

        interruption = cls(
            min_duration=min_duration,
            min_words=min_words,
            ignore_backchannels=ignore_backchannels,
            resume_false_interruption=resume_false_interruption,
            false_interruption_timeout=false_interruption_timeout,
        )

        return interruption

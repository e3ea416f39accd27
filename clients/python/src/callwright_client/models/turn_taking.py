from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..models.turn_taking_detector import TurnTakingDetector
from ..models.turn_taking_mode import TurnTakingMode
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.interruption import Interruption


T = TypeVar("T", bound="TurnTaking")


@_attrs_define
class TurnTaking:
    """When the caller's turn is over and how the agent answers it.

    After the caller stops speaking the agent waits `min_delay` seconds when the detector
    says the turn looks complete, up to `max_delay` when it does not; `dynamic` learns
    the caller's pauses between these bounds. With `preemptive_generation` the answer (its
    LLM and speech) is prepared during that wait and dropped if the caller continues.

        Attributes:
            mode (TurnTakingMode | Unset):  Default: TurnTakingMode.FIXED.
            min_delay (float | Unset):  Default: 0.5.
            max_delay (float | Unset):  Default: 2.0.
            detector (TurnTakingDetector | Unset):  Default: TurnTakingDetector.TRANSCRIPT.
            preemptive_generation (bool | Unset):  Default: True.
            interruption (Interruption | Unset): What speech over the agent stops it.
    """

    mode: TurnTakingMode | Unset = TurnTakingMode.FIXED
    min_delay: float | Unset = 0.5
    max_delay: float | Unset = 2.0
    detector: TurnTakingDetector | Unset = TurnTakingDetector.TRANSCRIPT
    preemptive_generation: bool | Unset = True
    interruption: Interruption | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        mode: str | Unset = UNSET
        if not isinstance(self.mode, Unset):
            mode = self.mode.value

        min_delay = self.min_delay

        max_delay = self.max_delay

        detector: str | Unset = UNSET
        if not isinstance(self.detector, Unset):
            detector = self.detector.value

        preemptive_generation = self.preemptive_generation

        interruption: dict[str, Any] | Unset = UNSET
        if not isinstance(self.interruption, Unset):
            interruption = self.interruption.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if mode is not UNSET:
            field_dict["mode"] = mode
        if min_delay is not UNSET:
            field_dict["min_delay"] = min_delay
        if max_delay is not UNSET:
            field_dict["max_delay"] = max_delay
        if detector is not UNSET:
            field_dict["detector"] = detector
        if preemptive_generation is not UNSET:
            field_dict["preemptive_generation"] = preemptive_generation
        if interruption is not UNSET:
            field_dict["interruption"] = interruption

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.interruption import Interruption

        d = dict(src_dict)
        _mode = d.pop("mode", UNSET)
        mode: TurnTakingMode | Unset
        if isinstance(_mode, Unset):
            mode = UNSET
        else:
            mode = TurnTakingMode(_mode)

        min_delay = d.pop("min_delay", UNSET)

        max_delay = d.pop("max_delay", UNSET)

        _detector = d.pop("detector", UNSET)
        detector: TurnTakingDetector | Unset
        if isinstance(_detector, Unset):
            detector = UNSET
        else:
            detector = TurnTakingDetector(_detector)

        preemptive_generation = d.pop("preemptive_generation", UNSET)

        _interruption = d.pop("interruption", UNSET)
        interruption: Interruption | Unset
        if isinstance(_interruption, Unset):
            interruption = UNSET
        else:
            interruption = Interruption.from_dict(_interruption)

        turn_taking = cls(
            mode=mode,
            min_delay=min_delay,
            max_delay=max_delay,
            detector=detector,
            preemptive_generation=preemptive_generation,
            interruption=interruption,
        )

        return turn_taking

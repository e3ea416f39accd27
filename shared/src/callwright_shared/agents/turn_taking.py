"""How a pipeline agent takes turns: `AgentConfig.turn_taking`.

When the caller has finished (the endpointing wait and what decides it), whether the
answer is prepared while the wait runs, and what speech over the agent counts as an
interruption. The worker maps it onto livekit-agents' turn handling
(callwright_worker.turn_handling); realtime agents use their model's own turn detection
and ignore it. Defaults and their measurement: docs/decisions.md#turn-taking-defaults.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field

from callwright_shared.errors import InvalidRequestError

if TYPE_CHECKING:
    from callwright_shared.settings import TurnTakingSettings

_STRICT = ConfigDict(extra="forbid", strict=True)

# The values a caller hears today with `turn_taking` left out.
DEFAULT_MIN_DELAY_S = 0.5
DEFAULT_MAX_DELAY_S = 2.0

EndpointingMode = Literal["fixed", "dynamic"]
# `transcript`: the transcript's last words (a sentence ending on "for", "and", "the" is
# not over); `end_of_turn_model`: livekit's local audio model (turn-detector-v1-mini, no
# network); `vad`: silence alone, always the minimum wait.
TurnDetector = Literal["transcript", "end_of_turn_model", "vad"]


class Interruption(BaseModel):
    """What speech over the agent stops it."""

    model_config = _STRICT

    # Speech shorter than this ("mm-hmm") does not stop the agent.
    min_duration: float = Field(0.5, ge=0.0, le=5.0, allow_inf_nan=False)
    # Words the speech-to-text must hear before the agent stops (0: voice activity alone,
    # a cough included).
    min_words: int = Field(1, ge=0, le=20)
    # What the caller says over the agent only to show they are listening ("mm-hmm",
    # "yeah", "okay") does not stop it (docs/decisions.md#backchannels).
    ignore_backchannels: bool = True
    # After an interruption followed by silence (a cough), the agent resumes its reply.
    resume_false_interruption: bool = True
    # The silence after an interruption that makes it false; None: never false.
    false_interruption_timeout: float | None = Field(2.0, ge=0.1, le=10.0, allow_inf_nan=False)


class TurnTaking(BaseModel):
    """When the caller's turn is over and how the agent answers it.

    After the caller stops speaking the agent waits `min_delay` seconds when the detector
    says the turn looks complete, up to `max_delay` when it does not; `dynamic` learns
    the caller's pauses between these bounds. With `preemptive_generation` the answer (its
    LLM and speech) is prepared during that wait and dropped if the caller continues.
    """

    model_config = _STRICT

    mode: EndpointingMode = "fixed"
    min_delay: float = Field(DEFAULT_MIN_DELAY_S, ge=0.0, le=10.0, allow_inf_nan=False)
    max_delay: float = Field(DEFAULT_MAX_DELAY_S, ge=0.0, le=30.0, allow_inf_nan=False)
    detector: TurnDetector = "transcript"
    preemptive_generation: bool = True
    interruption: Interruption = Field(default_factory=Interruption)


def check_turn_taking(
    turn_taking: TurnTaking,
    settings: TurnTakingSettings,
    *,
    fields: Collection[str] | None = None,
) -> None:
    """Refuse (400, `param`) delays out of order or beyond the operator's bound
    (`CALLWRIGHT_TURN_MAX_DELAY_LIMIT_S`); with `fields` (a PATCH), only when it changes
    or the agent becomes a pipeline agent."""
    if fields is not None and not {"turn_taking", "architecture"} & set(fields):
        return
    limit = settings.turn_max_delay_limit_s
    for name in ("min_delay", "max_delay"):
        value: float = getattr(turn_taking, name)
        if value > limit:
            raise InvalidRequestError(
                f"turn_taking.{name}: at most {limit:g} seconds here", param=f"turn_taking.{name}"
            )
    if turn_taking.min_delay > turn_taking.max_delay:
        raise InvalidRequestError(
            "turn_taking.max_delay: must be at least min_delay", param="turn_taking.max_delay"
        )

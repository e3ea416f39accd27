from __future__ import annotations

import pytest

from callwright_shared.billing.credits import plan_voice_hold, voice_charge
from callwright_shared.errors import InsufficientCreditsError

pytestmark = pytest.mark.unit


def test_hold_is_the_price_of_the_longest_call_when_affordable() -> None:
    hold = plan_voice_hold(available=1000, credits_per_minute=10, max_duration_seconds=300)
    assert (hold.amount, hold.max_duration_seconds, hold.limited_by_credits) == (50, 300, False)


def test_hold_is_limited_by_the_balance_and_shortens_the_call() -> None:
    hold = plan_voice_hold(available=25, credits_per_minute=10, max_duration_seconds=600)
    assert (hold.amount, hold.max_duration_seconds, hold.limited_by_credits) == (25, 150, True)


def test_less_than_one_minute_is_refused() -> None:
    with pytest.raises(InsufficientCreditsError):
        plan_voice_hold(available=9, credits_per_minute=10, max_duration_seconds=600)


@pytest.mark.parametrize(
    ("seconds", "per_minute", "held", "charged"),
    [
        (0, 10, 100, 0),
        (0.5, 10, 100, 1),
        (6, 10, 100, 1),
        (6.01, 10, 100, 2),
        (60, 10, 100, 10),
        (59.99999999, 10, 100, 10),
        (61, 10, 100, 11),
        (3600, 10, 100, 100),  # never more than the hold
        (30, 0, 0, 0),
    ],
)
def test_charge_is_ceil_seconds_times_price(
    seconds: float, per_minute: int, held: int, charged: int
) -> None:
    assert voice_charge(agent_seconds=seconds, credits_per_minute=per_minute, held=held) == charged

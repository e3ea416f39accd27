"""The per-key token bucket of the create calls (`CreationRateLimiter`), on a test clock."""

from __future__ import annotations

import pytest

from callwright_issuer.http.rate_limits import CreationRateLimiter
from callwright_shared.errors import RateLimitedError

pytestmark = pytest.mark.unit


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_then_the_steady_rate() -> None:
    clock = Clock()
    limiter = CreationRateLimiter(burst=2, per_second=0.25, clock=clock)
    limiter.take("key_a")
    limiter.take("key_a")
    with pytest.raises(RateLimitedError) as refused:
        limiter.take("key_a")
    assert refused.value.retry_after_seconds == 4
    assert refused.value.code == "rate_limited"
    limiter.take("key_b")  # each key has its own bucket
    clock.now += 3.0
    with pytest.raises(RateLimitedError) as refused:
        limiter.take("key_a")
    assert refused.value.retry_after_seconds == 1
    clock.now += 1.0
    limiter.take("key_a")


def test_a_burst_of_zero_turns_the_limit_off() -> None:
    limiter = CreationRateLimiter(burst=0, per_second=1.0, clock=Clock())
    for _ in range(100):
        limiter.take("key_a")

"""The per-key buckets' arithmetic (`rate_buckets.decide`, the generic cell rate
algorithm): a burst, then the steady rate; the database keeps only `tat`."""

from __future__ import annotations

import pytest

from callwright_shared.db.rate_buckets import decide

pytestmark = pytest.mark.unit


class Bucket:
    """One bucket's `tat`, as the database row holds it."""

    def __init__(self, *, burst: int, per_second: float) -> None:
        self.tat = 0.0
        self.burst, self.per_second = burst, per_second

    def take(self, now: float) -> int:
        """0 when allowed (and spent), else the seconds to wait."""
        new_tat, wait = decide(self.tat, now, burst=self.burst, per_second=self.per_second)
        if new_tat is not None:
            self.tat = new_tat
        return wait


def test_a_burst_then_the_steady_rate() -> None:
    bucket = Bucket(burst=2, per_second=0.25)
    assert bucket.take(1000.0) == 0
    assert bucket.take(1000.0) == 0
    assert bucket.take(1000.0) == 4
    assert bucket.take(1003.0) == 1
    assert bucket.take(1004.0) == 0
    assert bucket.take(1004.0) == 4


def test_an_idle_bucket_is_full_again_and_no_fuller() -> None:
    bucket = Bucket(burst=3, per_second=1.0)
    assert [bucket.take(10.0) for _ in range(4)] == [0, 0, 0, 1]
    # Long idle: the burst again, not more.
    assert [bucket.take(1000.0) for _ in range(4)] == [0, 0, 0, 1]


def test_one_organization_by_default_holds_about_half_a_worker() -> None:
    from callwright_shared.settings import CallwrightSettings

    fields = CallwrightSettings.model_fields
    default = fields["default_max_concurrent_sessions"].default
    slots = fields["worker_max_jobs"].default
    assert 0 < default <= slots // 2

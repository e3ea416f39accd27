"""The per-API-key rate limit of the two create calls: a token bucket per key.

Each key may create CALLWRIGHT_SESSION_CREATE_BURST sessions at once, refilled at
CALLWRIGHT_SESSION_CREATE_PER_SECOND; beyond that 429 `rate_limited`, with a Retry-After
of the seconds until the next creation is allowed. The bucket is taken after
authentication and before anything else (body, agent, credits), so a refused request
leaves nothing behind. Every attempt counts, replays of an Idempotency-Key included.

The buckets live in the issuer process: with several issuers behind a load balancer, the
limit is per issuer (a key may create up to N times the rate across N issuers). The
per-organization concurrency limit (admission.py) is the exact, database-wide bound.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from callwright_issuer.http.deps import CurrentKey, SettingsDep
from callwright_shared.errors import RateLimitedError
from callwright_shared.settings import CallwrightSettings

# Buckets kept before the full ones (which a new bucket would equal) are dropped.
_PRUNE_AT = 10_000


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float


class CreationRateLimiter:
    def __init__(
        self, *, burst: int, per_second: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._burst = burst
        self._per_second = per_second
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}

    @classmethod
    def from_settings(cls, settings: CallwrightSettings) -> CreationRateLimiter:
        return cls(
            burst=settings.session_create_burst, per_second=settings.session_create_per_second
        )

    def take(self, key_id: str) -> None:
        """Spend one creation of this key, or raise RateLimitedError (nothing spent)."""
        if self._burst <= 0:
            return
        now = self._clock()
        bucket = self._buckets.get(key_id)
        if bucket is None:
            if len(self._buckets) >= _PRUNE_AT:
                self._prune(now)
            bucket = self._buckets[key_id] = _Bucket(tokens=self._burst, updated=now)
        bucket.tokens = min(self._burst, bucket.tokens + (now - bucket.updated) * self._per_second)
        bucket.updated = now
        if bucket.tokens < 1:
            wait = (1 - bucket.tokens) / self._per_second
            raise RateLimitedError(
                "Too many sessions created with this API key; retry after the delay "
                "in Retry-After.",
                retry_after_seconds=math.ceil(wait),
            )
        bucket.tokens -= 1

    def _prune(self, now: float) -> None:
        refill = self._burst / self._per_second
        self._buckets = {
            key: bucket for key, bucket in self._buckets.items() if now - bucket.updated < refill
        }


async def take_creation(request: Request, key: CurrentKey, settings: SettingsDep) -> None:
    # One limiter per app, made on first use: the app's lifespan (app.py) does not know
    # it yet.
    limiter: CreationRateLimiter | None = getattr(request.app.state, "creation_limiter", None)
    if limiter is None:
        limiter = request.app.state.creation_limiter = CreationRateLimiter.from_settings(settings)
    limiter.take(key.key_id)


CreationAllowed = Annotated[None, Depends(take_creation)]

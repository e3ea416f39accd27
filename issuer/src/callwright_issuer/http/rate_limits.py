"""Per-API-key rate limits, counted in the database so that they hold across every
issuer (callwright_shared.db.rate_buckets; docs/security.md#rate-limits-in-the-database).

- Creations (`CreationAllowed`, the two create calls): CALLWRIGHT_SESSION_CREATE_BURST at
  once, refilled at CALLWRIGHT_SESSION_CREATE_PER_SECOND.
- Rejoin tokens (`TokenAllowed`): a bucket of their own at the same rate.
- Reads of lists and stats (`ReadAllowed`): CALLWRIGHT_READ_BURST, then
  CALLWRIGHT_READ_PER_SECOND.
- Connection tests (`ConnectionTestAllowed`): a few at once, then one every 20 s.

Beyond a limit: 429 `rate_limited` with a Retry-After of the seconds until the next request
is allowed. The bucket is taken after authentication and before anything else (body,
agent, credits), so a refused request leaves nothing behind. Every attempt counts, replays
of an Idempotency-Key included. The per-organization concurrency limit (admission.py) is
the exact bound on open sessions.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from callwright_issuer.http.deps import CurrentKey, DbSessionDep, SettingsDep
from callwright_shared.db.rate_buckets import RateBuckets


def _buckets(request: Request) -> RateBuckets:
    # One per app, made on first use; a test may set its own (with a clock) beforehand.
    buckets: RateBuckets | None = getattr(request.app.state, "rate_buckets", None)
    if buckets is None:
        buckets = request.app.state.rate_buckets = RateBuckets()
    return buckets


async def take_creation(
    request: Request, key: CurrentKey, db: DbSessionDep, settings: SettingsDep
) -> None:
    await _buckets(request).take(
        db,
        f"create:{key.key_id}",
        burst=settings.session_create_burst,
        per_second=settings.session_create_per_second,
        message="Too many sessions created with this API key; retry after the delay "
        "in Retry-After.",
    )


async def take_token(
    request: Request, key: CurrentKey, db: DbSessionDep, settings: SettingsDep
) -> None:
    await _buckets(request).take(
        db,
        f"token:{key.key_id}",
        burst=settings.session_create_burst,
        per_second=settings.session_create_per_second,
        message="Too many rejoin tokens asked for with this API key; retry after the "
        "delay in Retry-After.",
    )


async def take_read(
    request: Request, key: CurrentKey, db: DbSessionDep, settings: SettingsDep
) -> None:
    await _buckets(request).take(
        db,
        f"read:{key.key_id}",
        burst=settings.read_burst,
        per_second=settings.read_per_second,
        message="Too many reads with this API key; retry after the delay in Retry-After.",
    )


# Per API key: 3 at once, then one every 20 s (a check takes a few seconds and is rare).
CONNECTION_TEST_BURST = 3
CONNECTION_TEST_PER_SECOND = 1 / 20


async def take_connection_test(request: Request, key: CurrentKey, db: DbSessionDep) -> None:
    await _buckets(request).take(
        db,
        f"connection-test:{key.key_id}",
        burst=CONNECTION_TEST_BURST,
        per_second=CONNECTION_TEST_PER_SECOND,
        message="Too many connection tests with this API key; retry after the delay in "
        "Retry-After.",
    )


CreationAllowed = Annotated[None, Depends(take_creation)]
TokenAllowed = Annotated[None, Depends(take_token)]
ReadAllowed = Annotated[None, Depends(take_read)]
ConnectionTestAllowed = Annotated[None, Depends(take_connection_test)]

"""`Idempotency-Key` records of Create Voice Session and Create Chat Session.

Writer and reader: the issuer. A key is scoped to the organization. The record is
written in the same transaction as the session and its credit hold, under the
organization's lock, so two requests with one key can never both create a session. It
names the session and, once the request has finished, holds its response:

- same key, same request (endpoint, user, body) → that response again;
- same key, another request → 409 `idempotency_conflict`;
- same key while the first request is still in flight → 409 `idempotency_conflict`,
  retry shortly; an in-flight record older than `STALE_AFTER` belongs to a request that
  died and is taken over.

Failed requests leave no record (a 503 may be retried with the same key). Records expire
after `KEEP_FOR` (the reconciler deletes them).
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from callwright_shared.db.models import IdempotencyKey, utcnow
from callwright_shared.errors import IdempotencyConflictError, InvalidRequestError

HEADER = "Idempotency-Key"
KEEP_FOR = timedelta(hours=24)
STALE_AFTER = timedelta(minutes=2)
_KEY_FORMAT = re.compile(r"[\x21-\x7e]{1,255}")


def validate_key(key: str | None) -> str | None:
    """The header's value, or None without one; 400 when it is not 1-255 visible ASCII."""
    if key is None:
        return None
    if _KEY_FORMAT.fullmatch(key) is None:
        raise InvalidRequestError(
            f"{HEADER} must be 1 to 255 visible ASCII characters.", param=HEADER
        )
    return key


def fingerprint(*, endpoint: str, user_id: str, body: dict[str, Any]) -> str:
    """A hash of what makes two requests "the same": endpoint, user and the parsed body."""
    canonical = json.dumps(
        {"endpoint": endpoint, "user_id": user_id, "body": body},
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


async def find(db: AsyncSession, *, org_id: str, key: str) -> IdempotencyKey | None:
    row: IdempotencyKey | None = (
        await db.execute(
            select(IdempotencyKey).where(IdempotencyKey.org_id == org_id, IdempotencyKey.key == key)
        )
    ).scalar_one_or_none()
    return row


def check_replayable(
    record: IdempotencyKey, *, request_hash: str, now: datetime | None = None
) -> dict[str, Any] | None:
    """The stored response to replay; None when the record is stale and may be taken over."""
    if record.request_hash != request_hash:
        raise IdempotencyConflictError(
            f"This {HEADER} was already used with a different request.", param=HEADER
        )
    if record.response is not None:
        return record.response
    if (now or utcnow()) - record.created_at > STALE_AFTER:
        return None
    raise IdempotencyConflictError(
        f"A request with this {HEADER} is still in progress; retry shortly.", param=HEADER
    )


async def record(
    db: AsyncSession,
    *,
    org_id: str,
    key: str,
    request_hash: str,
    session_id: str,
    response: dict[str, Any] | None = None,
) -> None:
    """Record a key in the caller's transaction (which holds the organization's lock)."""
    await forget(db, org_id=org_id, key=key)  # a stale in-flight record being taken over
    db.add(
        IdempotencyKey(
            org_id=org_id,
            key=key,
            request_hash=request_hash,
            session_id=session_id,
            response=response,
            created_at=utcnow(),
        )
    )
    await db.flush()


async def complete(db: AsyncSession, *, org_id: str, key: str, response: dict[str, Any]) -> None:
    await db.execute(
        update(IdempotencyKey)
        .where(IdempotencyKey.org_id == org_id, IdempotencyKey.key == key)
        .values(response=response)
    )


async def forget(db: AsyncSession, *, org_id: str, key: str) -> None:
    await db.execute(
        delete(IdempotencyKey).where(IdempotencyKey.org_id == org_id, IdempotencyKey.key == key)
    )


async def purge_expired(db: AsyncSession, *, now: datetime | None = None) -> int:
    result = await db.execute(
        delete(IdempotencyKey)
        .where(IdempotencyKey.created_at < (now or utcnow()) - KEEP_FOR)
        .returning(IdempotencyKey.key)
    )
    return len(result.all())

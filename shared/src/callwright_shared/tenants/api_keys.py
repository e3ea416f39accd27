"""API keys: `cw_<prefix>_<secret>`, shown once, stored as a SHA-256 hash.

The prefix (`cw_<8 hex>`) is visible and non-secret: it finds the row; the hash of the
whole key is then compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from callwright_shared.db.models import ApiKey, User, utcnow
from callwright_shared.errors import AuthenticationError, ConflictError, NotFoundError
from callwright_shared.ids import new_key_id

_KEY_FORMAT = re.compile(r"(cw_[0-9a-f]{8})_([A-Za-z0-9_-]{43})")
_MINT_ATTEMPTS = 5
# last_used_at is a hint, not an audit log: write it at most this often per key.
_LAST_USED_RESOLUTION = timedelta(seconds=60)


@dataclass(frozen=True, slots=True)
class ApiKeyContext:
    """Who is calling: the key's organization and user."""

    key_id: str
    org_id: str
    user_id: str


@dataclass(frozen=True, slots=True)
class MintedKey:
    key_id: str
    api_key: str


def hash_key(api_key: str) -> str:
    return hashlib.sha256(api_key.encode()).hexdigest()


def new_prefix() -> str:
    return f"cw_{secrets.token_hex(4)}"


async def mint_key(
    db: AsyncSession,
    *,
    org_id: str,
    user_id: str,
    prefixes: Callable[[], str] = new_prefix,
) -> MintedKey:
    """Mint a key; `prefixes` makes its visible prefix (a test can make it collide).

    The prefix is 32 random bits under a unique constraint, so collisions happen (about
    1 % at 10 k keys): each insert runs in a savepoint, and a taken prefix is retried
    with a fresh one, keeping the short `cw_<8 hex>` format.
    """
    user = await db.get(User, (org_id, user_id))
    if user is None:
        raise NotFoundError("User not found in this organization.")
    for _ in range(_MINT_ATTEMPTS):
        prefix = prefixes()
        api_key = f"{prefix}_{secrets.token_urlsafe(32)}"
        key = ApiKey(
            id=new_key_id(),
            prefix=prefix,
            secret_hash=hash_key(api_key),
            org_id=org_id,
            user_id=user_id,
        )
        try:
            async with db.begin_nested():
                db.add(key)
        except IntegrityError:
            if await _prefix_taken(db, prefix):
                continue
            raise
        return MintedKey(key_id=key.id, api_key=api_key)
    raise ConflictError("Could not mint a key with a unique prefix; try again.")


async def _prefix_taken(db: AsyncSession, prefix: str) -> bool:
    return (await db.execute(select(ApiKey.id).where(ApiKey.prefix == prefix))).first() is not None


async def revoke_key(db: AsyncSession, key_id: str) -> None:
    result = await db.execute(
        update(ApiKey)
        .where(ApiKey.id == key_id, ApiKey.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .returning(ApiKey.id)
    )
    if result.one_or_none() is None and await db.get(ApiKey, key_id) is None:
        raise NotFoundError("API key not found.")


async def authenticate(
    db: AsyncSession, api_key: str | None, *, now: datetime
) -> tuple[ApiKeyContext, bool]:
    """Resolve a presented key, or raise AuthenticationError. Touches last_used_at (at
    most once a minute) and says whether it did, so the caller commits only then."""
    match = _KEY_FORMAT.fullmatch(api_key or "")
    if match is None:
        raise AuthenticationError("Missing or malformed API key (send it as X-API-Key).")
    row = (
        await db.execute(select(ApiKey).where(ApiKey.prefix == match.group(1)))
    ).scalar_one_or_none()
    presented = hash_key(match.group(0))
    stored = row.secret_hash if row is not None else "0" * 64
    if not hmac.compare_digest(presented, stored) or row is None:
        raise AuthenticationError("Invalid API key.")
    if row.revoked_at is not None:
        raise AuthenticationError("This API key has been revoked.")
    touched = row.last_used_at is None or now - row.last_used_at >= _LAST_USED_RESOLUTION
    if touched:
        await db.execute(update(ApiKey).where(ApiKey.id == row.id).values(last_used_at=now))
    return ApiKeyContext(key_id=row.id, org_id=row.org_id, user_id=row.user_id), touched

"""API keys: `cw_<prefix>_<secret>`, shown once, stored as a SHA-256 hash.

The prefix (`cw_<8 hex>`) is visible and non-secret: it finds the row; the hash of the
whole key is then compared in constant time.

A key has a scope: `full` (every tenant route) or `sessions` (create and end sessions,
refresh their tokens, send chat messages: what a backend proxy needs). The issuer enforces
it in its one authentication dependency (callwright_issuer.http.deps); no key mints a
wider one.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, get_args

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from callwright_shared.db.models import ApiKey, Organization, User, utcnow
from callwright_shared.errors import (
    AuthenticationError,
    ConflictError,
    InsufficientScopeError,
    InvalidRequestError,
    NotFoundError,
    OrganizationSuspendedError,
)
from callwright_shared.ids import new_key_id

_KEY_FORMAT = re.compile(r"(cw_[0-9a-f]{8})_([A-Za-z0-9_-]{43})")
_MINT_ATTEMPTS = 5
# last_used_at is a hint, not an audit log: write it at most this often per key.
_LAST_USED_RESOLUTION = timedelta(seconds=60)

Scope = Literal["full", "sessions"]
SCOPES: tuple[Scope, ...] = get_args(Scope)
# Each scope with what it may do; a wider scope is a superset of a narrower one.
_WIDTH: dict[str, int] = {"sessions": 1, "full": 2}


def check_scope(scope: str, *, minted_by: str | None = None) -> Scope:
    """A valid scope no wider than `minted_by`'s (None: the operator, who may mint any)."""
    if scope not in SCOPES:
        raise InvalidRequestError(f"scope: must be one of {', '.join(SCOPES)}", param="scope")
    if minted_by is not None and _WIDTH[scope] > _WIDTH.get(minted_by, 0):
        raise InsufficientScopeError(
            f"A '{minted_by}' key cannot create a key of the wider scope '{scope}'.",
            param="scope",
        )
    return scope


@dataclass(frozen=True, slots=True)
class ApiKeyContext:
    """Who is calling: the key's organization and user."""

    key_id: str
    org_id: str
    user_id: str
    scope: str = "full"


@dataclass(frozen=True, slots=True)
class MintedKey:
    key_id: str
    api_key: str
    scope: str = "full"
    prefix: str = ""


def hash_key(api_key: str) -> str:
    return hashlib.sha256(api_key.encode()).hexdigest()


def new_prefix() -> str:
    return f"cw_{secrets.token_hex(4)}"


async def mint_key(
    db: AsyncSession,
    *,
    org_id: str,
    user_id: str,
    scope: str = "full",
    minted_by: str | None = None,
    prefixes: Callable[[], str] = new_prefix,
) -> MintedKey:
    """Mint a key; `prefixes` makes its visible prefix (a test can make it collide).

    The prefix is 32 random bits under a unique constraint, so collisions happen (about
    1 % at 10 k keys): each insert runs in a savepoint, and a taken prefix is retried
    with a fresh one, keeping the short `cw_<8 hex>` format. `minted_by` is the scope of
    the tenant key asking (None: the operator); no key mints a wider one.
    """
    scope = check_scope(scope, minted_by=minted_by)
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
            scope=scope,
        )
        try:
            async with db.begin_nested():
                db.add(key)
        except IntegrityError:
            if await _prefix_taken(db, prefix):
                continue
            raise
        return MintedKey(key_id=key.id, api_key=api_key, scope=scope, prefix=prefix)
    raise ConflictError("Could not mint a key with a unique prefix; try again.")


async def _prefix_taken(db: AsyncSession, prefix: str) -> bool:
    return (await db.execute(select(ApiKey.id).where(ApiKey.prefix == prefix))).first() is not None


async def revoke_key(db: AsyncSession, key_id: str, *, org_id: str | None = None) -> ApiKey:
    """Revoke a key (idempotent); `org_id` limits it to that organization's keys (another
    organization's key is 404, as if it did not exist)."""
    await db.execute(
        update(ApiKey)
        .where(
            ApiKey.id == key_id,
            ApiKey.revoked_at.is_(None),
            *([ApiKey.org_id == org_id] if org_id is not None else []),
        )
        .values(revoked_at=utcnow())
    )
    row = await db.get(ApiKey, key_id, populate_existing=True)
    if row is None or (org_id is not None and row.org_id != org_id):
        raise NotFoundError("API key not found.", param="key_id")
    return row


async def get_key(db: AsyncSession, key_id: str, *, org_id: str) -> ApiKey:
    row = await db.get(ApiKey, key_id)
    if row is None or row.org_id != org_id:
        raise NotFoundError("API key not found.", param="starting_after")
    return row


async def authenticate(
    db: AsyncSession, api_key: str | None, *, now: datetime
) -> tuple[ApiKeyContext, bool]:
    """Resolve a presented key, or raise AuthenticationError. Touches last_used_at (at
    most once a minute) and says whether it did, so the caller commits only then."""
    match = _KEY_FORMAT.fullmatch(api_key or "")
    if match is None:
        raise AuthenticationError("Missing or malformed API key (send it as X-API-Key).")
    found = (
        await db.execute(
            select(ApiKey, Organization.suspended_at)
            .join(Organization, Organization.id == ApiKey.org_id)
            .where(ApiKey.prefix == match.group(1))
        )
    ).one_or_none()
    row, suspended_at = (found[0], found[1]) if found is not None else (None, None)
    presented = hash_key(match.group(0))
    stored = row.secret_hash if row is not None else "0" * 64
    if not hmac.compare_digest(presented, stored) or row is None:
        raise AuthenticationError("Invalid API key.")
    if row.revoked_at is not None:
        raise AuthenticationError("This API key has been revoked.")
    if suspended_at is not None:
        raise OrganizationSuspendedError(
            "This organization is suspended; ask the operator of this deployment."
        )
    touched = row.last_used_at is None or now - row.last_used_at >= _LAST_USED_RESOLUTION
    if touched:
        await db.execute(update(ApiKey).where(ApiKey.id == row.id).values(last_used_at=now))
    context = ApiKeyContext(key_id=row.id, org_id=row.org_id, user_id=row.user_id, scope=row.scope)
    return context, touched

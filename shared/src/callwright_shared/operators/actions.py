"""Each operator action, once: `callwright admin` (src/callwright/admin.py) and the
operator API (callwright_issuer.routes.admin) both call these, and each records itself
in the audit log (`actor`). They run in the caller's transaction; the caller commits.
Each answers a JSON object (what the CLI prints and the API returns), never a secret
except the one the action exists to show (a new key, the tool signing secret).
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from callwright_shared.agents import definitions as agents
from callwright_shared.agents.definitions import AgentSpec
from callwright_shared.billing import credits, pricing
from callwright_shared.billing.pricing import PRICE_FIELDS, PriceOverride
from callwright_shared.db.models import ApiKey, Organization, utcnow
from callwright_shared.db.pagination import newest_first
from callwright_shared.errors import InvalidRequestError, NotFoundError
from callwright_shared.operators import audit
from callwright_shared.operators.audit import Actor
from callwright_shared.tenants import api_keys, organizations
from callwright_shared.tools.checks import check_tools
from callwright_shared.tools.signing_secret import rotate_signing_secret, signing_secret_of

MAX_REFERENCE = 200


def org_view(org: Organization) -> dict[str, Any]:
    return {
        "id": org.id,
        "name": org.name,
        "balance": org.balance,
        "held": org.held,
        "available": org.balance - org.held,
        "max_concurrent_sessions": org.max_concurrent_sessions,
        "credits_per_minute": org.credits_per_minute,
        "credits_per_message": org.credits_per_message,
        "credits_per_analysis": org.credits_per_analysis,
        "suspended": org.suspended_at is not None,
        "suspended_at": org.suspended_at,
        "created_at": org.created_at,
    }


def key_view(key: ApiKey) -> dict[str, Any]:
    return {
        "id": key.id,
        "prefix": key.prefix,
        "org_id": key.org_id,
        "user_id": key.user_id,
        "scope": key.scope,
        "created_at": key.created_at,
        "last_used_at": key.last_used_at,
        "revoked_at": key.revoked_at,
    }


async def create_org(db: AsyncSession, *, name: str, actor: Actor) -> dict[str, Any]:
    org = await organizations.create_org(db, name=name)
    audit.record(db, actor, "organization.create", org_id=org.id, details={"name": org.name})
    return {"org_id": org.id}


async def get_org(db: AsyncSession, org_id: str) -> dict[str, Any]:
    org = await organizations.get_org(db, org_id)
    await db.refresh(org)
    return org_view(org)


async def list_orgs(
    db: AsyncSession, *, limit: int, starting_after: str | None
) -> tuple[list[Organization], bool]:
    cursor = None
    if starting_after is not None:
        cursor = await db.get(Organization, starting_after)
        if cursor is None:
            raise NotFoundError(f"No organization '{starting_after[:64]}'.", param="starting_after")
    return await newest_first(db, select(Organization), Organization, cursor=cursor, limit=limit)


async def set_suspended(
    db: AsyncSession, org_id: str, *, suspended: bool, actor: Actor
) -> Organization:
    """Suspend (its keys get 403 from now on) or reinstate an organization. Ending its
    live calls is the caller's (the issuer's End Session path), after this commits."""
    org = await organizations.get_org(db, org_id)
    if suspended and org.suspended_at is None:
        org.suspended_at = utcnow()
    elif not suspended:
        org.suspended_at = None
    audit.record(
        db, actor, "organization.suspend" if suspended else "organization.reinstate", org_id=org_id
    )
    await db.flush()
    return org


async def create_user(
    db: AsyncSession, *, org_id: str, user_id: str, actor: Actor
) -> dict[str, Any]:
    user = await organizations.create_user(db, org_id=org_id, user_id=user_id)
    audit.record(db, actor, "user.create", org_id=org_id, target=user.user_id)
    return {"org_id": org_id, "user_id": user.user_id}


async def create_key(
    db: AsyncSession, *, org_id: str, user_id: str, scope: str = "full", actor: Actor
) -> dict[str, Any]:
    """A key for any organization, of any scope; its secret is in this answer only."""
    await organizations.get_org(db, org_id)
    minted = await api_keys.mint_key(db, org_id=org_id, user_id=user_id, scope=scope)
    audit.record(
        db,
        actor,
        "api_key.create",
        org_id=org_id,
        target=minted.key_id,
        details={"user_id": user_id, "scope": minted.scope, "prefix": minted.prefix},
    )
    return {
        "key_id": minted.key_id,
        "api_key": minted.api_key,
        "org_id": org_id,
        "user_id": user_id,
        "scope": minted.scope,
    }


async def list_keys(
    db: AsyncSession, *, org_id: str, limit: int, starting_after: str | None
) -> tuple[list[ApiKey], bool]:
    cursor = (
        await api_keys.get_key(db, starting_after, org_id=org_id)
        if starting_after is not None
        else None
    )
    query = select(ApiKey).where(ApiKey.org_id == org_id)
    return await newest_first(db, query, ApiKey, cursor=cursor, limit=limit)


async def revoke_key(db: AsyncSession, *, key_id: str, actor: Actor) -> dict[str, Any]:
    key = await api_keys.revoke_key(db, key_id)
    audit.record(db, actor, "api_key.revoke", org_id=key.org_id, target=key_id)
    return {"key_id": key_id, "revoked": True}


async def add_credits(
    db: AsyncSession, *, org_id: str, amount: int, reference: str | None = None, actor: Actor
) -> dict[str, Any]:
    """A credit grant; with `reference`, the same reference again is the same grant
    (`created` false, nothing added)."""
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise InvalidRequestError("amount: must be a positive integer", param="amount")
    if reference is not None and not 1 <= len(reference) <= MAX_REFERENCE:
        raise InvalidRequestError(
            f"reference: must be 1 to {MAX_REFERENCE} characters", param="reference"
        )
    await organizations.get_org(db, org_id)
    created = True
    entry_id: int | None = None
    if reference is None:
        balance = await credits.grant(db, org_id, amount)
    else:
        entry, created = await credits.grant_once(db, org_id, amount, reference=reference)
        entry_id = entry.id
        balance = await credits.read_balance(db, org_id)
    if created:
        audit.record(
            db,
            actor,
            "credits.grant",
            org_id=org_id,
            target=reference,
            details={"amount": amount, "reference": reference},
        )
    return {
        "org_id": org_id,
        "amount": amount,
        "reference": reference,
        "ledger_entry_id": entry_id,
        "created": created,
        "balance": balance.balance,
    }


async def create_agent(
    db: AsyncSession, *, org_id: str, fields: dict[str, Any], actor: Actor
) -> dict[str, Any]:
    """An agent for the organization; `fields` may carry the agent's prices (the
    operator's per-agent override), never a tenant's."""
    fields = dict(fields)
    prices = PriceOverride(
        **{field: fields.pop(field) for field in PRICE_FIELDS if field in fields}
    )
    try:
        spec = AgentSpec.model_validate(fields)
    except ValidationError as exc:
        raise InvalidRequestError.from_validation(exc.errors()) from None
    await organizations.get_org(db, org_id)
    # The operator's own agent: its tool URLs may be private (still checked when sent).
    check_tools(
        spec.tools,
        gemini=spec.architecture == "realtime"
        and spec.realtime is not None
        and spec.realtime.provider in ("gemini", "google"),
        allow_private=True,
    )
    agent = await agents.create_agent(db, org_id=org_id, spec=spec)
    if prices != PriceOverride():
        await pricing.set_price(db, org_id=org_id, agent_id=agent.id, prices=prices)
    audit.record(
        db, actor, "agent.create", org_id=org_id, target=agent.id, details={"name": spec.name}
    )
    return {"agent_id": agent.id}


async def set_price(
    db: AsyncSession,
    *,
    org_id: str,
    agent_id: str | None,
    prices: PriceOverride,
    clear: bool = False,
    actor: Actor,
) -> dict[str, Any]:
    scope_prices = await pricing.set_price(
        db, org_id=org_id, agent_id=agent_id, prices=prices, clear=clear
    )
    scope = {"org_id": org_id} | ({"agent_id": agent_id} if agent_id else {})
    # None: this scope inherits (the organization's price, or the default of settings).
    answer = scope | {
        "credits_per_minute": scope_prices.credits_per_minute,
        "credits_per_message": scope_prices.credits_per_message,
        "credits_per_analysis": scope_prices.credits_per_analysis,
    }
    audit.record(db, actor, "price.set", org_id=org_id, target=agent_id, details=answer)
    return answer


async def set_concurrency(
    db: AsyncSession, *, org_id: str, limit: int | None, actor: Actor
) -> dict[str, Any]:
    """The organization's limit of open sessions; None (or 0 from the CLI): the default."""
    if limit is not None and (isinstance(limit, bool) or limit < 0):
        raise InvalidRequestError(
            "max_concurrent_sessions: must be a positive integer or null",
            param="max_concurrent_sessions",
        )
    limit = limit or None
    await organizations.set_concurrency_limit(db, org_id, limit)
    audit.record(
        db, actor, "concurrency.set", org_id=org_id, details={"max_concurrent_sessions": limit}
    )
    return {"org_id": org_id, "max_concurrent_sessions": limit}


async def tool_secret(
    db: AsyncSession, *, org_id: str, rotate: bool, actor: Actor
) -> dict[str, Any]:
    secret = await (rotate_signing_secret if rotate else signing_secret_of)(db, org_id)
    audit.record(db, actor, "tool_secret.rotate" if rotate else "tool_secret.read", org_id=org_id)
    return {"org_id": org_id, "tool_signing_secret": secret}

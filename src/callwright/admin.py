"""The operator's admin commands, each one transaction, each answering a JSON object."""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from callwright_shared.agents import definitions as agents
from callwright_shared.agents.definitions import AgentSpec
from callwright_shared.billing import credits, pricing
from callwright_shared.billing.pricing import PRICE_FIELDS, PriceOverride
from callwright_shared.db.engine import create_engine, create_session_factory
from callwright_shared.errors import InvalidRequestError
from callwright_shared.settings import CallwrightSettings
from callwright_shared.tenants import api_keys, organizations
from callwright_shared.tools.checks import check_tools
from callwright_shared.tools.signing_secret import rotate_signing_secret, signing_secret_of


def _read_config_file(path: str | None) -> dict[str, Any]:
    if not path:
        return {}
    try:
        fields = json.loads(Path(path).read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise InvalidRequestError(f"cannot read --config-file: {exc}") from None
    if not isinstance(fields, dict):
        raise InvalidRequestError("--config-file must hold one JSON object")
    return fields


async def _create_agent(db: AsyncSession, args: argparse.Namespace) -> dict[str, Any]:
    fields = {**_read_config_file(args.config_file), "name": args.name}
    # The operator's config file may carry the agent's prices: its per-agent override.
    prices = PriceOverride(
        **{field: fields.pop(field) for field in PRICE_FIELDS if field in fields}
    )
    try:
        spec = AgentSpec.model_validate({**fields, "architecture": args.architecture})
    except ValidationError as exc:
        raise InvalidRequestError.from_validation(exc.errors()) from None
    await organizations.get_org(db, args.org)
    # The operator's own agent: its tool URLs may be private (still checked when sent).
    check_tools(
        spec.tools,
        gemini=spec.architecture == "realtime" and spec.realtime.provider in ("gemini", "google"),
        allow_private=True,
    )
    agent = await agents.create_agent(db, org_id=args.org, spec=spec)
    if prices != PriceOverride():
        await pricing.set_price(db, org_id=args.org, agent_id=agent.id, prices=prices)
    return {"agent_id": agent.id}


async def _set_price(db: AsyncSession, args: argparse.Namespace) -> dict[str, Any]:
    prices = await pricing.set_price(
        db,
        org_id=args.org,
        agent_id=args.agent,
        prices=PriceOverride(args.credits_per_minute, args.credits_per_message),
        clear=args.clear,
    )
    scope = {"org_id": args.org} | ({"agent_id": args.agent} if args.agent else {})
    # None: this scope inherits (the organization's price, or the default of settings).
    return scope | {
        "credits_per_minute": prices.credits_per_minute,
        "credits_per_message": prices.credits_per_message,
    }


async def _dispatch(db: AsyncSession, args: argparse.Namespace) -> dict[str, Any]:
    match args.admin_command:
        case "create-org":
            return {"org_id": (await organizations.create_org(db, name=args.name)).id}
        case "create-user":
            user = await organizations.create_user(db, org_id=args.org, user_id=args.user_id)
            return {"user_id": user.user_id}
        case "create-key":
            minted = await api_keys.mint_key(db, org_id=args.org, user_id=args.user)
            return {"key_id": minted.key_id, "api_key": minted.api_key}
        case "revoke-key":
            await api_keys.revoke_key(db, args.key_id)
            return {"key_id": args.key_id, "revoked": True}
        case "add-credits":
            if args.amount <= 0:
                raise InvalidRequestError("--amount must be a positive integer", param="amount")
            await organizations.get_org(db, args.org)
            balance = await credits.grant(db, args.org, args.amount)
            return {"org_id": args.org, "balance": balance.balance}
        case "create-agent":
            return await _create_agent(db, args)
        case "set-price":
            return await _set_price(db, args)
        case "set-concurrency":
            limit = args.max if args.max > 0 else None
            await organizations.set_concurrency_limit(db, args.org, limit)
            return {"org_id": args.org, "max_concurrent_sessions": limit}
        case "tool-secret":
            secret = await (rotate_signing_secret if args.rotate else signing_secret_of)(
                db, args.org
            )
            return {"org_id": args.org, "tool_signing_secret": secret}
    raise InvalidRequestError(f"unknown admin command {args.admin_command}")


async def _run(args: argparse.Namespace, settings: CallwrightSettings) -> dict[str, Any]:
    engine = create_engine(settings.database_url)
    try:
        async with create_session_factory(engine)() as db:
            result = await _dispatch(db, args)
            await db.commit()
            return result
    finally:
        await engine.dispose()


def run_admin(
    args: argparse.Namespace, settings: CallwrightSettings | None = None
) -> dict[str, Any]:
    return asyncio.run(_run(args, settings or CallwrightSettings()))

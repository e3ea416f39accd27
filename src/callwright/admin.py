"""The operator's admin commands, each one transaction, each answering a JSON object."""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from callwright_shared.billing.pricing import PriceOverride
from callwright_shared.db.engine import create_engine, create_session_factory
from callwright_shared.errors import InvalidRequestError
from callwright_shared.operators import actions
from callwright_shared.settings import CallwrightSettings


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


async def _dispatch(db: AsyncSession, args: argparse.Namespace) -> dict[str, Any]:
    """The operator's actions (callwright_shared.operators.actions), as the operator
    API runs them; each is in the audit log as `cli`."""
    match args.admin_command:
        case "create-org":
            return await actions.create_org(db, name=args.name, actor="cli")
        case "create-user":
            return await actions.create_user(db, org_id=args.org, user_id=args.user_id, actor="cli")
        case "create-key":
            return await actions.create_key(
                db, org_id=args.org, user_id=args.user, scope=args.scope, actor="cli"
            )
        case "revoke-key":
            return await actions.revoke_key(db, key_id=args.key_id, actor="cli")
        case "add-credits":
            return await actions.add_credits(
                db, org_id=args.org, amount=args.amount, reference=args.reference, actor="cli"
            )
        case "create-agent":
            fields = {
                **_read_config_file(args.config_file),
                "name": args.name,
                "architecture": args.architecture,
            }
            return await actions.create_agent(db, org_id=args.org, fields=fields, actor="cli")
        case "set-price":
            return await actions.set_price(
                db,
                org_id=args.org,
                agent_id=args.agent,
                prices=PriceOverride(
                    args.credits_per_minute, args.credits_per_message, args.credits_per_analysis
                ),
                clear=args.clear,
                actor="cli",
            )
        case "set-concurrency":
            limit = args.max if args.max > 0 else None
            return await actions.set_concurrency(db, org_id=args.org, limit=limit, actor="cli")
        case "tool-secret":
            return await actions.tool_secret(db, org_id=args.org, rotate=args.rotate, actor="cli")
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

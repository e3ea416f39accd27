"""What a test stands on in the database: issuer settings for a test, and a seeded
organization with its user, key and agent."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from callwright_devstack.services.livekit_server import LiveKitServer
from callwright_shared.agents import definitions as agents
from callwright_shared.agents.definitions import AgentSpec
from callwright_shared.billing import credits, pricing
from callwright_shared.billing.pricing import PRICE_FIELDS, PriceOverride
from callwright_shared.db.engine import create_engine, create_session_factory
from callwright_shared.settings import CallwrightSettings
from callwright_shared.tenants import api_keys, organizations


def make_settings(
    database_url: str, livekit: LiveKitServer | None, **overrides: object
) -> CallwrightSettings:
    values: dict[str, object] = {
        "environment": "test",
        "database_url": database_url,
        "livekit_url": livekit.url if livekit else "ws://127.0.0.1:9",
        "livekit_api_key": livekit.api_key if livekit else "devkey",
        "livekit_api_secret": livekit.api_secret if livekit else "x" * 40,
        **overrides,
    }
    # model_validate, not the constructor: tests never read the developer's env or .env.
    return CallwrightSettings.model_validate(values)


@dataclass
class Tenant:
    """A seeded organization with one user, one key and one pipeline agent."""

    org_id: str
    user_id: str
    api_key: str
    key_id: str
    agent_id: str

    @property
    def headers(self) -> dict[str, str]:
        return {"X-API-Key": self.api_key}


async def seed_tenant(
    database_url: str,
    *,
    credits_amount: int = 1000,
    user_id: str = "user_1",
    agent: dict[str, object] | None = None,
) -> Tenant:
    """An organization, a user, a key and an agent; `agent` may name the agent's prices
    (`credits_per_minute`, `credits_per_message`), set through the operator's path."""
    engine = create_engine(database_url)
    try:
        async with create_session_factory(engine)() as db:
            org = await organizations.create_org(db, name="Acme")
            await organizations.create_user(db, org_id=org.id, user_id=user_id)
            minted = await api_keys.mint_key(db, org_id=org.id, user_id=user_id)
            fields: dict[str, Any] = {
                "name": "Support",
                "architecture": "pipeline",
                **(agent or {}),
            }
            # Prices are the operator's: set as the agent's override, as `admin set-price`
            # does, never through the agent's (tenant) fields.
            prices = PriceOverride(
                **{field: fields.pop(field) for field in PRICE_FIELDS if field in fields}
            )
            row = await agents.create_agent(
                db, org_id=org.id, spec=AgentSpec.model_validate(fields)
            )
            if prices != PriceOverride():
                await pricing.set_price(db, org_id=org.id, agent_id=row.id, prices=prices)
            if credits_amount:
                await credits.grant(db, org.id, credits_amount)
            await db.commit()
            return Tenant(org.id, user_id, minted.api_key, minted.key_id, row.id)
    finally:
        await engine.dispose()

"""Prices: the operator's, never the tenant's. The one resolution rule lives here.

    per-agent price (admin set-price --org O --agent A)      if set, else
    per-organization price (admin set-price --org O)         if set, else
    the default of settings, by architecture:
        pipeline minute  CALLWRIGHT_PRICE_PIPELINE_CREDITS_PER_MINUTE
        realtime minute  CALLWRIGHT_PRICE_REALTIME_CREDITS_PER_MINUTE
        chat message     CALLWRIGHT_PRICE_CHAT_CREDITS_PER_MESSAGE
        analysis         CALLWRIGHT_PRICE_ANALYSIS_CREDITS (any architecture)

A voice minute resolved from the organization's price or the default adds the surcharges
the operator's providers file puts on the agent's models and voices
(callwright_shared.agents.surcharges); an agent's own minute price is the final word
([decision](decisions.md#minute-surcharges)).

Each of the prices (a voice minute, a chat message, a post-call analysis) resolves on its
own. The analysis price is resolved when the analysis holds it (`analysis_price`), not
snapshotted with the session. A price of 0
exists only where an operator set one. Sessions snapshot the resolved price when they are
created, so a later change never reprices a running session. The API shows a price only
where the architecture has it (`shown`): a text agent has no minute, a realtime agent no
message.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from callwright_shared.db.models import Agent, Architecture, Organization
from callwright_shared.errors import AgentNotFoundError, InvalidRequestError
from callwright_shared.settings import PricingSettings
from callwright_shared.tenants.organizations import get_org, live_agent

MAX_PRICE = 1_000_000
PRICE_FIELDS = ("credits_per_minute", "credits_per_message", "credits_per_analysis")
_VOICE = (Architecture.PIPELINE, Architecture.REALTIME)
_CHAT = (Architecture.PIPELINE, Architecture.TEXT)


@dataclass(frozen=True, slots=True)
class PriceOverride:
    """Prices one scope (an organization or an agent) sets; None = inherit."""

    credits_per_minute: int | None = None
    credits_per_message: int | None = None
    credits_per_analysis: int | None = None


@dataclass(frozen=True, slots=True)
class Price:
    """The effective prices of an agent."""

    credits_per_minute: int
    credits_per_message: int

    def shown(self, architecture: Architecture) -> PriceOverride:
        """The prices the agent's architecture has; None for the other."""
        return PriceOverride(
            self.credits_per_minute if architecture in _VOICE else None,
            self.credits_per_message if architecture in _CHAT else None,
        )


def resolve(
    architecture: Architecture,
    *,
    agent: PriceOverride,
    org: PriceOverride,
    settings: PricingSettings,
    surcharge: int = 0,
) -> Price:
    """Agent override > organization price > default of settings; `surcharge` (credits
    per minute for the agent's models and voices) is added to the last two only."""
    default_minute = (
        settings.price_realtime_credits_per_minute
        if architecture is Architecture.REALTIME
        else settings.price_pipeline_credits_per_minute
    )
    return Price(
        credits_per_minute=(
            agent.credits_per_minute
            if agent.credits_per_minute is not None
            else _first(org.credits_per_minute, default_minute) + surcharge
        ),
        credits_per_message=_first(
            agent.credits_per_message,
            org.credits_per_message,
            settings.price_chat_credits_per_message,
        ),
    )


def _first(*prices: int | None) -> int:
    return next(price for price in prices if price is not None)


def override_of(row: Agent | Organization) -> PriceOverride:
    return PriceOverride(row.credits_per_minute, row.credits_per_message, row.credits_per_analysis)


async def org_override(db: AsyncSession, org_id: str) -> PriceOverride:
    row = (
        await db.execute(
            select(
                Organization.credits_per_minute,
                Organization.credits_per_message,
                Organization.credits_per_analysis,
            ).where(Organization.id == org_id)
        )
    ).one_or_none()
    return PriceOverride() if row is None else PriceOverride(*row)


async def price_of(
    db: AsyncSession, agent: Agent, settings: PricingSettings, *, surcharge: int = 0
) -> Price:
    """The agent's effective prices (what a new session snapshots); `surcharge` as in
    `resolve` (callwright_shared.agents.surcharges computes it)."""
    return resolve(
        agent.architecture,
        agent=override_of(agent),
        org=await org_override(db, agent.org_id),
        settings=settings,
        surcharge=surcharge,
    )


async def analysis_price(
    db: AsyncSession, *, org_id: str, agent_id: str | None, default: int
) -> int:
    """What one analysis of the agent's session costs: the agent's price, else the
    organization's, else `default` (CALLWRIGHT_PRICE_ANALYSIS_CREDITS). A deleted agent's
    own price still applies: its sessions are analysed after it is gone."""
    agent_price = None
    if agent_id is not None:
        agent_price = (
            await db.execute(
                select(Agent.credits_per_analysis).where(
                    Agent.id == agent_id, Agent.org_id == org_id
                )
            )
        ).scalar_one_or_none()
    org = await org_override(db, org_id)
    return _first(agent_price, org.credits_per_analysis, default)


async def set_price(
    db: AsyncSession,
    *,
    org_id: str,
    agent_id: str | None,
    prices: PriceOverride,
    clear: bool = False,
) -> PriceOverride:
    """The operator sets (or with `clear`, removes, so they inherit again) a scope's prices.

    Only `callwright admin set-price` calls this: no tenant API can. Returns the scope's
    prices after the change.
    """
    given = {
        field: value
        for field, value in (
            ("credits_per_minute", prices.credits_per_minute),
            ("credits_per_message", prices.credits_per_message),
            ("credits_per_analysis", prices.credits_per_analysis),
        )
        if value is not None
    }
    for field, value in given.items():
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_PRICE:
            raise InvalidRequestError(
                f"{field}: must be an integer from 0 to {MAX_PRICE} credits", param=field
            )
    if not given and not clear:
        raise InvalidRequestError(
            "Give --credits-per-minute, --credits-per-message and/or"
            " --credits-per-analysis, or --clear."
        )
    values: dict[str, int | None] = dict.fromkeys(PRICE_FIELDS) if clear else {}
    values.update(given)
    row = await _scope(db, org_id=org_id, agent_id=agent_id)
    for field, price in values.items():
        setattr(row, field, price)
    await db.flush()
    return override_of(row)


async def _scope(db: AsyncSession, *, org_id: str, agent_id: str | None) -> Agent | Organization:
    org = await get_org(db, org_id)
    if agent_id is None:
        return org
    agent = await live_agent(db, org_id=org_id, agent_id=agent_id)
    if agent is None:
        raise AgentNotFoundError(
            f"No agent '{agent_id}' in organization '{org_id}'.", param="agent"
        )
    return agent

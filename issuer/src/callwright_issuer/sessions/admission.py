"""Admission of a new session, under the organization's lock: idempotency, then concurrency.

Both create calls (voice and chat) record their session inside `admitted`. It takes the
organization's write lock (`credits.lock`: the same statement can prereserve a voice call's
credits, and reads the concurrency limit) and, under it:

1. looks the request's `Idempotency-Key` up — a recorded request is replayed
   (`Replayed`), a conflicting one is 409 (callwright_shared.sessions.idempotency);
2. counts the organization's open sessions (`created` or `active`; a chat session past
   its `expires_at` no longer counts) against `max_concurrent_sessions` — the
   organization's own, else the deployment's CALLWRIGHT_DEFAULT_MAX_CONCURRENT_SESSIONS,
   so that no tenant can pin every worker's job slots — → 429 `concurrency_limit` with
   Retry-After.

The caller then holds credits and records the session (and the key, `remember`) in the
same transaction, so N concurrent creations can never exceed the limit, and one key can never
create two sessions. A slot frees as soon as a session is settled.

Before it, `agent_for` loads the agent a create call names and refuses one its kind of
session cannot run, and `plan_session` renders the request's variables and applies its
overrides (400 for any problem, so nothing is held for a session that could not run).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from callwright_issuer.schemas import SessionCreate
from callwright_shared.agents import definitions as agents
from callwright_shared.agents import surcharges
from callwright_shared.billing import credits, pricing
from callwright_shared.db.engine import org_write
from callwright_shared.db.models import Agent, SessionKind, utcnow
from callwright_shared.errors import (
    AgentArchitectureUnsupportedError,
    ConcurrencyLimitError,
    InvalidRequestError,
)
from callwright_shared.ids import new_session_id
from callwright_shared.sessions import config as session_config
from callwright_shared.sessions import idempotency
from callwright_shared.sessions import lifecycle as sessions
from callwright_shared.settings import IssuerSettings
from callwright_shared.tenants.api_keys import ApiKeyContext


@dataclass(frozen=True, slots=True)
class IdempotentRequest:
    key: str
    request_hash: str

    @classmethod
    def of(
        cls, key: str | None, *, endpoint: str, user_id: str, body: BaseModel
    ) -> IdempotentRequest | None:
        key = idempotency.validate_key(key)
        if key is None:
            return None
        request_hash = idempotency.fingerprint(
            endpoint=endpoint, user_id=user_id, body=body.model_dump(mode="json")
        )
        return cls(key=key, request_hash=request_hash)


# What a refusal of `agent_for` tells the client (agents.SESSION_ARCHITECTURES).
_NEEDS = {
    SessionKind.VOICE: "voice sessions need a pipeline or realtime agent "
    "(text agents use chat sessions)",
    SessionKind.CHAT: "chat sessions need an agent with an LLM (text or pipeline)",
}


async def agent_for(db: AsyncSession, *, org_id: str, agent_id: str, kind: SessionKind) -> Agent:
    """The organization's agent (404 otherwise), if a session of this kind can run it (400)."""
    agent = await agents.get_agent(db, org_id=org_id, agent_id=agent_id)
    if agent.architecture not in agents.SESSION_ARCHITECTURES[kind]:
        raise AgentArchitectureUnsupportedError(
            f"Agent '{agent.id}' is a {agent.architecture.value} agent; {_NEEDS[kind]}.",
            param="agent_id",
        )
    return agent


@dataclass(frozen=True, slots=True)
class Plan:
    """What a new session runs, as plain values: a rollback in its admission would
    expire the ORM agent."""

    session_id: str
    agent_id: str
    agent_name: str
    resolved: session_config.Resolved
    price: pricing.Price


async def plan_session(
    db: AsyncSession,
    *,
    key: ApiKeyContext,
    kind: SessionKind,
    body: SessionCreate,
    request: IdempotentRequest | None,
    settings: IssuerSettings,
) -> Plan:
    """The agent (404/400), the configuration the session runs (400) and its price;
    `Replayed` first when the request's key is recorded (a replay takes no lock and needs
    the agent no more; `admitted` checks again under the lock)."""
    await raise_if_recorded(db, org_id=key.org_id, request=request)
    agent = await agent_for(db, org_id=key.org_id, agent_id=body.agent_id, kind=kind)
    session_id = new_session_id()
    resolved = _resolve_config(
        agent,
        session_id=session_id,
        user_id=key.user_id,
        channel=kind,
        variables=body.variables,
        overrides=body.overrides,
        settings=settings,
    )
    return Plan(
        session_id=session_id,
        agent_id=agent.id,
        agent_name=agent.name,
        resolved=resolved,
        # What this session runs, overrides applied: a premium voice chosen per session
        # pays its surcharge too (docs/decisions.md#minute-surcharges).
        price=await surcharges.price_of(db, agent, settings, config=resolved.config),
    )


def _resolve_config(
    agent: Agent,
    *,
    session_id: str,
    user_id: str,
    channel: SessionKind,
    variables: dict[str, Any] | None,
    overrides: dict[str, Any] | None,
    settings: IssuerSettings,
) -> session_config.Resolved:
    """The configuration the new session runs; a voice override must be on offer too."""
    resolved = session_config.resolve(
        agents.config_of(agent),
        given=variables,
        overrides=overrides,
        session_id=session_id,
        agent_id=agent.id,
        agent_name=agent.name,
        user_id=user_id,
        channel=channel.value,
        now=utcnow(),
    )
    if overrides:
        try:
            agents.check_choices(
                resolved.config, agent.architecture.value, settings, fields=resolved.overrides
            )
        except InvalidRequestError as exc:
            raise InvalidRequestError(exc.message, param=f"overrides.{exc.param}") from None
    return resolved


ResponseT = TypeVar("ResponseT", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class Created(Generic[ResponseT]):
    """A create call's answer; `replayed` when it is a recorded request's answer again."""

    response: ResponseT
    replayed: bool = False


class Replayed(Exception):  # control flow, not an error a client sees
    """This request's `Idempotency-Key` already completed: answer `response` again. Raised
    inside `admitted`, it rolls back the transaction (and any prereservation) first."""

    def __init__(self, response: dict[str, Any]) -> None:
        super().__init__("replayed")
        self.response = response


async def raise_if_recorded(
    db: AsyncSession, *, org_id: str, request: IdempotentRequest | None
) -> None:
    """`Replayed` when this key's request completed already (409 when it differs or is
    still in flight)."""
    if request is None:
        return
    record = await idempotency.find(db, org_id=org_id, key=request.key)
    if record is None:
        return
    stored = idempotency.check_replayable(record, request_hash=request.request_hash)
    if stored is not None:
        raise Replayed(stored)


@contextlib.asynccontextmanager
async def admitted(
    db: AsyncSession,
    *,
    org_id: str,
    request: IdempotentRequest | None,
    default_limit: int,
    prereserve: credits.Prereservation | None = None,
) -> AsyncIterator[credits.OrgLock]:
    """The transaction of a creation (`org_write`): lock the organization, replay or
    refuse (409/429), then let the caller record the session under the lock.

    `prereserve` goes to the lock statement (`credits.lock`); a replay or a refusal rolls
    it back with the rest. `default_limit` (0: none) applies to an organization without a
    limit of its own. Commits when the block ends.
    """
    async with org_write(db):
        org_lock = await credits.lock(db, org_id, prereserve=prereserve)
        await raise_if_recorded(db, org_id=org_id, request=request)
        limit = org_lock.max_concurrent_sessions or default_limit
        if limit:
            await _check_concurrency(db, org_id, limit=limit, now=utcnow())
        yield org_lock


async def remember(
    db: AsyncSession,
    request: IdempotentRequest | None,
    *,
    org_id: str,
    session_id: str,
    response: dict[str, Any] | None = None,
) -> None:
    """Record the request's key with its session, inside `admitted` (no key: nothing)."""
    if request is not None:
        await idempotency.record(
            db,
            org_id=org_id,
            key=request.key,
            request_hash=request.request_hash,
            session_id=session_id,
            response=response,
        )


async def _check_concurrency(db: AsyncSession, org_id: str, *, limit: int, now: datetime) -> None:
    open_sessions = await sessions.count_open(db, org_id, now=now)
    if open_sessions >= limit:
        raise ConcurrencyLimitError(
            f"The organization has {open_sessions} open sessions, its limit of {limit}. "
            "End a session or retry later."
        )

"""The worker's view of the database: the call it was dispatched to, and how it ends.

Every write goes through the same shared functions the issuer uses, so the worker's
settlement is the one exactly-once settlement (`callwright_shared.sessions.lifecycle.settle`).
Transactions follow the rule of callwright_shared.db.engine: the settlement locks the
organization row (`credits.lock`), so it runs in `org_write`, queued on SQLite like the
issuer's holds; the other writes run in `session_factory.begin()`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import aiosqlite  # noqa: F401 - imported at prewarm, not on a job's first query
import asyncpg  # noqa: F401
from sqlalchemy.pool import NullPool

from callwright_shared.agents import surcharges
from callwright_shared.agents.definitions import AgentConfig, config_of
from callwright_shared.calls import heartbeats
from callwright_shared.db.engine import (
    create_engine,
    create_session_factory,
    is_sqlite,
    org_write,
)
from callwright_shared.db.models import Agent, Architecture, EndReason, SessionStatus
from callwright_shared.recordings.models import RecordingInfo
from callwright_shared.sessions import config as session_config
from callwright_shared.sessions import lifecycle as sessions
from callwright_shared.sessions import recordings
from callwright_shared.sessions.lifecycle import Settlement
from callwright_shared.settings import WorkerSettings
from callwright_shared.tenants.organizations import live_agent
from callwright_shared.tools.signing_secret import signing_secret_of


@dataclass(frozen=True, slots=True)
class CallRecord:
    session_id: str
    org_id: str
    user_id: str
    agent_id: str
    status: SessionStatus
    created_at: datetime
    max_duration_seconds: int
    limited_by_credits: bool
    credits_per_minute: int
    agent_name: str
    architecture: Architecture
    config: AgentConfig
    # The `metadata` of the Create Voice Session request, as stored (tools send it on).
    metadata: dict[str, Any] | None
    # The session's variable values (its configuration snapshot), for a transfer's target.
    variables: dict[str, Any] = field(default_factory=dict)
    # Which of them are secret (never handed to a transfer target that would show them).
    secrets: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class StoredAgent:
    agent_id: str
    name: str
    architecture: Architecture
    config: AgentConfig
    # Its price now (a transfer must not make a pricier agent run at the session's price).
    credits_per_minute: int


class CallStore:
    def __init__(self, database_url: str) -> None:
        # A job lives in its own process for minutes: no pool to keep warm across jobs.
        kwargs: dict[str, Any] = {} if is_sqlite(database_url) else {"poolclass": NullPool}
        self._engine = create_engine(database_url, **kwargs)
        self._sessions = create_session_factory(self._engine)

    async def load(self, room_name: str) -> CallRecord | None:
        async with self._sessions() as db:
            row = await sessions.get_session_by_room(db, room_name)
            if row is None:
                return None
            agent = await db.get(Agent, row.agent_id)
            if agent is None:
                return None
            return CallRecord(
                session_id=row.id,
                org_id=row.org_id,
                user_id=row.user_id,
                agent_id=row.agent_id,
                status=row.status,
                created_at=row.created_at,
                max_duration_seconds=row.max_duration_seconds,
                limited_by_credits=row.limited_by_credits,
                credits_per_minute=row.credits_per_minute,
                agent_name=agent.name,
                architecture=agent.architecture,
                # The snapshot taken at creation: an agent edited since changes nothing.
                config=session_config.stored_config(row.config) or config_of(agent),
                metadata=row.request_metadata,
                variables=dict((row.config or {}).get("variables") or {}),
                secrets=session_config.secrets_of(row.config),
            )

    async def agent_of(
        self, org_id: str, agent_id: str, *, settings: WorkerSettings
    ) -> StoredAgent | None:
        """A live agent of the organization (a transfer's target) and its price, or None."""
        async with self._sessions() as db:
            agent = await live_agent(db, org_id=org_id, agent_id=agent_id)
            if agent is None:
                return None
            price = await surcharges.price_of(db, agent, settings)
            return StoredAgent(
                agent.id,
                agent.name,
                agent.architecture,
                config_of(agent),
                credits_per_minute=price.credits_per_minute,
            )

    async def signing_secret(self, org_id: str) -> str:
        """The organization's tool signing secret (made on first use)."""
        async with self._sessions.begin() as db:
            return await signing_secret_of(db, org_id)

    async def claim(self, session_id: str, job_id: str, *, grace_seconds: float) -> bool:
        """Make this job the one that serves the session (callwright_shared.calls.heartbeats)."""
        async with self._sessions.begin() as db:
            return await heartbeats.claim(db, session_id, job_id, grace_seconds=grace_seconds)

    async def mark_active(self, session_id: str) -> None:
        async with self._sessions.begin() as db:
            await sessions.mark_active(db, session_id)

    async def heartbeat(
        self,
        session_id: str,
        agent_seconds: float,
        *,
        job_id: str,
        transcript: list[dict[str, Any]] | None = None,
    ) -> bool:
        """Record agent time (and the transcript) so far; False once another path has
        settled the session (or another job took it over)."""
        async with self._sessions.begin() as db:
            return await heartbeats.record_heartbeat(
                db, session_id, agent_seconds, job_id=job_id, transcript=transcript
            )

    async def set_away(self, session_id: str, *, since: datetime | None) -> None:
        async with self._sessions.begin() as db:
            await sessions.set_away(db, session_id, since=since)

    async def settle(
        self,
        session_id: str,
        *,
        end_reason: EndReason,
        agent_seconds: float,
        usage: dict[str, Any] | None,
        transcript: list[dict[str, Any]] | None,
        error_message: str | None = None,
        job_id: str,
    ) -> Settlement:
        async with self._sessions() as db, org_write(db):
            return await sessions.settle(
                db,
                session_id,
                end_reason=end_reason,
                agent_seconds=agent_seconds,
                usage=usage,
                transcript=transcript,
                error_message=error_message,
                job_id=job_id,
            )

    async def set_recording(
        self, session_id: str, info: RecordingInfo, *, announce: bool = False
    ) -> None:
        """The call's recording as it now stands; `announce`: queue its webhook."""
        async with self._sessions.begin() as db:
            await recordings.set_recording(db, session_id, info, announce=announce)

    async def aclose(self) -> None:
        await self._engine.dispose()

"""The worker's view of the database (CallStore) on SQLite and Postgres: the engine a job
process opens (a NullPool on Postgres), claims that make a second dispatch harmless,
heartbeats and settlement guarded by the claim."""

from __future__ import annotations

from datetime import timedelta

import pytest

from callwright_devstack.database import database, session_row
from callwright_devstack.tenants import seed_tenant
from callwright_shared.billing import credits
from callwright_shared.calls.room_names import format_room_name
from callwright_shared.db.models import EndReason, Session, SessionStatus, utcnow
from callwright_shared.ids import new_session_id
from callwright_shared.sessions import lifecycle as sessions
from callwright_worker.call_store import CallStore

pytestmark = pytest.mark.database


async def voice_session(url: str) -> tuple[str, str]:
    """A `created` voice session holding 10 credits, as Create Voice Session records it."""
    tenant = await seed_tenant(url, agent={"credits_per_minute": 6})
    session_id = new_session_id()
    room_name = format_room_name(tenant.agent_id, tenant.user_id, 1_700_000_000_000)
    hold = credits.Hold(amount=10, max_duration_seconds=100, limited_by_credits=False)
    async with database(url) as db:
        db.add(
            sessions.new_voice_session(
                session_id=session_id,
                org_id=tenant.org_id,
                user_id=tenant.user_id,
                agent_id=tenant.agent_id,
                room_name=room_name,
                hold=hold,
                credits_per_minute=6,
                metadata={"order": 42},
            )
        )
        await db.flush()
        org_lock = await credits.lock(db, tenant.org_id)
        await credits.hold(db, org_lock, session_id=session_id, amount=hold.amount)
    return session_id, room_name


async def test_a_job_loads_its_call_and_one_job_holds_it(database_url: str) -> None:
    session_id, room_name = await voice_session(database_url)
    store = CallStore(database_url)
    try:
        record = await store.load(room_name)
        assert record is not None
        assert (record.session_id, record.status) == (session_id, SessionStatus.CREATED)
        assert record.metadata == {"order": 42}  # the request's metadata, handed to the worker
        assert await store.claim(session_id, "AJ_first", grace_seconds=30)
        assert await store.claim(session_id, "AJ_first", grace_seconds=30)  # idempotent
        assert not await store.claim(session_id, "AJ_second", grace_seconds=30)
        # The claim is the first heartbeat: a live worker, even before any beat.
        assert (await session_row(database_url, session_id)).last_heartbeat_at is not None
        # A job that does not hold the session can neither beat nor settle it.
        assert not await store.heartbeat(session_id, 3.0, job_id="AJ_second")
        lost = await store.settle(
            session_id,
            end_reason=EndReason.USER_LEFT,
            agent_seconds=3.0,
            usage=None,
            transcript=None,
            job_id="AJ_second",
        )
        assert not lost.applied
        assert await store.heartbeat(session_id, 3.0, job_id="AJ_first", transcript=[])
        settled = await store.settle(
            session_id,
            end_reason=EndReason.USER_LEFT,
            agent_seconds=30.0,
            usage={"models": []},
            transcript=[],
            job_id="AJ_first",
        )
        assert (settled.applied, settled.credits_charged) == (True, 3)  # ceil(30 × 6 ÷ 60)
    finally:
        await store.aclose()


async def test_a_claim_whose_worker_stopped_beating_is_taken_over(database_url: str) -> None:
    session_id, _ = await voice_session(database_url)
    store = CallStore(database_url)
    try:
        assert await store.claim(session_id, "AJ_dead", grace_seconds=30)
        async with database(database_url) as db:
            row = await db.get(Session, session_id)
            assert row is not None
            row.last_heartbeat_at = utcnow() - timedelta(minutes=5)
        assert await store.claim(session_id, "AJ_new", grace_seconds=30)
        assert (await session_row(database_url, session_id)).job_id == "AJ_new"
        # The dead job, should it wake up, changes nothing.
        assert not await store.heartbeat(session_id, 9.0, job_id="AJ_dead")
    finally:
        await store.aclose()


async def test_end_session_s_reason_wins_whoever_settles(database_url: str) -> None:
    session_id, _ = await voice_session(database_url)
    async with database(database_url) as db:
        await sessions.request_end(db, session_id, EndReason.API_ENDED)
    async with database(database_url) as db:  # a webhook, say, settles it meanwhile
        await sessions.settle(db, session_id, end_reason=EndReason.USER_LEFT)
    assert (await session_row(database_url, session_id)).end_reason is EndReason.API_ENDED

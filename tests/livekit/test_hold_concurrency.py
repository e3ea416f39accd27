"""The credit ledger's invariants under concurrency, on SQLite and on a real Postgres."""

from __future__ import annotations

import asyncio

import pytest

from callwright_devstack.api import credits_of, issuer_client
from callwright_devstack.services.livekit_server import LiveKitServer
from callwright_devstack.tenants import make_settings, seed_tenant
from callwright_shared.billing import credits
from callwright_shared.db.engine import create_engine, create_session_factory

pytestmark = pytest.mark.livekit


async def test_40_concurrent_creations_against_a_balance_for_10(
    database_url: str, livekit_server: LiveKitServer
) -> None:
    # Default agent: 10 credits per minute, 10 minutes → 100 credits per hold.
    tenant = await seed_tenant(database_url, credits_amount=1000)
    # A burst of 40 from one key: above the default creation rate limit.
    settings = make_settings(
        database_url,
        livekit_server,
        session_create_burst=40,
        default_max_concurrent_sessions=0,  # the credits decide here, not the open sessions
    )
    async with issuer_client(settings) as client:
        responses = await asyncio.gather(
            *(
                client.post(
                    "/v1/sessions/voice", json={"agent_id": tenant.agent_id}, headers=tenant.headers
                )
                for _ in range(40)
            )
        )
        statuses = sorted(r.status_code for r in responses)
        assert statuses == [200] * 10 + [402] * 30, [
            r.text for r in responses if r.status_code >= 500
        ]
        assert await credits_of(client, tenant) == {
            "balance": 1000,
            "held": 1000,
            "available": 0,
        }
        listed = (await client.get("/v1/sessions?limit=100", headers=tenant.headers)).json()
        assert len(listed["data"]) == 10

    engine = create_engine(database_url)
    async with create_session_factory(engine)() as db:
        totals = await credits.ledger_totals(db, tenant.org_id)
        cached = await credits.read_balance(db, tenant.org_id)
    await engine.dispose()
    assert totals == cached


async def test_concurrent_settlements_capture_once(
    database_url: str, livekit_server: LiveKitServer
) -> None:
    from callwright_shared.calls import heartbeats
    from callwright_shared.db.models import EndReason
    from callwright_shared.sessions import lifecycle as sessions

    tenant = await seed_tenant(database_url, credits_amount=1000)
    async with issuer_client(make_settings(database_url, livekit_server)) as client:
        created = (
            await client.post(
                "/v1/sessions/voice", json={"agent_id": tenant.agent_id}, headers=tenant.headers
            )
        ).json()
    session_id = created["session_id"]
    engine = create_engine(database_url)
    factory = create_session_factory(engine)
    async with factory() as db:
        # The worker's heartbeat, dated at the session's creation (no later sign of life).
        row = await sessions.get_session(db, org_id=tenant.org_id, session_id=session_id)
        await heartbeats.record_heartbeat(db, session_id, 61.0, at=row.created_at)
        await db.commit()

    async def settle(reason: EndReason) -> bool:
        async with factory() as db:
            result = await sessions.settle(db, session_id, end_reason=reason)
            await db.commit()
            return result.applied

    applied = await asyncio.gather(
        *(settle(r) for r in [EndReason.USER_LEFT, EndReason.API_ENDED, EndReason.AGENT_ENDED] * 4)
    )
    assert applied.count(True) == 1
    async with factory() as db:
        row = await sessions.get_session(db, org_id=tenant.org_id, session_id=session_id)
        balance = await credits.read_balance(db, tenant.org_id)
        totals = await credits.ledger_totals(db, tenant.org_id)
    await engine.dispose()
    assert row.credits_charged == 11  # ceil(61 s × 10 / 60)
    assert (balance.balance, balance.held) == (989, 0)
    assert totals == balance

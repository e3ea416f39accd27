"""The reconciler closes what nobody else will, against a real livekit-server.

`reconcile_once` is called directly with a `now` in the future (instead of waiting out
the join window or the heartbeat grace); the last test lets the issuer's own background
task do it.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import httpx
import pytest
from livekit import api, rtc

from callwright_devstack.api import create_voice_session, credits_of, issuer_client, session_of
from callwright_devstack.database import database
from callwright_devstack.services.livekit_server import LiveKitServer
from callwright_devstack.tenants import make_settings, seed_tenant
from callwright_issuer.livekit.rooms import LiveKitRooms
from callwright_issuer.loops.reconciler import ReconcileReport, reconcile_once
from callwright_shared.billing import credits
from callwright_shared.calls import heartbeats
from callwright_shared.db.engine import create_engine, create_session_factory
from callwright_shared.db.models import EndReason, utcnow
from callwright_shared.ids import new_session_id
from callwright_shared.sessions import chat
from callwright_shared.sessions import lifecycle as sessions
from callwright_shared.settings import CallwrightSettings

pytestmark = pytest.mark.livekit

TEXT_AGENT = {"architecture": "text", "credits_per_message": 1}


async def reconcile(settings: CallwrightSettings, *, now: datetime) -> ReconcileReport:
    engine = create_engine(settings.database_url)
    rooms = LiveKitRooms(settings)
    try:
        return await reconcile_once(create_session_factory(engine), rooms, settings, now=now)
    finally:
        await rooms.aclose()
        await engine.dispose()


async def room_exists(livekit: LiveKitServer, room_name: str) -> bool:
    lkapi = api.LiveKitAPI(livekit.http_url, livekit.api_key, livekit.api_secret)
    try:
        listed = await lkapi.room.list_rooms(api.ListRoomsRequest(names=[room_name]))
    finally:
        await lkapi.aclose()
    return any(room.name == room_name for room in listed.rooms)


async def heartbeat(url: str, session_id: str, agent_seconds: float) -> None:
    async with database(url) as db:
        await sessions.mark_active(db, session_id)
        assert await heartbeats.record_heartbeat(db, session_id, agent_seconds)


async def test_a_vanished_worker_is_settled_from_its_last_heartbeat(
    client: httpx.AsyncClient,
    settings: CallwrightSettings,
    database_url: str,
    livekit_server: LiveKitServer,
) -> None:
    tenant = await seed_tenant(database_url, credits_amount=1000)
    vanished, alive = (
        await create_voice_session(client, tenant),
        await create_voice_session(client, tenant),
    )
    await heartbeat(database_url, vanished["session_id"], 42.0)
    await heartbeat(database_url, alive["session_id"], 5.0)

    # Within the grace period nothing happens.
    report = await reconcile(settings, now=utcnow() + timedelta(seconds=10))
    assert report.closed == {}

    async with database(database_url) as db:  # the live worker keeps beating
        assert await heartbeats.record_heartbeat(
            db, alive["session_id"], 40.0, at=utcnow() + timedelta(seconds=35)
        )
    report = await reconcile(settings, now=utcnow() + timedelta(seconds=40))
    assert report.closed == {vanished["session_id"]: EndReason.WORKER_UNAVAILABLE}

    session = await session_of(client, tenant, vanished["session_id"])
    assert (session["status"], session["end_reason"]) == ("ended", "worker_unavailable")
    assert session["credits_charged"] == 7  # ceil(42 s × 10 ÷ 60): agent time only
    assert not await room_exists(livekit_server, vanished["room_name"])
    assert (await session_of(client, tenant, alive["session_id"]))["status"] == "active"
    assert await room_exists(livekit_server, alive["room_name"])
    async with database(database_url) as db:
        balance = await credits.read_balance(db, tenant.org_id)
        assert balance == await credits.ledger_totals(db, tenant.org_id)
    assert (balance.balance, balance.held) == (993, 100)

    # A second pass, or another issuer's, changes nothing.
    again = await asyncio.gather(
        reconcile(settings, now=utcnow() + timedelta(seconds=40)),
        reconcile(settings, now=utcnow() + timedelta(seconds=40)),
    )
    assert [r.closed for r in again] == [{}, {}]
    assert (await session_of(client, tenant, vanished["session_id"]))["credits_charged"] == 7


async def test_an_agent_still_in_the_room_keeps_its_session_open(
    sqlite_url: str, livekit_server: LiveKitServer
) -> None:
    settings = make_settings(sqlite_url, livekit_server, reconcile_interval_seconds=0)
    tenant = await seed_tenant(sqlite_url, credits_amount=1000)
    async with issuer_client(settings) as client:
        created = await create_voice_session(client, tenant)
        await heartbeat(sqlite_url, created["session_id"], 10.0)
        token = (
            api.AccessToken(livekit_server.api_key, livekit_server.api_secret)
            .with_identity("agent-test")
            .with_kind("agent")
            .with_grants(api.VideoGrants(room_join=True, room=created["room_name"]))
            .to_jwt()
        )
        room = rtc.Room()
        await room.connect(livekit_server.url, token)
        try:
            report = await reconcile(settings, now=utcnow() + timedelta(minutes=5))
        finally:
            await room.disconnect()
        assert report.closed == {}
        assert (await session_of(client, tenant, created["session_id"]))["status"] == "active"


async def test_users_who_never_join_are_closed_without_a_charge(
    client: httpx.AsyncClient,
    settings: CallwrightSettings,
    database_url: str,
    livekit_server: LiveKitServer,
) -> None:
    tenant = await seed_tenant(database_url, credits_amount=1000)
    created = await create_voice_session(client, tenant)
    join_deadline = settings.join_window_seconds + settings.worker_heartbeat_grace_seconds

    report = await reconcile(settings, now=utcnow() + timedelta(seconds=join_deadline - 5))
    assert report.closed == {}
    report = await reconcile(settings, now=utcnow() + timedelta(seconds=join_deadline + 1))
    assert report.closed == {created["session_id"]: EndReason.USER_NOT_JOINED}

    session = await session_of(client, tenant, created["session_id"])
    assert (session["status"], session["end_reason"]) == ("ended", "user_not_joined")
    assert session["credits_charged"] == 0
    assert not await room_exists(livekit_server, created["room_name"])
    credits_now = await credits_of(client, tenant)
    assert credits_now == {"balance": 1000, "held": 0, "available": 1000}


async def test_a_created_session_whose_room_is_gone_is_closed_after_the_grace(
    client: httpx.AsyncClient,
    settings: CallwrightSettings,
    database_url: str,
    livekit_server: LiveKitServer,
) -> None:
    tenant = await seed_tenant(database_url, credits_amount=1000)
    created = await create_voice_session(client, tenant)
    lkapi = api.LiveKitAPI(
        livekit_server.http_url, livekit_server.api_key, livekit_server.api_secret
    )
    try:
        await lkapi.room.delete_room(api.DeleteRoomRequest(room=created["room_name"]))
    finally:
        await lkapi.aclose()

    # A young session may still be waiting for its CreateRoom: left alone.
    assert (await reconcile(settings, now=utcnow())).closed == {}
    grace = settings.worker_heartbeat_grace_seconds
    report = await reconcile(settings, now=utcnow() + timedelta(seconds=grace + 1))
    assert report.closed == {created["session_id"]: EndReason.USER_NOT_JOINED}
    assert (await session_of(client, tenant, created["session_id"]))["credits_charged"] == 0


async def test_expired_chat_sessions_are_closed(
    client: httpx.AsyncClient, settings: CallwrightSettings, database_url: str
) -> None:
    tenant = await seed_tenant(database_url, credits_amount=10, agent=TEXT_AGENT)
    response = await client.post(
        "/v1/sessions/chat", json={"agent_id": tenant.agent_id}, headers=tenant.headers
    )
    session_id = response.json()["session_id"]
    ttl = settings.chat_session_ttl_seconds
    assert (await reconcile(settings, now=utcnow() + timedelta(seconds=ttl - 5))).closed == {}
    report = await reconcile(settings, now=utcnow() + timedelta(seconds=ttl + 1))
    assert report.closed == {session_id: EndReason.MAX_DURATION_REACHED}
    session = await session_of(client, tenant, session_id)
    assert (session["status"], session["end_reason"]) == ("ended", "max_duration_reached")


async def test_501_open_chats_do_not_hide_a_stuck_voice_session(
    client: httpx.AsyncClient,
    settings: CallwrightSettings,
    database_url: str,
    livekit_server: LiveKitServer,
) -> None:
    # Another tenant's 501 long chats, older than the voice session and never ending.
    crowd = await seed_tenant(database_url, credits_amount=10, agent=TEXT_AGENT)
    async with database(database_url) as db:
        for _ in range(501):
            db.add(
                chat.new_chat_session(
                    session_id=new_session_id(),
                    org_id=crowd.org_id,
                    user_id=crowd.user_id,
                    agent_id=crowd.agent_id,
                    credits_per_message=1,
                    ttl_seconds=settings.chat_session_ttl_seconds,
                    metadata=None,
                )
            )
    tenant = await seed_tenant(database_url, credits_amount=1000)
    stuck = await create_voice_session(client, tenant)  # no worker: nobody ever joins
    join_deadline = settings.join_window_seconds + settings.worker_heartbeat_grace_seconds

    report = await reconcile(settings, now=utcnow() + timedelta(seconds=join_deadline + 1))
    assert report.closed == {stuck["session_id"]: EndReason.USER_NOT_JOINED}
    assert await credits_of(client, tenant) == {"balance": 1000, "held": 0, "available": 1000}
    assert not await room_exists(livekit_server, stuck["room_name"])


async def test_a_voice_call_past_its_limit_and_the_margin_is_ended(
    client: httpx.AsyncClient,
    settings: CallwrightSettings,
    database_url: str,
    livekit_server: LiveKitServer,
) -> None:
    tenant = await seed_tenant(database_url, credits_amount=1000)
    created = await create_voice_session(client, tenant)
    session_id = created["session_id"]
    await heartbeat(database_url, session_id, 1.0)
    # The default agent's limit is 10 minutes; its worker keeps beating past it.
    limit = (await session_of(client, tenant, session_id))["max_duration_seconds"]
    overrun = timedelta(seconds=limit + settings.voice_overrun_margin_seconds)

    async def beat_then_reconcile(at: datetime) -> ReconcileReport:
        async with database(database_url) as db:
            assert await heartbeats.record_heartbeat(db, session_id, 590.0, at=at)
        return await reconcile(settings, now=at)

    assert (await beat_then_reconcile(utcnow() + overrun - timedelta(seconds=5))).closed == {}
    report = await beat_then_reconcile(utcnow() + overrun + timedelta(seconds=1))
    assert report.closed == {session_id: EndReason.MAX_DURATION_REACHED}

    session = await session_of(client, tenant, session_id)
    assert (session["status"], session["end_reason"]) == ("ended", "max_duration_reached")
    assert session["credits_charged"] == 99  # ceil(590 s × 10 ÷ 60): the recorded agent time
    assert not await room_exists(livekit_server, created["room_name"])
    async with database(database_url) as db:
        balance = await credits.read_balance(db, tenant.org_id)
        assert balance == await credits.ledger_totals(db, tenant.org_id)
    assert (balance.balance, balance.held) == (901, 0)


async def test_with_livekit_unreachable_stale_workers_are_still_settled(
    sqlite_url: str, livekit_server: LiveKitServer
) -> None:
    tenant = await seed_tenant(sqlite_url, credits_amount=1000)
    settings = make_settings(sqlite_url, livekit_server, reconcile_interval_seconds=0)
    async with issuer_client(settings) as client:
        active, created = (
            await create_voice_session(client, tenant),
            await create_voice_session(client, tenant),
        )
        await heartbeat(sqlite_url, active["session_id"], 20.0)
        down = make_settings(
            sqlite_url, None, reconcile_interval_seconds=0, livekit_timeout_seconds=1.0
        )
        report = await reconcile(down, now=utcnow() + timedelta(seconds=60))
        assert not report.livekit_reachable
        # A stale heartbeat is enough; a young created session is not judged gone.
        assert report.closed == {active["session_id"]: EndReason.WORKER_UNAVAILABLE}
        assert (await session_of(client, tenant, created["session_id"]))["status"] == "created"
        assert (await session_of(client, tenant, active["session_id"]))["credits_charged"] == 4


async def test_the_issuer_runs_the_reconciler_in_the_background(
    sqlite_url: str, livekit_server: LiveKitServer
) -> None:
    tenant = await seed_tenant(sqlite_url, credits_amount=1000)
    settings = make_settings(
        sqlite_url,
        livekit_server,
        reconcile_interval_seconds=0.2,
        worker_heartbeat_grace_seconds=0.5,
    )
    async with issuer_client(settings) as client:
        created = await create_voice_session(client, tenant)
        await heartbeat(sqlite_url, created["session_id"], 3.0)
        for _ in range(300):  # generous: the reconciler runs every 0.2 s
            session = await session_of(client, tenant, created["session_id"])
            if session["status"] != "active":
                break
            await asyncio.sleep(0.1)
        assert (session["status"], session["end_reason"]) == ("ended", "worker_unavailable")
        assert session["credits_charged"] == 1
        assert not await room_exists(livekit_server, created["room_name"])

"""POST /v1/livekit/webhook: signed by LiveKit's scheme, de-duplicated, settling once.

Events are signed the way livekit-server signs them (livekit/api/webhook.py reads it):
the body's base64 sha256 in the `sha256` claim of a JWT made with the API key and secret,
sent raw as the `Authorization` header. The last test has a real livekit-server deliver
`room_finished` to a uvicorn-served issuer.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from google.protobuf.json_format import MessageToJson
from livekit import api
from sqlalchemy import select

from callwright_devstack.api import create_voice_session, credits_of, session_of
from callwright_devstack.database import database
from callwright_devstack.ports import free_tcp_port
from callwright_devstack.services.livekit_server import LiveKitServer, running_livekit
from callwright_devstack.services.served_issuer import ServedIssuer
from callwright_devstack.tenants import make_settings, seed_tenant
from callwright_shared.billing import credits
from callwright_shared.calls import heartbeats
from callwright_shared.db.models import LedgerEntry, LedgerKind, utcnow
from callwright_shared.sessions import lifecycle as sessions

pytestmark = pytest.mark.livekit


def room_event(event: str, room_name: str, *, identity: str | None = None) -> api.WebhookEvent:
    message = api.WebhookEvent(
        event=event,
        id=f"EV_{uuid.uuid4().hex[:12]}",
        created_at=int(time.time()),
        room=api.Room(name=room_name, sid=f"RM_{uuid.uuid4().hex[:12]}"),
    )
    if identity is not None:
        message.participant.CopyFrom(api.ParticipantInfo(identity=identity, sid="PA_x"))
    return message


def sign(body: bytes, key: str, secret: str) -> str:
    digest = base64.b64encode(hashlib.sha256(body).digest()).decode()
    return api.AccessToken(key, secret).with_sha256(digest).to_jwt()


async def deliver(
    client: httpx.AsyncClient,
    livekit: LiveKitServer,
    event: api.WebhookEvent,
    *,
    secret: str | None = None,
) -> httpx.Response:
    body = MessageToJson(event).encode()
    return await client.post(
        "/v1/livekit/webhook",
        content=body,
        headers={
            "Content-Type": "application/webhook+json",
            "Authorization": sign(body, livekit.api_key, secret or livekit.api_secret),
        },
    )


async def make_active(url: str, session_id: str, *, agent_seconds: float) -> None:
    """What the worker records during a call (then it is gone: no heartbeat time)."""
    async with database(url) as db:
        started = utcnow()
        await sessions.mark_active(db, session_id, at=started)
        # Its heartbeat, dated at the call's start: no later sign of life.
        await heartbeats.record_heartbeat(db, session_id, agent_seconds, at=started)


async def ledger_of(url: str, session_id: str) -> list[tuple[LedgerKind, int]]:
    async with database(url) as db:
        rows = await db.execute(
            select(LedgerEntry.kind, LedgerEntry.amount)
            .where(LedgerEntry.session_id == session_id)
            .order_by(LedgerEntry.id)
        )
        return [(kind, amount) for kind, amount in rows.all()]


async def assert_balance_is_the_ledger(url: str, org_id: str) -> credits.Balance:
    async with database(url) as db:
        cached = await credits.read_balance(db, org_id)
        assert await credits.ledger_totals(db, org_id) == cached
        return cached


async def test_room_finished_settles_an_active_session_once(
    client: httpx.AsyncClient, database_url: str, livekit_server: LiveKitServer
) -> None:
    tenant = await seed_tenant(database_url, credits_amount=1000)
    created = await create_voice_session(client, tenant)
    await make_active(database_url, created["session_id"], agent_seconds=30.0)

    event = room_event("room_finished", created["room_name"])
    response = await deliver(client, livekit_server, event)
    assert response.status_code == 200, response.text
    assert response.json() == {"received": True, "duplicate": False}

    session = await session_of(client, tenant, created["session_id"])
    assert (session["status"], session["end_reason"]) == ("ended", "user_left")
    assert session["credits_charged"] == 5  # ceil(30 s × 10 credits/min ÷ 60)
    ledger = await ledger_of(database_url, created["session_id"])
    assert ledger == [
        (LedgerKind.HOLD, 100),
        (LedgerKind.CAPTURE, 5),
        (LedgerKind.RELEASE, 95),
    ]

    # The same delivery again, and another event for the same room: nothing changes.
    replayed = await deliver(client, livekit_server, event)
    assert replayed.status_code == 200
    assert replayed.json() == {"received": True, "duplicate": True}
    again = await deliver(client, livekit_server, room_event("room_finished", created["room_name"]))
    assert again.json() == {"received": True, "duplicate": False}
    assert await ledger_of(database_url, created["session_id"]) == ledger
    after = await session_of(client, tenant, created["session_id"])
    assert after == session
    balance = await assert_balance_is_the_ledger(database_url, tenant.org_id)
    assert (balance.balance, balance.held) == (995, 0)


async def test_unsigned_or_wrongly_signed_events_are_401_and_change_nothing(
    client: httpx.AsyncClient, database_url: str, livekit_server: LiveKitServer
) -> None:
    tenant = await seed_tenant(database_url, credits_amount=1000)
    created = await create_voice_session(client, tenant)
    await make_active(database_url, created["session_id"], agent_seconds=30.0)
    event = room_event("room_finished", created["room_name"])
    body = MessageToJson(event).encode()
    tampered = MessageToJson(room_event("room_finished", "agent_00000000_x_0000000000000"))
    attempts: list[dict[str, str]] = [
        {},
        {"Authorization": ""},
        {"Authorization": "not-a-jwt"},
        {"Authorization": sign(body, livekit_server.api_key, "w" * 44)},
        {"Authorization": sign(body, "otherkey", livekit_server.api_secret)},
        {
            "Authorization": sign(
                tampered.encode(), livekit_server.api_key, livekit_server.api_secret
            )
        },
    ]
    for headers in attempts:
        response = await client.post(
            "/v1/livekit/webhook",
            content=body,
            headers={"Content-Type": "application/webhook+json", **headers},
        )
        assert response.status_code == 401, (headers, response.text)
        error = response.json()["error"]
        assert error["code"] == "invalid_signature"
        assert error["type"] == "authentication_error" and error["message"]

    session = await session_of(client, tenant, created["session_id"])
    assert (session["status"], session["credits_charged"]) == ("active", 0)
    assert await ledger_of(database_url, created["session_id"]) == [(LedgerKind.HOLD, 100)]
    # The rejected deliveries did not use up the event's id: the genuine one still works.
    genuine = await deliver(client, livekit_server, event)
    assert genuine.json() == {"received": True, "duplicate": False}


async def test_participant_left_of_the_user_settles_and_others_do_not(
    client: httpx.AsyncClient, database_url: str, livekit_server: LiveKitServer
) -> None:
    tenant = await seed_tenant(database_url, credits_amount=1000)
    created = await create_voice_session(client, tenant)
    await make_active(database_url, created["session_id"], agent_seconds=61.0)
    url = f"/v1/sessions/{created['session_id']}"

    agent_left = room_event("participant_left", created["room_name"], identity="agent-AJ_1")
    assert (await deliver(client, livekit_server, agent_left)).status_code == 200
    assert (await client.get(url, headers=tenant.headers)).json()["status"] == "active"

    user_left = room_event("participant_left", created["room_name"], identity=tenant.user_id)
    assert (await deliver(client, livekit_server, user_left)).status_code == 200
    session = (await client.get(url, headers=tenant.headers)).json()
    assert (session["status"], session["end_reason"]) == ("ended", "user_left")
    assert session["credits_charged"] == 11  # ceil(61 s × 10 ÷ 60)


async def test_room_finished_before_anyone_joined_captures_nothing(
    client: httpx.AsyncClient, database_url: str, livekit_server: LiveKitServer
) -> None:
    tenant = await seed_tenant(database_url, credits_amount=1000)
    created = await create_voice_session(client, tenant)
    event = room_event("room_finished", created["room_name"])
    assert (await deliver(client, livekit_server, event)).status_code == 200
    session = await session_of(client, tenant, created["session_id"])
    assert (session["status"], session["end_reason"]) == ("ended", "user_not_joined")
    assert session["credits_charged"] == 0
    balance = await assert_balance_is_the_ledger(database_url, tenant.org_id)
    assert (balance.balance, balance.held) == (1000, 0)


async def test_a_live_worker_is_left_to_settle_its_own_session(
    client: httpx.AsyncClient, database_url: str, livekit_server: LiveKitServer
) -> None:
    tenant = await seed_tenant(database_url, credits_amount=1000)
    created = await create_voice_session(client, tenant)
    async with database(database_url) as db:  # what a worker does: claim, join, beat
        assert await heartbeats.claim(db, created["session_id"], "AJ_test", grace_seconds=30)
        await sessions.mark_active(db, created["session_id"])
        assert await heartbeats.record_heartbeat(db, created["session_id"], 12.0)
    event = room_event("participant_left", created["room_name"], identity=tenant.user_id)
    assert (await deliver(client, livekit_server, event)).status_code == 200
    url = f"/v1/sessions/{created['session_id']}"
    assert (await client.get(url, headers=tenant.headers)).json()["status"] == "active"

    # The worker's heartbeat goes stale: a later event settles from the recorded time.
    async with database(database_url) as db:
        stale = utcnow() - timedelta(minutes=5)
        assert await heartbeats.record_heartbeat(db, created["session_id"], 12.0, at=stale)
    event = room_event("room_finished", created["room_name"])
    assert (await deliver(client, livekit_server, event)).status_code == 200
    session = (await client.get(url, headers=tenant.headers)).json()
    assert (session["status"], session["end_reason"], session["credits_charged"]) == (
        "ended",
        "user_left",
        2,
    )


async def test_a_call_shorter_than_the_first_heartbeat_is_left_to_its_worker(
    client: httpx.AsyncClient, database_url: str, livekit_server: LiveKitServer
) -> None:
    """A 1 s call: the user leaves before any heartbeat. The worker's claim is its first
    sign of life, so the webhook must not settle it as if the worker were dead."""
    tenant = await seed_tenant(database_url, credits_amount=1000)
    created = await create_voice_session(client, tenant)
    async with database(database_url) as db:
        assert await heartbeats.claim(db, created["session_id"], "AJ_test", grace_seconds=30)
        await sessions.mark_active(db, created["session_id"])
    event = room_event("participant_left", created["room_name"], identity=tenant.user_id)
    assert (await deliver(client, livekit_server, event)).status_code == 200
    url = f"/v1/sessions/{created['session_id']}"
    assert (await client.get(url, headers=tenant.headers)).json()["status"] == "active"


async def test_a_session_no_worker_took_is_settled_by_the_webhook(
    client: httpx.AsyncClient, database_url: str, livekit_server: LiveKitServer
) -> None:
    """No claim: no worker has the session, so the user leaving ends it, charging nothing."""
    tenant = await seed_tenant(database_url, credits_amount=1000)
    created = await create_voice_session(client, tenant)
    event = room_event("participant_left", created["room_name"], identity=tenant.user_id)
    assert (await deliver(client, livekit_server, event)).status_code == 200
    session = await session_of(client, tenant, created["session_id"])
    assert (session["status"], session["end_reason"], session["credits_charged"]) == (
        "ended",
        "user_left",
        0,
    )


async def test_events_of_unknown_rooms_and_other_kinds_are_acknowledged(
    client: httpx.AsyncClient, livekit_server: LiveKitServer
) -> None:
    for event in (
        room_event("room_finished", "agent_0123abcd_nobody_1700000000000"),
        room_event("room_started", "whatever"),
        room_event("track_published", "whatever"),
    ):
        response = await deliver(client, livekit_server, event)
        assert response.status_code == 200, response.text


# -- a real livekit-server delivering its webhooks --------------------------------------


@pytest.fixture(scope="module")
def issuer_port() -> int:
    return free_tcp_port()


@pytest.fixture(scope="module")
def webhook_livekit(issuer_port: int) -> Iterator[LiveKitServer]:
    with running_livekit(
        "livekit-server-webhooks.log",
        webhook_url=f"http://127.0.0.1:{issuer_port}/v1/livekit/webhook",
    ) as server:
        yield server


async def test_livekit_delivers_room_finished_and_the_session_is_settled(
    sqlite_url: str, webhook_livekit: LiveKitServer, issuer_port: int
) -> None:
    tenant = await seed_tenant(sqlite_url, credits_amount=1000)
    settings = make_settings(sqlite_url, webhook_livekit, reconcile_interval_seconds=0)
    with ServedIssuer(settings, port=issuer_port) as issuer:
        async with httpx.AsyncClient(base_url=issuer.url, timeout=10) as client:
            created = await create_voice_session(client, tenant)
            await make_active(sqlite_url, created["session_id"], agent_seconds=90.0)

            lkapi = api.LiveKitAPI(
                webhook_livekit.http_url, webhook_livekit.api_key, webhook_livekit.api_secret
            )
            try:
                await lkapi.room.delete_room(api.DeleteRoomRequest(room=created["room_name"]))
            finally:
                await lkapi.aclose()

            url = f"/v1/sessions/{created['session_id']}"
            deadline = time.monotonic() + 60
            session = (await client.get(url, headers=tenant.headers)).json()
            while session["status"] == "active" and time.monotonic() < deadline:
                await asyncio.sleep(0.2)
                session = (await client.get(url, headers=tenant.headers)).json()

            assert (session["status"], session["end_reason"]) == ("ended", "user_left")
            assert session["credits_charged"] == 15  # ceil(90 s × 10 ÷ 60)
            credits_now = await credits_of(client, tenant)
            assert credits_now == {"balance": 985, "held": 0, "available": 985}

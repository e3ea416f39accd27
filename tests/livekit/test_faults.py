"""Faults, each with nothing lost and nothing charged twice.

LiveKit stopped while sessions are being created; the database gone (a Postgres server
this module starts and stops itself, and an SQLite file that cannot be opened); End
Session, the worker's settlement, a webhook and the reconciler all ending one session at
the same moment. (The worker process killed mid-call and the issuer restarted mid-call
are end-to-end tests, with the worker.)
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from google.protobuf.json_format import MessageToJson
from livekit import api
from sqlalchemy import func, select

from callwright_devstack.api import assert_error, credits_of, issuer_client, session_of
from callwright_devstack.database import database
from callwright_devstack.services.livekit_server import LiveKitServer, running_livekit
from callwright_devstack.services.postgres_server import (
    PostgresServer,
    fresh_postgres_url,
    running_postgres,
)
from callwright_devstack.tenants import Tenant, make_settings, seed_tenant
from callwright_issuer.livekit.rooms import LiveKitRooms
from callwright_issuer.loops.reconciler import reconcile_once
from callwright_shared.billing import credits
from callwright_shared.calls import heartbeats
from callwright_shared.db.engine import create_engine, create_session_factory
from callwright_shared.db.migrate import upgrade_async
from callwright_shared.db.models import EndReason, LedgerEntry, LedgerKind, utcnow
from callwright_shared.sessions import lifecycle as sessions
from callwright_shared.settings import CallwrightSettings

pytestmark = pytest.mark.livekit


# -- LiveKit stopped ----------------------------------------------------------------------


@pytest.fixture
def own_livekit() -> Iterator[LiveKitServer]:
    with running_livekit("livekit-server-faults.log") as server:
        yield server


async def test_livekit_stopped_during_creation_is_503_with_no_hold(
    sqlite_url: str, own_livekit: LiveKitServer
) -> None:
    tenant = await seed_tenant(sqlite_url, credits_amount=1000)
    settings = make_settings(
        sqlite_url, own_livekit, reconcile_interval_seconds=0, livekit_timeout_seconds=2.0
    )
    async with issuer_client(settings) as client:
        body = {"agent_id": tenant.agent_id}
        before = await client.post("/v1/sessions/voice", json=body, headers=tenant.headers)
        assert before.status_code == 200, before.text

        own_livekit.stop()
        responses = await asyncio.gather(
            *(
                client.post("/v1/sessions/voice", json=body, headers=tenant.headers)
                for _ in range(3)
            )
        )
        for response in responses:
            assert_error(response, 503, "livekit_unavailable")
            assert int(response.headers["Retry-After"]) > 0
        assert (await client.get("/readyz")).status_code == 503

        # Only the session created before the outage holds credits; the others failed.
        assert await credits_of(client, tenant) == {"balance": 1000, "held": 100, "available": 900}
        listed = (await client.get("/v1/sessions", headers=tenant.headers)).json()["data"]
        assert sorted((s["status"], s["end_reason"], s["credits_charged"]) for s in listed) == [
            ("created", None, 0),
            ("failed", "livekit_unavailable", 0),
            ("failed", "livekit_unavailable", 0),
            ("failed", "livekit_unavailable", 0),
        ]
    async with database(sqlite_url) as db:
        assert await credits.ledger_totals(db, tenant.org_id) == await credits.read_balance(
            db, tenant.org_id
        )


# -- the database unreachable -------------------------------------------------------------


@pytest.fixture
def own_postgres() -> Iterator[PostgresServer]:
    with running_postgres() as server:
        yield server


async def _every_call_is_503(client: httpx.AsyncClient, tenant: Tenant) -> None:
    calls = [
        ("POST", "/v1/sessions/voice", {"agent_id": tenant.agent_id}),
        ("POST", "/v1/sessions/chat", {"agent_id": tenant.agent_id}),
        ("GET", "/v1/credits", None),
        ("GET", "/v1/sessions", None),
        ("GET", f"/v1/agents/{tenant.agent_id}", None),
    ]
    for method, path, body in calls:
        response = await client.request(method, path, json=body, headers=tenant.headers)
        error = assert_error(response, 503, "database_unavailable")
        assert "database" in error["message"].lower()
        assert int(response.headers["Retry-After"]) > 0
    ready = await client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["checks"]["database"] == "unavailable"


async def test_postgres_stopped_is_503_never_200(
    own_postgres: PostgresServer, livekit_server: LiveKitServer
) -> None:
    url = await fresh_postgres_url(own_postgres)
    await upgrade_async(url)
    tenant = await seed_tenant(url, credits_amount=1000)
    settings = make_settings(url, livekit_server, reconcile_interval_seconds=0)
    async with issuer_client(settings) as client:
        warm = await client.get("/v1/credits", headers=tenant.headers)
        assert warm.status_code == 200  # the pool holds live connections now
        own_postgres.stop()
        await _every_call_is_503(client, tenant)


async def test_an_sqlite_file_that_cannot_be_opened_is_503(
    tmp_path: Path, livekit_server: LiveKitServer
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'missing-dir' / 'callwright.db'}"
    settings = make_settings(url, livekit_server, reconcile_interval_seconds=0)
    async with issuer_client(settings) as client:
        response = await client.post(
            "/v1/sessions/voice",
            json={"agent_id": "0123abcd"},
            headers={"X-API-Key": "cw_00000000_" + "A" * 43},
        )
        assert_error(response, 503, "database_unavailable")


# -- everyone ending one session at once --------------------------------------------------


def _signed_room_finished(room_name: str, livekit: LiveKitServer) -> tuple[bytes, str]:
    event = api.WebhookEvent(
        event="room_finished",
        id=f"EV_{uuid.uuid4().hex[:12]}",
        created_at=int(time.time()),
        room=api.Room(name=room_name),
    )
    body = MessageToJson(event).encode()
    digest = base64.b64encode(hashlib.sha256(body).digest()).decode()
    token = api.AccessToken(livekit.api_key, livekit.api_secret).with_sha256(digest).to_jwt()
    return body, token


async def _worker_settles(url: str, session_id: str) -> None:
    async with database(url) as db:
        await sessions.settle(db, session_id, end_reason=EndReason.USER_LEFT, agent_seconds=45.0)


async def _reconciler_pass(settings: CallwrightSettings) -> None:
    engine = create_engine(settings.database_url)
    rooms = LiveKitRooms(settings)
    try:
        await reconcile_once(
            create_session_factory(engine), rooms, settings, now=utcnow() + timedelta(minutes=5)
        )
    finally:
        await rooms.aclose()
        await engine.dispose()


async def test_every_path_ending_one_session_at_once_captures_once(
    database_url: str, livekit_server: LiveKitServer
) -> None:
    tenant = await seed_tenant(database_url, credits_amount=1000)
    settings = make_settings(database_url, livekit_server, reconcile_interval_seconds=0)
    async with issuer_client(settings) as client:
        created = []
        for _ in range(3):
            response = await client.post(
                "/v1/sessions/voice", json={"agent_id": tenant.agent_id}, headers=tenant.headers
            )
            assert response.status_code == 200, response.text
            created.append(response.json())
        async with database(database_url) as db:
            for c in created:
                started = utcnow()
                await sessions.mark_active(db, c["session_id"], at=started)
                # Its heartbeat, dated at the call's start: no later sign of life.
                await heartbeats.record_heartbeat(db, c["session_id"], 45.0, at=started)

        async def webhook(room_name: str) -> httpx.Response:
            body, token = _signed_room_finished(room_name, livekit_server)
            return await client.post(
                "/v1/livekit/webhook",
                content=body,
                headers={"Authorization": token, "Content-Type": "application/webhook+json"},
            )

        results = await asyncio.gather(
            *(
                step
                for c in created
                for step in (
                    client.post(f"/v1/sessions/{c['session_id']}/end", headers=tenant.headers),
                    _worker_settles(database_url, c["session_id"]),
                    webhook(c["room_name"]),
                    _reconciler_pass(settings),
                )
            )
        )
        for result in results:
            if isinstance(result, httpx.Response):
                assert result.status_code == 200, result.text

        for c in created:
            session = await session_of(client, tenant, c["session_id"])
            assert session["status"] == "ended"
            assert session["credits_charged"] == 8  # ceil(45 s × 10 ÷ 60), once
        assert await credits_of(client, tenant) == {"balance": 976, "held": 0, "available": 976}

    async with database(database_url) as db:
        captures = await db.execute(
            select(LedgerEntry.session_id, func.count())
            .where(LedgerEntry.kind == LedgerKind.CAPTURE)
            .group_by(LedgerEntry.session_id)
        )
        assert sorted(count for _, count in captures.all()) == [1, 1, 1]
        assert await credits.ledger_totals(db, tenant.org_id) == await credits.read_balance(
            db, tenant.org_id
        )

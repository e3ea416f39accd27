"""Scoped tenant keys (a `sessions` key creates and ends sessions, refreshes tokens and
sends chat messages, and is 403 on every other route of the OpenAPI schema) and usage
equal to the ledger."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from callwright_devstack.api import assert_error, issuer_client
from callwright_devstack.database import database
from callwright_devstack.emulators import OpenAIEmulator
from callwright_devstack.services.livekit_server import LiveKitServer
from callwright_devstack.tenants import Tenant, make_settings, seed_tenant
from callwright_shared.db.models import EndReason, Session
from callwright_shared.sessions import lifecycle as sessions
from callwright_shared.settings import CallwrightSettings

pytestmark = pytest.mark.livekit

PROVIDER_KEY = "sk-test-callwright-usage-0123456789"
# What a `sessions` key may call; the walk below finds exactly these allowed.
SESSIONS_ROUTES = {
    ("POST", "/v1/sessions/voice"),
    ("POST", "/v1/sessions/chat"),
    ("POST", "/v1/sessions/{session_id}/token"),
    ("POST", "/v1/sessions/{session_id}/messages"),
    ("POST", "/v1/sessions/{session_id}/end"),
}


@pytest.fixture
async def emulator() -> AsyncIterator[OpenAIEmulator]:
    async with OpenAIEmulator(reply="Noted.", require_key=PROVIDER_KEY) as emu:
        yield emu


@pytest.fixture
def settings(
    database_url: str, livekit_server: LiveKitServer, emulator: OpenAIEmulator
) -> CallwrightSettings:
    return make_settings(
        database_url,
        livekit_server,
        reconcile_interval_seconds=0,
        openai_base_url=emulator.base_url,
        openai_api_key=PROVIDER_KEY,
    )


@pytest.fixture
async def client(settings: CallwrightSettings) -> AsyncIterator[httpx.AsyncClient]:
    async with issuer_client(settings) as c:
        yield c


async def ok(response: httpx.Response) -> Any:
    assert response.status_code == 200, response.text
    return response.json()


async def new_key(client: httpx.AsyncClient, tenant: Tenant, scope: str) -> dict[str, Any]:
    created: dict[str, Any] = await ok(
        await client.post("/v1/api-keys", json={"scope": scope}, headers=tenant.headers)
    )
    return created


async def test_a_sessions_key_creates_and_ends_sessions_and_nothing_else(
    client: httpx.AsyncClient, database_url: str
) -> None:
    tenant = await seed_tenant(database_url)
    key = await new_key(client, tenant, "sessions")
    assert key["scope"] == "sessions" and key["api_key"].startswith(key["prefix"])
    proxy = {"X-API-Key": key["api_key"]}

    voice = await ok(
        await client.post("/v1/sessions/voice", json={"agent_id": tenant.agent_id}, headers=proxy)
    )
    refreshed = await ok(
        await client.post(f"/v1/sessions/{voice['session_id']}/token", headers=proxy)
    )
    assert refreshed["session_id"] == voice["session_id"]
    ended = await ok(await client.post(f"/v1/sessions/{voice['session_id']}/end", headers=proxy))
    assert (ended["status"], ended["end_reason"]) == ("ended", "api_ended")
    chat = await ok(
        await client.post("/v1/sessions/chat", json={"agent_id": tenant.agent_id}, headers=proxy)
    )
    await ok(await client.post(f"/v1/sessions/{chat['session_id']}/end", headers=proxy))

    # A sessions key cannot mint a key, least of all a wider one.
    assert_error(
        await client.post("/v1/api-keys", json={"scope": "full"}, headers=proxy),
        403,
        "insufficient_scope",
    )

    # Every route of the schema but the five is 403 for it (a new route cannot slip by).
    schema = await ok(await client.get("/openapi.json"))
    allowed: set[tuple[str, str]] = set()
    for path, operations in schema["paths"].items():
        if not path.startswith("/v1/") or path.startswith(("/v1/admin/", "/v1/livekit/")):
            continue
        for method in operations:
            concrete = path.replace("{session_id}", voice["session_id"])
            for name in ("agent_id", "endpoint_id", "delivery_id", "key_id"):
                concrete = concrete.replace("{" + name + "}", "x1")
            assert "{" not in concrete, path
            response = await client.request(
                method.upper(), concrete, json={"agent_id": tenant.agent_id}, headers=proxy
            )
            if response.status_code == 403:
                assert_error(response, 403, "insufficient_scope")
            else:
                allowed.add((method.upper(), path))
    assert allowed == SESSIONS_ROUTES

    # The full key lists (never a secret) and revokes; a revoked key is 401 at once.
    listed = await ok(await client.get("/v1/api-keys", headers=tenant.headers))
    assert {k["id"] for k in listed["data"]} == {tenant.key_id, key["id"]}
    assert all("api_key" not in k for k in listed["data"])
    await ok(await client.delete(f"/v1/api-keys/{key['id']}", headers=tenant.headers))
    assert_error(
        await client.post("/v1/sessions/voice", json={"agent_id": tenant.agent_id}, headers=proxy),
        401,
        "invalid_api_key",
    )
    other = await seed_tenant(database_url)
    assert_error(
        await client.delete(f"/v1/api-keys/{other.key_id}", headers=tenant.headers),
        404,
        "not_found",
    )


async def _ledger(client: httpx.AsyncClient, tenant: Tenant) -> list[dict[str, Any]]:
    """Every ledger entry, page by page (two at a time, to walk the cursor)."""
    entries: list[dict[str, Any]] = []
    cursor = ""
    while True:
        page = await ok(
            await client.get(f"/v1/credits/ledger?limit=2{cursor}", headers=tenant.headers)
        )
        entries += page["data"]
        if not page["has_more"]:
            return entries
        cursor = f"&starting_after={page['data'][-1]['id']}"


async def test_usage_equals_the_ledger_after_calls_chats_and_refunds(
    client: httpx.AsyncClient, database_url: str
) -> None:
    tenant = await seed_tenant(
        database_url,
        credits_amount=5000,
        agent={"credits_per_minute": 10, "credits_per_message": 2},
    )
    second = await ok(
        await client.post(
            "/v1/agents",
            json={"name": "Second", "architecture": "pipeline"},
            headers=tenant.headers,
        )
    )
    calls = [
        (tenant.agent_id, EndReason.USER_LEFT, 45.0),  # 8 credits
        (tenant.agent_id, EndReason.USER_NOT_JOINED, 0.0),  # the hold given back
        (second["id"], EndReason.AGENT_ENDED, 125.5),  # the default price
    ]
    for agent_id, reason, seconds in calls:
        created = await ok(
            await client.post(
                "/v1/sessions/voice", json={"agent_id": agent_id}, headers=tenant.headers
            )
        )
        async with database(database_url) as db:
            await sessions.settle(
                db, created["session_id"], end_reason=reason, agent_seconds=seconds
            )
    chat = await ok(
        await client.post(
            "/v1/sessions/chat", json={"agent_id": tenant.agent_id}, headers=tenant.headers
        )
    )
    for text in ("Hello", "Bye"):
        await ok(
            await client.post(
                f"/v1/sessions/{chat['session_id']}/messages",
                json={"message": text},
                headers=tenant.headers,
            )
        )
    await ok(await client.post(f"/v1/sessions/{chat['session_id']}/end", headers=tenant.headers))

    ledger = await _ledger(client, tenant)
    captured = sum(e["amount"] for e in ledger if e["kind"] == "capture")
    async with database(database_url) as db:
        rows = list(
            (await db.execute(select(Session).where(Session.org_id == tenant.org_id))).scalars()
        )
    assert captured == sum(r.credits_charged for r in rows) > 8
    by_day = await ok(await client.get("/v1/usage?group_by=day", headers=tenant.headers))
    total = by_day["total"]
    assert total == {
        "group": None,
        "credits_captured": captured,
        "voice_seconds": 170.5,
        "chat_messages": 2,
        "analyses": 0,
    }
    by_agent = await ok(await client.get("/v1/usage?group_by=agent", headers=tenant.headers))
    assert by_agent["total"] == total
    groups = {g["group"]: g for g in by_agent["data"]}
    assert set(groups) == {tenant.agent_id, second["id"]}
    assert groups[tenant.agent_id]["credits_captured"] == 8 + 4
    assert groups[second["id"]]["voice_seconds"] == 125.5
    for report in (by_day, by_agent):
        assert sum(g["credits_captured"] for g in report["data"]) == captured
    # The balance is the ledger: grants less captures, nothing left held.
    credits = await ok(await client.get("/v1/credits", headers=tenant.headers))
    grants = sum(e["amount"] for e in ledger if e["kind"] == "grant")
    assert (credits["balance"], credits["held"]) == (grants - captured, 0)
    # A range before everything holds nothing.
    early = await ok(await client.get("/v1/usage?to=2000-01-01T00:00:00Z", headers=tenant.headers))
    assert (early["total"]["credits_captured"], early["data"]) == (0, [])
    assert_error(
        await client.get("/v1/usage?group_by=week", headers=tenant.headers), 400, "invalid_request"
    )

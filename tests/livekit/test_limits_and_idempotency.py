"""Per-organization concurrency limits (429) and Idempotency-Key replay."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import jwt
import pytest
from livekit import api

from callwright_devstack.api import assert_error, credits_of, issuer_client
from callwright_devstack.database import age_session
from callwright_devstack.services.callwright_process import run_cli
from callwright_devstack.services.livekit_server import LiveKitServer
from callwright_devstack.tenants import Tenant, make_settings, seed_tenant

pytestmark = pytest.mark.livekit

TEXT_AGENT = {"architecture": "text", "credits_per_message": 1}


async def voice(
    client: httpx.AsyncClient, tenant: Tenant, *, key: str | None = None, **body: Any
) -> httpx.Response:
    headers = {**tenant.headers, **({"Idempotency-Key": key} if key else {})}
    return await client.post(
        "/v1/sessions/voice", json={"agent_id": tenant.agent_id, **body}, headers=headers
    )


async def sessions_of(client: httpx.AsyncClient, tenant: Tenant) -> list[dict[str, Any]]:
    listed = await client.get("/v1/sessions?limit=100", headers=tenant.headers)
    data: list[dict[str, Any]] = listed.json()["data"]
    return data


async def rooms_named(livekit: LiveKitServer, room_name: str) -> int:
    lkapi = api.LiveKitAPI(livekit.http_url, livekit.api_key, livekit.api_secret)
    try:
        listed = await lkapi.room.list_rooms(api.ListRoomsRequest(names=[room_name]))
    finally:
        await lkapi.aclose()
    return len(listed.rooms)


# -- concurrency limit --------------------------------------------------------------------


async def test_429_at_the_limit_and_a_slot_frees_when_a_session_ends(
    client: httpx.AsyncClient, database_url: str
) -> None:
    tenant = await seed_tenant(database_url, credits_amount=1000)
    limited = run_cli(
        database_url, "admin", "set-concurrency", "--org", tenant.org_id, "--max", "2"
    )
    assert limited == {"org_id": tenant.org_id, "max_concurrent_sessions": 2}

    first, second = await voice(client, tenant), await voice(client, tenant)
    assert first.status_code == second.status_code == 200
    refused = await voice(client, tenant)
    error = assert_error(refused, 429, "concurrency_limit")
    assert "limit" in error["message"]
    assert int(refused.headers["Retry-After"]) > 0
    chat = await client.post(
        "/v1/sessions/chat", json={"agent_id": tenant.agent_id}, headers=tenant.headers
    )
    assert_error(chat, 429, "concurrency_limit")
    # Refused before any hold or record: distinct from 402, nothing left behind.
    assert await credits_of(client, tenant) == {"balance": 1000, "held": 200, "available": 800}
    assert len(await sessions_of(client, tenant)) == 2

    ended = await client.post(
        f"/v1/sessions/{first.json()['session_id']}/end", headers=tenant.headers
    )
    assert ended.status_code == 200
    assert (await voice(client, tenant)).status_code == 200
    assert_error(await voice(client, tenant), 429, "concurrency_limit")

    unlimited = run_cli(
        database_url, "admin", "set-concurrency", "--org", tenant.org_id, "--max", "0"
    )
    assert unlimited["max_concurrent_sessions"] is None
    assert (await voice(client, tenant)).status_code == 200


async def test_concurrent_creations_never_exceed_the_limit(
    client: httpx.AsyncClient, database_url: str
) -> None:
    tenant = await seed_tenant(database_url, credits_amount=10_000)
    run_cli(database_url, "admin", "set-concurrency", "--org", tenant.org_id, "--max", "3")
    responses = await asyncio.gather(*(voice(client, tenant) for _ in range(7)))
    assert sorted(r.status_code for r in responses) == [200, 200, 200, 429, 429, 429, 429]
    assert await credits_of(client, tenant) == {"balance": 10_000, "held": 300, "available": 9_700}


async def test_chat_sessions_count_until_they_expire(
    sqlite_url: str, livekit_server: LiveKitServer
) -> None:
    tenant = await seed_tenant(sqlite_url, credits_amount=100, agent=TEXT_AGENT)
    run_cli(sqlite_url, "admin", "set-concurrency", "--org", tenant.org_id, "--max", "1")
    settings = make_settings(
        sqlite_url, livekit_server, reconcile_interval_seconds=0, chat_session_ttl_seconds=60
    )
    async with issuer_client(settings) as client:
        body = {"agent_id": tenant.agent_id}
        first = await client.post("/v1/sessions/chat", json=body, headers=tenant.headers)
        assert first.status_code == 200, first.text
        refused = await client.post("/v1/sessions/chat", json=body, headers=tenant.headers)
        assert_error(refused, 429, "concurrency_limit")
        # The first one's TTL passes (its clock moved, not a 1 s TTL raced).
        await age_session(sqlite_url, first.json()["session_id"], 61)
        again = await client.post("/v1/sessions/chat", json=body, headers=tenant.headers)
        assert again.status_code == 200, again.text


async def test_an_organization_without_a_limit_gets_the_default(
    sqlite_url: str, livekit_server: LiveKitServer
) -> None:
    tenant = await seed_tenant(sqlite_url, credits_amount=100, agent=TEXT_AGENT)
    settings = make_settings(
        sqlite_url, livekit_server, reconcile_interval_seconds=0, default_max_concurrent_sessions=2
    )
    async with issuer_client(settings) as client:

        async def chat() -> httpx.Response:
            body = {"agent_id": tenant.agent_id}
            return await client.post("/v1/sessions/chat", json=body, headers=tenant.headers)

        assert [(await chat()).status_code for _ in range(2)] == [200, 200]
        refused = await chat()
        assert_error(refused, 429, "concurrency_limit")
        assert int(refused.headers["Retry-After"]) > 0
        # The operator's own limit for the organization wins over the default.
        run_cli(sqlite_url, "admin", "set-concurrency", "--org", tenant.org_id, "--max", "3")
        assert (await chat()).status_code == 200
        assert_error(await chat(), 429, "concurrency_limit")
        assert len(await sessions_of(client, tenant)) == 3


# -- creation rate limit -------------------------------------------------------------------


async def test_one_key_creating_too_fast_is_429_with_retry_after(
    sqlite_url: str, livekit_server: LiveKitServer
) -> None:
    tenant = await seed_tenant(sqlite_url, credits_amount=10_000)
    settings = make_settings(
        sqlite_url,
        livekit_server,
        reconcile_interval_seconds=0,
        session_create_burst=3,
        session_create_per_second=0.5,
    )
    async with issuer_client(settings) as client:
        burst = await asyncio.gather(*(voice(client, tenant) for _ in range(3)))
        assert [r.status_code for r in burst] == [200, 200, 200]
        refused = await voice(client, tenant)
        error = assert_error(refused, 429, "rate_limited")
        assert error["type"] == "rate_limit_error"
        assert int(refused.headers["Retry-After"]) == 2  # one creation every 2 s
        chat = await client.post(
            "/v1/sessions/chat", json={"agent_id": tenant.agent_id}, headers=tenant.headers
        )
        assert_error(chat, 429, "rate_limited")
        # Refused before anything was held or recorded.
        assert await credits_of(client, tenant) == {
            "balance": 10_000,
            "held": 300,
            "available": 9_700,
        }
        assert len(await sessions_of(client, tenant)) == 3

        # The limit is the key's: another key of the organization still creates.
        other = run_cli(
            sqlite_url, "admin", "create-key", "--org", tenant.org_id, "--user", tenant.user_id
        )
        other_key = Tenant(
            tenant.org_id, tenant.user_id, other["api_key"], other["key_id"], tenant.agent_id
        )
        assert (await voice(client, other_key)).status_code == 200

        # After Retry-After, the key creates again.
        for _ in range(5):
            response = await voice(client, tenant)
            if response.status_code != 429:
                break
            await asyncio.sleep(int(response.headers["Retry-After"]))
        assert response.status_code == 200, response.text


# -- Idempotency-Key ----------------------------------------------------------------------


async def test_a_replayed_voice_request_returns_the_same_session(
    client: httpx.AsyncClient, database_url: str, livekit_server: LiveKitServer
) -> None:
    tenant = await seed_tenant(database_url, credits_amount=1000)
    first = await voice(client, tenant, key="order-42", metadata={"order": 42})
    assert first.status_code == 200, first.text
    assert "Idempotent-Replayed" not in first.headers
    replay = await voice(client, tenant, key="order-42", metadata={"order": 42})
    assert replay.status_code == 200, replay.text
    assert replay.headers["Idempotent-Replayed"] == "true"

    a, b = first.json(), replay.json()
    for field in ("session_id", "room_name", "livekit_url", "agent_name"):
        assert a[field] == b[field]
    # A fresh token for the same user and room (tokens are never stored).
    claims = jwt.decode(b["token"], livekit_server.api_secret, algorithms=["HS256"])
    assert (claims["sub"], claims["video"]["room"]) == (tenant.user_id, a["room_name"])

    # One session, one hold, one room.
    assert [s["id"] for s in await sessions_of(client, tenant)] == [a["session_id"]]
    assert await credits_of(client, tenant) == {"balance": 1000, "held": 100, "available": 900}
    assert await rooms_named(livekit_server, a["room_name"]) == 1

    # The replay holds even after the session ended (same response, nothing new).
    await client.post(f"/v1/sessions/{a['session_id']}/end", headers=tenant.headers)
    late = await voice(client, tenant, key="order-42", metadata={"order": 42})
    assert late.json()["session_id"] == a["session_id"]
    assert len(await sessions_of(client, tenant)) == 1


async def test_the_same_key_with_another_request_is_409(
    client: httpx.AsyncClient, database_url: str
) -> None:
    tenant = await seed_tenant(database_url, credits_amount=1000, agent=TEXT_AGENT)
    assert (await voice(client, tenant, key="k1")).status_code == 400  # text agent: no voice
    chat = await client.post(
        "/v1/sessions/chat",
        json={"agent_id": tenant.agent_id},
        headers={**tenant.headers, "Idempotency-Key": "k1"},
    )
    assert chat.status_code == 200, chat.text  # the failed request did not use the key
    again = await client.post(
        "/v1/sessions/chat",
        json={"agent_id": tenant.agent_id},
        headers={**tenant.headers, "Idempotency-Key": "k1"},
    )
    assert again.json() == chat.json()
    assert again.headers["Idempotent-Replayed"] == "true"

    different = await client.post(
        "/v1/sessions/chat",
        json={"agent_id": tenant.agent_id, "metadata": {"x": 1}},
        headers={**tenant.headers, "Idempotency-Key": "k1"},
    )
    error = assert_error(different, 409, "idempotency_conflict")
    assert error["param"] == "Idempotency-Key"
    assert_error(await voice(client, tenant, key="k1"), 409, "idempotency_conflict")
    assert len(await sessions_of(client, tenant)) == 1


async def test_keys_are_scoped_to_the_organization(
    client: httpx.AsyncClient, database_url: str
) -> None:
    acme = await seed_tenant(database_url, credits_amount=1000)
    other = await seed_tenant(database_url, credits_amount=1000, user_id="bob")
    a = await voice(client, acme, key="shared-key")
    b = await voice(client, other, key="shared-key")
    assert a.status_code == b.status_code == 200
    assert a.json()["session_id"] != b.json()["session_id"]


async def test_concurrent_retries_with_one_key_create_one_session(
    client: httpx.AsyncClient, database_url: str
) -> None:
    tenant = await seed_tenant(database_url, credits_amount=1000)
    responses = await asyncio.gather(*(voice(client, tenant, key="burst") for _ in range(5)))
    ok = [r for r in responses if r.status_code == 200]
    assert ok, [r.text for r in responses]
    for r in responses:
        if r.status_code != 200:
            assert_error(r, 409, "idempotency_conflict")  # "still in progress"
    assert len({r.json()["session_id"] for r in ok}) == 1
    assert len(await sessions_of(client, tenant)) == 1
    assert await credits_of(client, tenant) == {"balance": 1000, "held": 100, "available": 900}
    # Once the first finished, a retry is a replay.
    retry = await voice(client, tenant, key="burst")
    assert retry.json()["session_id"] == ok[0].json()["session_id"]


async def test_a_failed_creation_does_not_use_up_its_key(
    sqlite_url: str, livekit_server: LiveKitServer
) -> None:
    tenant = await seed_tenant(sqlite_url, credits_amount=1000)
    down = make_settings(
        sqlite_url, None, reconcile_interval_seconds=0, livekit_timeout_seconds=1.0
    )
    async with issuer_client(down) as client:
        assert_error(await voice(client, tenant, key="retry-me"), 503, "livekit_unavailable")
    up = make_settings(sqlite_url, livekit_server, reconcile_interval_seconds=0)
    async with issuer_client(up) as client:
        retried = await voice(client, tenant, key="retry-me")
        assert retried.status_code == 200, retried.text
        listed = await sessions_of(client, tenant)
        assert [s["status"] for s in listed] == ["created", "failed"]
        assert await credits_of(client, tenant) == {"balance": 1000, "held": 100, "available": 900}


@pytest.mark.parametrize("key", ["", "x" * 256, "caf\u00e9", "with space"])
async def test_malformed_keys_are_400(
    client: httpx.AsyncClient, database_url: str, key: str
) -> None:
    tenant = await seed_tenant(database_url, credits_amount=1000)
    headers = [(k.encode(), v.encode()) for k, v in tenant.headers.items()]
    headers.append((b"Idempotency-Key", key.encode()))
    response = await client.post(
        "/v1/sessions/voice", json={"agent_id": tenant.agent_id}, headers=headers
    )
    error = assert_error(response, 400, "invalid_request")
    assert error["param"] == "Idempotency-Key"

"""Create Voice Session against a real livekit-server, one test per status code."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import jwt
import pytest
from livekit import api

from callwright_devstack.api import assert_error, credits_of, issuer_client, session_of
from callwright_devstack.database import database
from callwright_devstack.services.callwright_process import run_cli
from callwright_devstack.services.livekit_server import LiveKitServer
from callwright_devstack.tenants import Tenant, make_settings, seed_tenant
from callwright_shared.billing import credits
from callwright_shared.calls.room_names import parse_room_name

pytestmark = pytest.mark.livekit


@pytest.fixture
async def tenant(sqlite_url: str) -> Tenant:
    return await seed_tenant(sqlite_url, credits_amount=1000)


@pytest.fixture
async def client(
    sqlite_url: str, livekit_server: LiveKitServer
) -> AsyncIterator[httpx.AsyncClient]:
    async with issuer_client(make_settings(sqlite_url, livekit_server)) as c:
        yield c


@pytest.fixture
async def lkapi(livekit_server: LiveKitServer) -> AsyncIterator[api.LiveKitAPI]:
    client = api.LiveKitAPI(
        livekit_server.http_url, livekit_server.api_key, livekit_server.api_secret
    )
    yield client
    await client.aclose()


async def test_200_creates_room_with_dispatch_and_a_scoped_token(
    client: httpx.AsyncClient, tenant: Tenant, lkapi: api.LiveKitAPI, livekit_server: LiveKitServer
) -> None:
    response = await client.post(
        "/v1/sessions/voice",
        json={"agent_id": tenant.agent_id, "metadata": {"ticket": 42}},
        headers=tenant.headers,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {
        "room_name",
        "token",
        "livekit_url",
        "agent_name",
        "session_id",
        "expires_at",
        "variables",
        "applied_overrides",
    }
    assert body["agent_name"] == "Support"
    assert body["livekit_url"] == livekit_server.url
    assert body["session_id"].startswith("ses_")
    parsed = parse_room_name(body["room_name"])
    assert (parsed.agent_id, parsed.user_id) == (tenant.agent_id, tenant.user_id)

    rooms = await lkapi.room.list_rooms(api.ListRoomsRequest(names=[body["room_name"]]))
    assert [r.name for r in rooms.rooms] == [body["room_name"]]
    assert rooms.rooms[0].max_participants == 2
    dispatches = await lkapi.agent_dispatch.list_dispatch(body["room_name"])
    assert [d.agent_name for d in dispatches] == ["callwright-agent"]
    assert f'"session_id":"{body["session_id"]}"' in dispatches[0].metadata

    claims = jwt.decode(body["token"], livekit_server.api_secret, algorithms=["HS256"])
    assert claims["sub"] == tenant.user_id
    assert claims["iss"] == livekit_server.api_key
    video = claims["video"]
    assert video["room"] == body["room_name"]
    assert video["roomJoin"] is True
    assert video["canPublish"] is True and video["canSubscribe"] is True
    assert video.get("roomCreate") is None and video.get("roomAdmin") is None
    assert claims["exp"] - claims["nbf"] == 3600
    expires_at = datetime.fromisoformat(body["expires_at"])
    assert expires_at == datetime.fromtimestamp(claims["exp"], UTC)

    # The hold is 10 minutes at 10 credits per minute (agent defaults).
    assert await credits_of(client, tenant) == {"balance": 1000, "held": 100, "available": 900}
    session = await session_of(client, tenant, body["session_id"])
    assert session["status"] == "created"
    assert session["credits_held"] == 100
    assert session["metadata"] == {"ticket": 42}


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"[]",
        b"{}",
        b'{"agent_id": 5}',
        b'{"agent_id": "5b710eca", "extra": 1}',
        b'{"agent_id": "5b710eca", "metadata": "x"}',
    ],
)
async def test_400_bad_body(client: httpx.AsyncClient, tenant: Tenant, body: bytes) -> None:
    response = await client.post(
        "/v1/sessions/voice",
        content=body,
        headers={**tenant.headers, "Content-Type": "application/json"},
    )
    assert_error(response, 400, "invalid_request")


async def test_400_metadata_over_4kb(client: httpx.AsyncClient, tenant: Tenant) -> None:
    response = await client.post(
        "/v1/sessions/voice",
        json={"agent_id": tenant.agent_id, "metadata": {"blob": "x" * 5000}},
        headers=tenant.headers,
    )
    error = assert_error(response, 400, "invalid_request")
    assert error["param"] == "metadata"


async def test_400_text_agent(client: httpx.AsyncClient, tenant: Tenant) -> None:
    created = await client.post(
        "/v1/agents", json={"name": "Texty", "architecture": "text"}, headers=tenant.headers
    )
    assert created.status_code == 200, created.text
    response = await client.post(
        "/v1/sessions/voice", json={"agent_id": created.json()["id"]}, headers=tenant.headers
    )
    assert_error(response, 400, "agent_architecture_unsupported")
    assert await credits_of(client, tenant) == {"balance": 1000, "held": 0, "available": 1000}


@pytest.mark.parametrize(
    "headers",
    [{}, {"X-API-Key": "nope"}, {"X-API-Key": "cw_00000000_" + "A" * 43}],
    ids=["missing", "malformed", "unknown"],
)
async def test_401_missing_or_wrong_key(
    client: httpx.AsyncClient, tenant: Tenant, headers: dict[str, str]
) -> None:
    response = await client.post(
        "/v1/sessions/voice", json={"agent_id": tenant.agent_id}, headers=headers
    )
    assert_error(response, 401, "invalid_api_key")


async def test_401_wrong_secret_with_a_real_prefix(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    prefix = tenant.api_key[: len("cw_00000000")]
    response = await client.post(
        "/v1/sessions/voice",
        json={"agent_id": tenant.agent_id},
        headers={"X-API-Key": f"{prefix}_{'B' * 43}"},
    )
    assert_error(response, 401, "invalid_api_key")


async def test_401_before_400(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/sessions/voice", content=b"{broken", headers={"X-API-Key": "bad"}
    )
    assert_error(response, 401, "invalid_api_key")


async def test_401_revoked_key(client: httpx.AsyncClient, tenant: Tenant, sqlite_url: str) -> None:
    revoked = run_cli(sqlite_url, "admin", "revoke-key", "--key-id", tenant.key_id)
    assert revoked == {"key_id": tenant.key_id, "revoked": True}
    response = await client.post(
        "/v1/sessions/voice", json={"agent_id": tenant.agent_id}, headers=tenant.headers
    )
    error = assert_error(response, 401, "invalid_api_key")
    assert "revoked" in error["message"]


async def test_402_insufficient_credits(client: httpx.AsyncClient, sqlite_url: str) -> None:
    poor = await seed_tenant(sqlite_url, credits_amount=9, user_id="poor")
    response = await client.post(
        "/v1/sessions/voice", json={"agent_id": poor.agent_id}, headers=poor.headers
    )
    assert_error(response, 402, "insufficient_credits")
    assert await credits_of(client, poor) == {"balance": 9, "held": 0, "available": 9}
    listed = (await client.get("/v1/sessions", headers=poor.headers)).json()
    assert listed == {"object": "list", "data": [], "has_more": False}


async def test_a_hold_shrinks_to_the_credits_left_down_to_one_minute(
    client: httpx.AsyncClient, sqlite_url: str
) -> None:
    # 10 credits a minute, 600 s: a full call holds 100.
    tenant = await seed_tenant(sqlite_url, credits_amount=165, user_id="frugal")

    async def create() -> httpx.Response:
        return await client.post(
            "/v1/sessions/voice", json={"agent_id": tenant.agent_id}, headers=tenant.headers
        )

    async def held_and_limit(response: httpx.Response) -> tuple[int, int]:
        assert response.status_code == 200, response.text
        session_id = response.json()["session_id"]
        session = await session_of(client, tenant, session_id)
        return session["credits_held"], session["max_duration_seconds"]

    assert await held_and_limit(await create()) == (100, 600)  # the full call
    assert await held_and_limit(await create()) == (65, 390)  # what is left: 6.5 minutes
    assert await credits_of(client, tenant) == {"balance": 165, "held": 165, "available": 0}
    assert_error(await create(), 402, "insufficient_credits")
    async with database(sqlite_url) as db:  # the ledger has both holds, once each
        assert await credits.ledger_totals(db, tenant.org_id) == credits.Balance(165, 165)


async def test_402_below_one_minute_even_when_the_whole_call_would_fit(
    client: httpx.AsyncClient, sqlite_url: str
) -> None:
    # A 30 s agent at 10 a minute would hold 5, but a call needs a minute's credits.
    tenant = await seed_tenant(
        sqlite_url, credits_amount=9, user_id="short", agent={"max_duration_seconds": 30}
    )
    response = await client.post(
        "/v1/sessions/voice", json={"agent_id": tenant.agent_id}, headers=tenant.headers
    )
    assert_error(response, 402, "insufficient_credits")
    assert await credits_of(client, tenant) == {"balance": 9, "held": 0, "available": 9}
    run_cli(sqlite_url, "admin", "add-credits", "--org", tenant.org_id, "--amount", "1")
    response = await client.post(
        "/v1/sessions/voice", json={"agent_id": tenant.agent_id}, headers=tenant.headers
    )
    assert response.status_code == 200, response.text
    assert await credits_of(client, tenant) == {"balance": 10, "held": 5, "available": 5}


async def test_404_unknown_agent(client: httpx.AsyncClient, tenant: Tenant) -> None:
    response = await client.post(
        "/v1/sessions/voice", json={"agent_id": "0123456789abcdef"}, headers=tenant.headers
    )
    error = assert_error(response, 404, "agent_not_found")
    assert error["param"] == "agent_id"


async def test_404_other_organizations_agent(
    client: httpx.AsyncClient, tenant: Tenant, sqlite_url: str
) -> None:
    other = await seed_tenant(sqlite_url, user_id="mallory")
    response = await client.post(
        "/v1/sessions/voice", json={"agent_id": tenant.agent_id}, headers=other.headers
    )
    assert_error(response, 404, "agent_not_found")
    assert (
        await client.get(f"/v1/agents/{tenant.agent_id}", headers=other.headers)
    ).status_code == 404
    assert await credits_of(client, tenant) == {"balance": 1000, "held": 0, "available": 1000}


async def test_503_livekit_unreachable_leaves_no_hold(sqlite_url: str, tenant: Tenant) -> None:
    settings = make_settings(sqlite_url, None, livekit_timeout_seconds=2.0)
    async with issuer_client(settings) as client:
        response = await client.post(
            "/v1/sessions/voice", json={"agent_id": tenant.agent_id}, headers=tenant.headers
        )
        assert_error(response, 503, "livekit_unavailable")
        assert response.headers["Retry-After"]
        assert await credits_of(client, tenant) == {"balance": 1000, "held": 0, "available": 1000}
        listed = (await client.get("/v1/sessions", headers=tenant.headers)).json()["data"]
        # The attempt stays on record as failed, holding and charging nothing.
        assert [(s["status"], s["end_reason"], s["credits_charged"]) for s in listed] == [
            ("failed", "livekit_unavailable", 0)
        ]


async def test_end_session_deletes_the_room_and_is_idempotent(
    client: httpx.AsyncClient, tenant: Tenant, lkapi: api.LiveKitAPI
) -> None:
    created = (
        await client.post(
            "/v1/sessions/voice", json={"agent_id": tenant.agent_id}, headers=tenant.headers
        )
    ).json()
    first = await client.post(f"/v1/sessions/{created['session_id']}/end", headers=tenant.headers)
    assert first.status_code == 200, first.text
    assert (first.json()["status"], first.json()["end_reason"]) == ("ended", "api_ended")
    assert first.json()["credits_charged"] == 0  # no agent time recorded
    rooms = await lkapi.room.list_rooms(api.ListRoomsRequest(names=[created["room_name"]]))
    assert list(rooms.rooms) == []
    second = await client.post(f"/v1/sessions/{created['session_id']}/end", headers=tenant.headers)
    assert second.json() == first.json()
    assert await credits_of(client, tenant) == {"balance": 1000, "held": 0, "available": 1000}


async def test_sessions_of_another_organization_are_404(
    client: httpx.AsyncClient, tenant: Tenant, sqlite_url: str
) -> None:
    created = (
        await client.post(
            "/v1/sessions/voice", json={"agent_id": tenant.agent_id}, headers=tenant.headers
        )
    ).json()
    other = await seed_tenant(sqlite_url, user_id="eve")
    for response in (
        await client.get(f"/v1/sessions/{created['session_id']}", headers=other.headers),
        await client.post(f"/v1/sessions/{created['session_id']}/end", headers=other.headers),
    ):
        assert_error(response, 404, "session_not_found")
    assert (await client.get("/v1/sessions", headers=other.headers)).json()["data"] == []


async def test_room_names_are_never_issued_twice(client: httpx.AsyncClient, tenant: Tenant) -> None:
    responses = await asyncio.gather(
        *(
            client.post(
                "/v1/sessions/voice", json={"agent_id": tenant.agent_id}, headers=tenant.headers
            )
            for _ in range(8)
        )
    )
    names = [r.json()["room_name"] for r in responses]
    assert all(r.status_code == 200 for r in responses)
    assert len(set(names)) == 8

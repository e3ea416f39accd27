"""Variables and overrides on Create Voice / Chat Session, on both databases:
every problem is a 400 with code and param and leaves nothing held, no session and no
room; what is accepted is rendered once and kept with the session (the snapshot)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from livekit import api

from callwright_devstack.api import assert_error, credits_of, issuer_client, session_of
from callwright_devstack.emulators import OpenAIEmulator
from callwright_devstack.services.livekit_server import LiveKitServer
from callwright_devstack.tenants import Tenant, seed_tenant
from tests.livekit.test_chat_sessions import PROVIDER_KEY, chat_settings, send

pytestmark = pytest.mark.livekit

SECRET = "sk-customer-secret-0000"
AGENT: dict[str, Any] = {
    "instructions": "You help {{ name }} with order {{ order }}. VIP: {{ vip }}.",
    "greeting": "Hello {{ name }}!",
    "variables": {
        "name": {"required": True, "description": "the caller's first name"},
        "order": {"type": "number", "default": 0},
        "vip": {"type": "boolean", "default": False},
        "crm_token": {"required": True, "secret": True},
    },
    "overridable": ["greeting", "max_duration_seconds"],
    "timezone": "Europe/Paris",
}
GOOD = {"name": "Ada", "order": 42, "crm_token": SECRET}


@pytest.fixture
async def tenant(database_url: str) -> Tenant:
    return await seed_tenant(database_url, credits_amount=1000, agent=AGENT)


@pytest.fixture
async def lkapi(livekit_server: LiveKitServer) -> AsyncIterator[api.LiveKitAPI]:
    client = api.LiveKitAPI(
        livekit_server.http_url, livekit_server.api_key, livekit_server.api_secret
    )
    try:
        yield client
    finally:
        await client.aclose()


REFUSALS = [
    ({**GOOD, "surname": "L"}, None, "unknown_variable", "variables.surname"),
    ({"name": "Ada"}, None, "missing_variable", "variables.crm_token"),
    ({**GOOD, "order": "42"}, None, "invalid_variable", "variables.order"),
    ({**GOOD, "vip": 1}, None, "invalid_variable", "variables.vip"),
    ({**GOOD, "name": "x" * 2049}, None, "invalid_variable", "variables.name"),
    (GOOD, {"instructions": "Be rude."}, "override_not_allowed", "overrides.instructions"),
    (GOOD, {"max_duration_seconds": 601}, "override_not_allowed", "overrides.max_duration_seconds"),
    (GOOD, {"greeting": "Hi {{ crm_token }}"}, "invalid_request", "overrides.greeting"),
    (GOOD, {"greeting": 7}, "invalid_request", "overrides.greeting"),
    ({f"v{i}": 1 for i in range(65)}, None, "invalid_request", "variables"),
]


@pytest.mark.parametrize(("variables", "overrides", "code", "param"), REFUSALS)
async def test_every_problem_is_a_400_with_nothing_held_or_created(
    client: httpx.AsyncClient,
    tenant: Tenant,
    lkapi: api.LiveKitAPI,
    variables: dict[str, Any],
    overrides: dict[str, Any] | None,
    code: str,
    param: str,
) -> None:
    body: dict[str, Any] = {"agent_id": tenant.agent_id, "variables": variables}
    if overrides is not None:
        body["overrides"] = overrides
    for path in ("/v1/sessions/voice", "/v1/sessions/chat"):
        response = await client.post(path, json=body, headers=tenant.headers)
        error = assert_error(response, 400, code)
        assert error["param"] == param
        assert SECRET not in response.text
    assert await credits_of(client, tenant) == {"balance": 1000, "held": 0, "available": 1000}
    listed = await client.get("/v1/sessions", headers=tenant.headers)
    assert listed.json()["data"] == []
    rooms = await lkapi.room.list_rooms(api.ListRoomsRequest())
    assert not [r for r in rooms.rooms if tenant.agent_id in r.name]


async def test_agent_save_refuses_bad_templates(client: httpx.AsyncClient, tenant: Tenant) -> None:
    cases = [
        ({"instructions": "Hi {{ nobody }}"}, "instructions"),
        ({"greeting": "Your token is {{ crm_token }}"}, "greeting"),
        ({"instructions": "Stray {{ 9 }}"}, "instructions"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"overridable": ["llm_model"]}, "overridable.0"),
    ]
    for change, param in cases:
        response = await client.patch(
            f"/v1/agents/{tenant.agent_id}", json=change, headers=tenant.headers
        )
        assert assert_error(response, 400, "invalid_request")["param"] == param, change
    created = await client.post(
        "/v1/agents",
        json={"name": "B", "architecture": "text", "instructions": "{{ x }}"},
        headers=tenant.headers,
    )
    assert assert_error(created, 400, "invalid_request")["param"] == "instructions"


async def test_the_session_keeps_what_it_was_created_with(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    response = await client.post(
        "/v1/sessions/voice",
        json={
            "agent_id": tenant.agent_id,
            "variables": GOOD,
            "overrides": {"greeting": "Bonjour {{ name }}", "max_duration_seconds": 120},
        },
        headers=tenant.headers,
    )
    assert response.status_code == 200, response.text
    created = response.json()
    assert created["variables"] == {**GOOD, "vip": False, "crm_token": "[redacted]"}
    assert created["applied_overrides"] == ["greeting", "max_duration_seconds"]
    assert SECRET not in response.text

    edited = await client.patch(
        f"/v1/agents/{tenant.agent_id}",
        json={"instructions": "Changed.", "greeting": None},
        headers=tenant.headers,
    )
    assert edited.status_code == 200, edited.text
    session = await session_of(client, tenant, created["session_id"])
    ran = session["config"]
    assert ran["agent"]["instructions"] == "You help Ada with order 42. VIP: false."
    assert ran["agent"]["greeting"] == "Bonjour Ada"
    assert ran["overrides"] == ["greeting", "max_duration_seconds"]
    assert ran["variables"]["crm_token"] == "[redacted]"
    # The override lowered the call's limit, and with it the hold.
    assert session["max_duration_seconds"] == 120
    raw = await client.get(f"/v1/sessions/{created['session_id']}", headers=tenant.headers)
    assert SECRET not in raw.text


async def test_send_message_runs_the_snapshot_not_the_edited_agent(
    database_url: str, livekit_server: LiveKitServer
) -> None:
    tenant = await seed_tenant(
        database_url,
        credits_amount=100,
        agent={**AGENT, "architecture": "text", "credits_per_message": 1},
    )
    async with (
        OpenAIEmulator(reply="Sure.", require_key=PROVIDER_KEY) as emulator,
        issuer_client(chat_settings(database_url, livekit_server, emulator)) as client,
    ):
        created = await client.post(
            "/v1/sessions/chat",
            json={"agent_id": tenant.agent_id, "variables": {**GOOD, "vip": True}},
            headers=tenant.headers,
        )
        assert created.status_code == 200, created.text
        session_id = created.json()["session_id"]
        edited = await client.patch(
            f"/v1/agents/{tenant.agent_id}",
            json={"instructions": "Changed."},
            headers=tenant.headers,
        )
        assert edited.status_code == 200, edited.text
        reply = await send(client, tenant, session_id, "hello")
        assert reply.status_code == 200, reply.text
        system = emulator.chat_requests[-1]["messages"][0]
        assert system == {
            "role": "system",
            "content": "You help Ada with order 42. VIP: true.",
        }
        assert SECRET not in str(emulator.chat_requests)


async def test_a_voice_override_must_be_on_offer_and_a_replay_answers_the_same(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    allowed = await client.patch(
        f"/v1/agents/{tenant.agent_id}",
        json={"overridable": ["tts_voice"]},
        headers=tenant.headers,
    )
    assert allowed.status_code == 200, allowed.text
    body = {"agent_id": tenant.agent_id, "variables": GOOD}
    refused = await client.post(
        "/v1/sessions/voice",
        json={**body, "overrides": {"tts_voice": "not-a-voice"}},
        headers=tenant.headers,
    )
    assert assert_error(refused, 400, "invalid_request")["param"] == "overrides.tts.voice"

    headers = {**tenant.headers, "Idempotency-Key": "vars-1"}
    first = await client.post("/v1/sessions/voice", json=body, headers=headers)
    again = await client.post("/v1/sessions/voice", json=body, headers=headers)
    assert first.status_code == again.status_code == 200, again.text
    assert again.json()["session_id"] == first.json()["session_id"]
    assert again.json()["variables"] == first.json()["variables"]
    other = {**body, "variables": {**GOOD, "name": "Grace"}}
    conflict = await client.post("/v1/sessions/voice", json=other, headers=headers)
    assert_error(conflict, 409, "idempotency_conflict")

"""A `sessions` key runs a chat widget's proxy on both databases: it creates a chat
session, sends it messages (plain and streamed) and ends it; another organization's session
is 404 to it, and reading sessions stays a `full` key's (docs/decisions.md#key-scopes)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from callwright_devstack.api import assert_error, issuer_client
from callwright_devstack.emulators import OpenAIEmulator
from callwright_devstack.tenants import Tenant, make_settings, seed_tenant

pytestmark = pytest.mark.database

PROVIDER_KEY = "sk-test-sessions-scope-0123456789"
REPLY = "Your order ships today."


@pytest.fixture
async def emulator() -> AsyncIterator[OpenAIEmulator]:
    async with OpenAIEmulator(reply=REPLY, require_key=PROVIDER_KEY) as emu:
        yield emu


@pytest.fixture
async def client(database_url: str, emulator: OpenAIEmulator) -> AsyncIterator[httpx.AsyncClient]:
    settings = make_settings(
        database_url,
        None,
        openai_base_url=emulator.base_url,
        openai_api_key=PROVIDER_KEY,
        reconcile_interval_seconds=0,
    )
    async with issuer_client(settings) as c:
        yield c


async def ok(response: httpx.Response) -> Any:
    assert response.status_code == 200, response.text
    return response.json()


async def sessions_key(client: httpx.AsyncClient, tenant: Tenant) -> dict[str, str]:
    created = await ok(
        await client.post("/v1/api-keys", json={"scope": "sessions"}, headers=tenant.headers)
    )
    assert created["scope"] == "sessions"
    return {"X-API-Key": created["api_key"]}


async def test_a_sessions_key_sends_chat_messages_to_its_own_sessions(
    client: httpx.AsyncClient, database_url: str
) -> None:
    tenant = await seed_tenant(database_url)
    proxy = await sessions_key(client, tenant)

    chat = await ok(
        await client.post("/v1/sessions/chat", json={"agent_id": tenant.agent_id}, headers=proxy)
    )
    path = f"/v1/sessions/{chat['session_id']}/messages"
    reply = await ok(await client.post(path, json={"message": "Where is A42?"}, headers=proxy))
    assert reply["message"] == {"role": "assistant", "content": REPLY}

    async with client.stream(
        "POST",
        path,
        json={"message": "And A43?"},
        headers={**proxy, "Accept": "text/event-stream"},
    ) as streamed:
        assert streamed.status_code == 200
        events = [line async for line in streamed.aiter_lines() if line.startswith("event:")]
    assert events[-1] == "event: message.completed", events

    # Reading the transcript back is not the proxy's business: that stays `full`.
    assert_error(
        await client.get(f"/v1/sessions/{chat['session_id']}", headers=proxy),
        403,
        "insufficient_scope",
    )
    transcript = await ok(
        await client.get(f"/v1/sessions/{chat['session_id']}", headers=tenant.headers)
    )
    assert transcript["status"] == "active"

    # Another organization's session is as unknown to this key as to any of its keys.
    other = await seed_tenant(database_url)
    theirs = await ok(
        await client.post(
            "/v1/sessions/chat", json={"agent_id": other.agent_id}, headers=other.headers
        )
    )
    assert_error(
        await client.post(
            f"/v1/sessions/{theirs['session_id']}/messages",
            json={"message": "hello"},
            headers=proxy,
        ),
        404,
        "session_not_found",
    )

    ended = await ok(await client.post(f"/v1/sessions/{chat['session_id']}/end", headers=proxy))
    assert ended["status"] == "ended"

"""Prices are the operator's (docs/decisions.md#operator-prices), and so are the models.

A tenant's API key can neither set nor lower a price; the operator sets them with the real
`callwright admin set-price`; agents and sessions show the effective price read-only; a
model, voice or provider outside the operator's allowlist is 400 with `param`.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from callwright_devstack.api import (
    assert_error,
    create_voice_session,
    credits_of,
    issuer_client,
    session_of,
)
from callwright_devstack.services.callwright_process import run_cli
from callwright_devstack.tenants import Tenant, seed_tenant
from callwright_shared.settings import CallwrightSettings

pytestmark = pytest.mark.livekit


async def agent_of(client: httpx.AsyncClient, tenant: Tenant, agent_id: str) -> dict[str, Any]:
    response = await client.get(f"/v1/agents/{agent_id}", headers=tenant.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def agent_ids(client: httpx.AsyncClient, tenant: Tenant) -> list[str]:
    response = await client.get("/v1/agents", params={"limit": 100}, headers=tenant.headers)
    assert response.status_code == 200, response.text
    return [agent["id"] for agent in response.json()["data"]]


@pytest.mark.parametrize("field", ["credits_per_minute", "credits_per_message"])
async def test_a_tenant_cannot_create_an_agent_with_a_price(
    client: httpx.AsyncClient, database_url: str, field: str
) -> None:
    tenant = await seed_tenant(database_url)
    before = await agent_ids(client, tenant)
    response = await client.post(
        "/v1/agents",
        json={"name": "Free", "architecture": "pipeline", field: 0},
        headers=tenant.headers,
    )
    error = assert_error(response, 400, "invalid_request")
    assert error["param"] == field
    assert "operator" in error["message"]
    assert await agent_ids(client, tenant) == before


@pytest.mark.parametrize("field", ["credits_per_minute", "credits_per_message"])
async def test_a_tenant_cannot_lower_or_raise_a_price(
    client: httpx.AsyncClient, database_url: str, field: str
) -> None:
    tenant = await seed_tenant(database_url, agent={"credits_per_minute": 6})
    before = await agent_of(client, tenant, tenant.agent_id)
    for price in (0, 1, 1000):
        response = await client.patch(
            f"/v1/agents/{tenant.agent_id}",
            json={"name": "Renamed", field: price},
            headers=tenant.headers,
        )
        assert assert_error(response, 400, "invalid_request")["param"] == field
    assert await agent_of(client, tenant, tenant.agent_id) == before
    assert before["credits_per_minute"] == 6


async def test_the_f1_repro_no_longer_gives_a_free_call(
    client: httpx.AsyncClient, database_url: str
) -> None:
    """The review's repro: balance 0, an agent priced 0 by the tenant → 200 with 0 held."""
    tenant = await seed_tenant(database_url, credits_amount=0)
    free = {"name": "free", "architecture": "pipeline", "max_duration_seconds": 14400}
    refused = await client.post(
        "/v1/agents", json={**free, "credits_per_minute": 0}, headers=tenant.headers
    )
    assert assert_error(refused, 400, "invalid_request")["param"] == "credits_per_minute"

    created = await client.post("/v1/agents", json=free, headers=tenant.headers)
    assert created.status_code == 200, created.text
    agent = created.json()
    assert agent["credits_per_minute"] == 10  # the default of settings, not 0
    assert agent["credits_per_message"] == 1

    response = await client.post(
        "/v1/sessions/voice", json={"agent_id": agent["id"]}, headers=tenant.headers
    )
    assert_error(response, 402, "insufficient_credits")
    assert await credits_of(client, tenant) == {"balance": 0, "held": 0, "available": 0}


async def test_an_operator_price_of_zero_is_honoured(
    client: httpx.AsyncClient, database_url: str
) -> None:
    tenant = await seed_tenant(database_url, credits_amount=0)
    set_price = run_cli(
        database_url,
        "admin",
        "set-price",
        "--org",
        tenant.org_id,
        "--agent",
        tenant.agent_id,
        "--credits-per-minute",
        "0",
    )
    assert set_price == {
        "org_id": tenant.org_id,
        "agent_id": tenant.agent_id,
        "credits_per_minute": 0,
        "credits_per_message": None,
        "credits_per_analysis": None,
    }
    assert (await agent_of(client, tenant, tenant.agent_id))["credits_per_minute"] == 0

    created = await create_voice_session(client, tenant)
    session = await session_of(client, tenant, created["session_id"])
    assert (session["credits_per_minute"], session["credits_held"]) == (0, 0)


async def test_agent_price_beats_org_price_beats_default_and_sessions_snapshot_it(
    client: httpx.AsyncClient, database_url: str
) -> None:
    tenant = await seed_tenant(database_url, credits_amount=100_000)
    agent = await agent_of(client, tenant, tenant.agent_id)
    assert agent["credits_per_minute"] == 10
    minutes = agent["max_duration_seconds"] // 60

    run_cli(database_url, "admin", "set-price", "--org", tenant.org_id, "--credits-per-minute", "7")
    assert (await agent_of(client, tenant, tenant.agent_id))["credits_per_minute"] == 7
    first = await create_voice_session(client, tenant)

    run_cli(
        database_url,
        "admin",
        "set-price",
        *("--org", tenant.org_id, "--agent", tenant.agent_id, "--credits-per-minute", "3"),
    )
    listed = (await client.get("/v1/agents", headers=tenant.headers)).json()["data"]
    assert [a["credits_per_minute"] for a in listed] == [3]
    second = await create_voice_session(client, tenant)

    # A later price change never reprices a session that already exists.
    first_session = await session_of(client, tenant, first["session_id"])
    second_session = await session_of(client, tenant, second["session_id"])
    assert (first_session["credits_per_minute"], first_session["credits_held"]) == (
        7,
        7 * minutes,
    )
    assert (second_session["credits_per_minute"], second_session["credits_held"]) == (
        3,
        3 * minutes,
    )

    cleared = run_cli(
        database_url,
        "admin",
        "set-price",
        *("--org", tenant.org_id, "--agent", tenant.agent_id, "--clear"),
    )
    assert cleared["credits_per_minute"] is None
    assert (await agent_of(client, tenant, tenant.agent_id))["credits_per_minute"] == 7


async def test_chat_sessions_carry_the_operator_price_per_message(
    client: httpx.AsyncClient, database_url: str
) -> None:
    tenant = await seed_tenant(database_url, agent={"architecture": "text"})
    agent = await agent_of(client, tenant, tenant.agent_id)
    assert (agent["credits_per_minute"], agent["credits_per_message"]) == (None, 1)
    run_cli(
        database_url, "admin", "set-price", "--org", tenant.org_id, "--credits-per-message", "4"
    )
    response = await client.post(
        "/v1/sessions/chat", json={"agent_id": tenant.agent_id}, headers=tenant.headers
    )
    assert response.status_code == 200, response.text
    session = await session_of(client, tenant, response.json()["session_id"])
    assert (session["credits_per_message"], session["credits_per_minute"]) == (4, None)


@pytest.mark.parametrize(
    ("fields", "param"),
    [
        ({"architecture": "pipeline", "llm_model": "o1-pro"}, "llm.model"),
        ({"architecture": "text", "llm_model": "gpt-4.5-preview"}, "llm.model"),
        ({"architecture": "pipeline", "stt_model": "whisper-large"}, "stt.model"),
        ({"architecture": "pipeline", "tts_model": "gpt-4o-audio"}, "tts.model"),
        ({"architecture": "pipeline", "tts_voice": "my-clone"}, "tts.voice"),
        ({"architecture": "realtime", "model": "gpt-4o-realtime-preview"}, "realtime.model"),
        ({"architecture": "realtime", "provider": "gemini", "voice": "alloy"}, "realtime.voice"),
    ],
)
async def test_a_model_outside_the_allowlist_is_refused(
    client: httpx.AsyncClient, database_url: str, fields: dict[str, str], param: str
) -> None:
    tenant = await seed_tenant(database_url)
    before = await agent_ids(client, tenant)
    response = await client.post(
        "/v1/agents", json={"name": "Pricey", **fields}, headers=tenant.headers
    )
    assert assert_error(response, 400, "invalid_request")["param"] == param
    assert await agent_ids(client, tenant) == before


async def test_patching_in_a_disallowed_model_changes_nothing(
    client: httpx.AsyncClient, database_url: str
) -> None:
    tenant = await seed_tenant(database_url)
    before = await agent_of(client, tenant, tenant.agent_id)
    response = await client.patch(
        f"/v1/agents/{tenant.agent_id}",
        json={"name": "Renamed", "llm_model": "o1-pro"},
        headers=tenant.headers,
    )
    assert assert_error(response, 400, "invalid_request")["param"] == "llm.model"
    assert await agent_of(client, tenant, tenant.agent_id) == before
    # Switching to realtime brings in the realtime default, which the allowlist offers.
    switched = await client.patch(
        f"/v1/agents/{tenant.agent_id}", json={"architecture": "realtime"}, headers=tenant.headers
    )
    assert switched.status_code == 200, switched.text
    assert switched.json()["credits_per_minute"] == 40
    assert switched.json()["credits_per_message"] is None


async def test_the_allowlist_is_the_operators_setting(
    settings: CallwrightSettings, database_url: str
) -> None:
    narrow = settings.model_copy(update={"allowed_llm_models": ("gpt-4.1-nano",)})
    tenant = await seed_tenant(database_url)
    async with issuer_client(narrow) as client:
        refused = await client.post(
            "/v1/agents", json={"name": "A", "architecture": "text"}, headers=tenant.headers
        )
        assert assert_error(refused, 400, "invalid_request")["param"] == "llm.model"
        allowed = await client.post(
            "/v1/agents",
            json={"name": "A", "architecture": "text", "llm_model": "gpt-4.1-nano"},
            headers=tenant.headers,
        )
        assert allowed.status_code == 200, allowed.text

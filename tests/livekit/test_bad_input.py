"""Bad input is 400 with `param`, never a 500, on SQLite and Postgres.

Postgres refuses NUL in text and NaN/Infinity in JSON; each of these once reached a query
and came back as 500 `internal_error`.
"""

from __future__ import annotations

import httpx
import pytest

from callwright_devstack.api import assert_error, create_voice_session, credits_of
from callwright_devstack.tenants import seed_tenant

pytestmark = pytest.mark.livekit

NUL = "\u0000"


@pytest.mark.parametrize("endpoint", ["/v1/sessions/voice", "/v1/sessions/chat"])
@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e400"])
async def test_non_finite_numbers_in_metadata_are_400(
    client: httpx.AsyncClient, database_url: str, endpoint: str, number: str
) -> None:
    tenant = await seed_tenant(database_url)
    body = f'{{"agent_id": "{tenant.agent_id}", "metadata": {{"score": {number}}}}}'
    response = await client.post(
        endpoint,
        content=body,
        headers={**tenant.headers, "Content-Type": "application/json"},
    )
    assert assert_error(response, 400, "invalid_request")["param"] == "metadata"
    assert (await credits_of(client, tenant))["held"] == 0
    listed = await client.get("/v1/sessions", headers=tenant.headers)
    assert listed.json()["data"] == []


@pytest.mark.parametrize("field", ["name", "llm_model", "instructions"])
async def test_nul_in_agent_fields_is_400(
    client: httpx.AsyncClient, database_url: str, field: str
) -> None:
    tenant = await seed_tenant(database_url)
    created = await client.post(
        "/v1/agents",
        json={"name": "Support", "architecture": "pipeline", field: f"bad{NUL}value"},
        headers=tenant.headers,
    )
    assert assert_error(created, 400, "invalid_request")["param"] == field
    patched = await client.patch(
        f"/v1/agents/{tenant.agent_id}", json={field: f"bad{NUL}"}, headers=tenant.headers
    )
    assert assert_error(patched, 400, "invalid_request")["param"] == field


async def test_line_breaks_stay_allowed_in_free_text_but_not_in_names(
    client: httpx.AsyncClient, database_url: str
) -> None:
    tenant = await seed_tenant(database_url)
    ok = await client.patch(
        f"/v1/agents/{tenant.agent_id}",
        json={"instructions": "Line one.\n\tLine two.\r\n"},
        headers=tenant.headers,
    )
    assert ok.status_code == 200, ok.text
    bad = await client.patch(
        f"/v1/agents/{tenant.agent_id}", json={"name": "Two\nlines"}, headers=tenant.headers
    )
    assert assert_error(bad, 400, "invalid_request")["param"] == "name"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/sessions/ses_x%00"),
        ("POST", "/v1/sessions/ses_x%00/end"),
        ("POST", "/v1/sessions/ses_x%00/messages"),
        ("GET", "/v1/agents/abc%00def"),
        ("PATCH", "/v1/agents/abc%00def"),
        ("DELETE", "/v1/agents/abc%00def"),
    ],
)
async def test_nul_in_a_path_id_is_400(
    client: httpx.AsyncClient, database_url: str, method: str, path: str
) -> None:
    tenant = await seed_tenant(database_url)
    body = {"message": "hi"} if path.endswith("/messages") else {}
    response = await client.request(method, path, json=body, headers=tenant.headers)
    error = assert_error(response, 400, "invalid_request")
    assert error["param"] in {"session_id", "agent_id"}


@pytest.mark.parametrize("collection", ["/v1/sessions", "/v1/agents"])
async def test_nul_in_a_cursor_is_400(
    client: httpx.AsyncClient, database_url: str, collection: str
) -> None:
    tenant = await seed_tenant(database_url)
    response = await client.get(
        collection, params={"starting_after": f"ses_{NUL}"}, headers=tenant.headers
    )
    assert assert_error(response, 400, "invalid_request")["param"] == "starting_after"


async def test_a_malformed_session_id_is_404_and_a_real_one_still_works(
    client: httpx.AsyncClient, database_url: str
) -> None:
    tenant = await seed_tenant(database_url)
    for session_id in ("ses_nope", "ses_" + "0" * 19 + "é", "x" * 64):
        response = await client.get(f"/v1/sessions/{session_id}", headers=tenant.headers)
        assert_error(response, 404, "session_not_found")
    created = await create_voice_session(client, tenant)
    found = await client.get(f"/v1/sessions/{created['session_id']}", headers=tenant.headers)
    assert found.status_code == 200, found.text


async def test_an_unauthenticated_request_is_401_before_any_parameter_check(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/v1/sessions/ses_x%00")
    assert_error(response, 401, "invalid_api_key")


async def test_nul_in_a_chat_message_is_400(client: httpx.AsyncClient, database_url: str) -> None:
    tenant = await seed_tenant(database_url, agent={"architecture": "text"})
    created = await client.post(
        "/v1/sessions/chat", json={"agent_id": tenant.agent_id}, headers=tenant.headers
    )
    assert created.status_code == 200, created.text
    response = await client.post(
        f"/v1/sessions/{created.json()['session_id']}/messages",
        json={"message": f"hi{NUL}"},
        headers=tenant.headers,
    )
    assert assert_error(response, 400, "invalid_request")["param"] == "message"

"""The operator API end to end on both databases: signing a customer up over HTTP (an
organization, a user, a key, a grant, an agent), that key creating a session; grants by
reference; the operator's token and nothing else; the audit log; suspension."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from callwright_devstack.api import assert_error, issuer_client
from callwright_devstack.services.livekit_server import LiveKitServer
from callwright_devstack.tenants import make_settings
from callwright_shared.settings import CallwrightSettings

pytestmark = pytest.mark.livekit

TOKEN = "op_" + "7" * 40
OPERATOR = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def settings(database_url: str, livekit_server: LiveKitServer) -> CallwrightSettings:
    return make_settings(
        database_url, livekit_server, reconcile_interval_seconds=0, operator_token=TOKEN
    )


@pytest.fixture
async def client(settings: CallwrightSettings) -> AsyncIterator[httpx.AsyncClient]:
    async with issuer_client(settings) as c:
        yield c


async def admin(
    client: httpx.AsyncClient, method: str, path: str, body: Any = None, status: int = 200
) -> Any:
    response = await client.request(method, f"/v1/admin{path}", json=body, headers=OPERATOR)
    assert response.status_code == status, response.text
    return response.json()


async def sign_up(client: httpx.AsyncClient, *, credits_amount: int = 600) -> dict[str, str]:
    """What an operator's signup page does: organization, user, key, credits, agent."""
    org = await admin(client, "POST", "/organizations", {"name": "Acme Dental"})
    await admin(client, "POST", f"/organizations/{org['id']}/users", {"user_id": "owner"})
    key = await admin(client, "POST", f"/organizations/{org['id']}/api-keys", {"user_id": "owner"})
    await admin(
        client,
        "POST",
        f"/organizations/{org['id']}/credit-grants",
        {"amount": credits_amount, "reference": "inv_0001"},
    )
    agent = await admin(
        client,
        "POST",
        f"/organizations/{org['id']}/agents",
        {"name": "Reception", "architecture": "pipeline", "credits_per_minute": 10},
    )
    return {"org_id": org["id"], "api_key": key["api_key"], "key_id": key["id"], **agent}


async def test_an_operator_signs_a_customer_up_and_its_key_creates_a_session(
    client: httpx.AsyncClient,
) -> None:
    tenant = await sign_up(client)
    org_id = tenant["org_id"]
    headers = {"X-API-Key": tenant["api_key"]}

    # The same reference again is the same grant: nothing is added.
    again = await admin(
        client,
        "POST",
        f"/organizations/{org_id}/credit-grants",
        {"amount": 600, "reference": "inv_0001"},
    )
    assert (again["created"], again["balance"]) == (False, 600)
    conflict = await client.post(
        f"/v1/admin/organizations/{org_id}/credit-grants",
        json={"amount": 5, "reference": "inv_0001"},
        headers=OPERATOR,
    )
    assert_error(conflict, 409, "conflict")
    ledger = (await client.get("/v1/credits/ledger", headers=headers)).json()["data"]
    assert [(e["kind"], e["amount"], e["reference"]) for e in ledger] == [
        ("grant", 600, "inv_0001")
    ]

    created = await client.post(
        "/v1/sessions/voice", json={"agent_id": tenant["agent_id"]}, headers=headers
    )
    assert created.status_code == 200, created.text
    session = await client.get(f"/v1/sessions/{created.json()['session_id']}", headers=headers)
    org = await admin(client, "GET", f"/organizations/{org_id}")
    assert (org["balance"], org["held"]) == (600, session.json()["credits_held"])
    assert org["held"] > 0
    listed = await admin(client, "GET", "/organizations?limit=100")
    assert org_id in [o["id"] for o in listed["data"]]

    # Everything else `callwright admin` does, and the audit log of all of it.
    await admin(client, "POST", f"/organizations/{org_id}/prices", {"credits_per_message": 3})
    await admin(
        client, "POST", f"/organizations/{org_id}/concurrency", {"max_concurrent_sessions": 4}
    )
    secret = await admin(client, "GET", f"/organizations/{org_id}/tool-secret")
    rotated = await admin(client, "POST", f"/organizations/{org_id}/tool-secret/rotate")
    assert secret["tool_signing_secret"] != rotated["tool_signing_secret"]
    keys = await admin(client, "GET", f"/organizations/{org_id}/api-keys")
    assert [k["id"] for k in keys["data"]] == [tenant["key_id"]]
    assert "api_key" not in keys["data"][0]  # shown once, at creation
    revoked = await admin(client, "DELETE", f"/api-keys/{tenant['key_id']}")
    assert revoked["revoked_at"] is not None
    assert_error(await client.get("/v1/credits", headers=headers), 401, "invalid_api_key")
    org = await admin(client, "GET", f"/organizations/{org_id}")
    assert (org["credits_per_message"], org["max_concurrent_sessions"]) == (3, 4)

    log = await admin(client, "GET", f"/audit?org_id={org_id}&limit=100")
    assert [e["action"] for e in reversed(log["data"])] == [
        "organization.create",
        "user.create",
        "api_key.create",
        "credits.grant",
        "agent.create",
        "price.set",
        "concurrency.set",
        "tool_secret.read",
        "tool_secret.rotate",
        "api_key.revoke",
    ]
    assert {e["actor"] for e in log["data"]} == {"api"}
    assert TOKEN not in str(log) and tenant["api_key"] not in str(log)
    assert secret["tool_signing_secret"] not in str(log)


async def test_only_the_operator_token_opens_the_operator_api(
    client: httpx.AsyncClient, database_url: str, livekit_server: LiveKitServer
) -> None:
    tenant = await sign_up(client)
    for headers in (
        {},
        {"Authorization": "Bearer wrong"},
        {"Authorization": f"Basic {TOKEN}"},
        {"X-API-Key": tenant["api_key"]},
        {"Authorization": f"Bearer {tenant['api_key']}"},
    ):
        for method, path in (
            ("GET", "/v1/admin/organizations"),
            ("POST", "/v1/admin/organizations"),
            ("GET", "/v1/admin/audit"),
        ):
            response = await client.request(method, path, json={"name": "x"}, headers=headers)
            assert_error(response, 401, "invalid_api_key")
    # Nothing was created by the refused requests.
    listed = await admin(client, "GET", "/organizations")
    assert len(listed["data"]) == 1

    # Without CALLWRIGHT_OPERATOR_TOKEN the operator API does not exist.
    off = make_settings(database_url, livekit_server, reconcile_interval_seconds=0)
    async with issuer_client(off) as plain:
        response = await plain.get("/v1/admin/organizations", headers=OPERATOR)
        assert_error(response, 404, "not_found")


async def test_a_suspended_organizations_keys_get_403_and_its_live_calls_end(
    client: httpx.AsyncClient,
) -> None:
    tenant = await sign_up(client)
    headers = {"X-API-Key": tenant["api_key"]}
    created = await client.post(
        "/v1/sessions/voice", json={"agent_id": tenant["agent_id"]}, headers=headers
    )
    assert created.status_code == 200, created.text
    session_id = created.json()["session_id"]

    suspended = await admin(client, "POST", f"/organizations/{tenant['org_id']}/suspend")
    assert suspended["suspended"] is True
    assert suspended["ended_sessions"] == [session_id]
    # Ended cleanly: settled once, nothing charged for a call nobody joined, hold released.
    assert (suspended["balance"], suspended["held"]) == (600, 0)
    for method, path in (
        ("GET", "/v1/credits"),
        ("GET", f"/v1/sessions/{session_id}"),
        ("POST", "/v1/sessions/voice"),
    ):
        response = await client.request(
            method, path, json={"agent_id": tenant["agent_id"]}, headers=headers
        )
        assert_error(response, 403, "organization_suspended")

    await admin(client, "POST", f"/organizations/{tenant['org_id']}/reinstate")
    session = await client.get(f"/v1/sessions/{session_id}", headers=headers)
    assert session.status_code == 200, session.text
    assert (session.json()["status"], session.json()["end_reason"]) == ("ended", "api_ended")
    assert session.json()["credits_charged"] == 0
    log = await admin(client, "GET", f"/audit?org_id={tenant['org_id']}")
    assert [e["action"] for e in log["data"][:2]] == [
        "organization.reinstate",
        "organization.suspend",
    ]

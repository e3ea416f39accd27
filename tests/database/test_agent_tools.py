"""Agent tools through the API: saved, validated and redacted on /v1/agents, the
organization's tool secret, and Send Message running a tool round trip.

The tool server is a real loopback HTTP server verifying every signature with
`standardwebhooks` and the organization's secret; the LLM is the OpenAI emulator,
which calls a tool on its real wire format (streamed `tool_calls`) and then says the
result it was given.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from callwright_devstack.api import assert_error, credits_of, issuer_client, session_of
from callwright_devstack.emulators import OpenAIEmulator
from callwright_devstack.emulators.openai_emulator import ToolCallPlan, call_tool_when
from callwright_devstack.services.callwright_process import run_cli
from callwright_devstack.services.tool_server import HOLD, Answer, ToolServer
from callwright_devstack.tenants import Tenant, make_settings, seed_tenant
from callwright_shared.settings import CallwrightSettings

pytestmark = pytest.mark.database

PROVIDER_KEY = "sk-test-callwright-0123456789"
SECRET_VALUE = "Bearer tool-s3cret-value-never-shown"
FAILED = "Sorry, I could not reach our order system."


def tools_settings(
    database_url: str, emu: OpenAIEmulator, **overrides: object
) -> CallwrightSettings:
    values: dict[str, object] = {
        "openai_base_url": emu.base_url,
        "openai_api_key": PROVIDER_KEY,
        "reconcile_interval_seconds": 0,
        "webhook_dispatch_interval_seconds": 0,
        "tools_allow_private_networks": True,
        **overrides,
    }
    return make_settings(database_url, None, **values)


def lookup_tool(url: str, **fields: Any) -> dict[str, Any]:
    return {
        "type": "http",
        "name": "lookup_order",
        "description": "Look up an order by its number.",
        "parameters": {
            "type": "object",
            "properties": {"order_id": {"type": "string"}},
            "required": ["order_id"],
        },
        "url": url,
        "secret_headers": {"Authorization": SECRET_VALUE},
        "messages": {"failed": FAILED},
        **fields,
    }


@pytest.fixture
async def emulator() -> AsyncIterator[OpenAIEmulator]:
    policy = call_tool_when(r"\border\b", "lookup_order", {"order_id": "A42"})
    async with OpenAIEmulator(
        reply="No tool needed.", require_key=PROVIDER_KEY, tool_policy=policy
    ) as emu:
        yield emu


@pytest.fixture
async def tool_server() -> AsyncIterator[ToolServer]:
    # The secret is set once the test has read the organization's (GET /v1/tool-secret).
    async with ToolServer(secret="whsec_" + "A" * 44) as server:
        yield server


async def tenant_with(database_url: str) -> Tenant:
    return await seed_tenant(
        database_url,
        credits_amount=100,
        agent={"architecture": "text"},
    )


async def tool_secret(client: httpx.AsyncClient, tenant: Tenant) -> str:
    response = await client.get("/v1/tool-secret", headers=tenant.headers)
    assert response.status_code == 200, response.text
    secret: str = response.json()["secret"]
    return secret


async def create_agent(
    client: httpx.AsyncClient, tenant: Tenant, tools: list[dict[str, Any]], **fields: Any
) -> httpx.Response:
    body = {"name": "Orders", "architecture": "text", "tools": tools, **fields}
    return await client.post("/v1/agents", json=body, headers=tenant.headers)


async def chat_with(client: httpx.AsyncClient, tenant: Tenant, agent_id: str) -> str:
    response = await client.post(
        "/v1/sessions/chat",
        json={"agent_id": agent_id, "metadata": {"ticket": 7}},
        headers=tenant.headers,
    )
    assert response.status_code == 200, response.text
    session_id: str = response.json()["session_id"]
    return session_id


async def send(client: httpx.AsyncClient, tenant: Tenant, session_id: str, text: str) -> Any:
    response = await client.post(
        f"/v1/sessions/{session_id}/messages", json={"message": text}, headers=tenant.headers
    )
    assert response.status_code == 200, response.text
    return response.json()


def assert_redacted(answer: Any) -> None:
    assert SECRET_VALUE not in str(answer)


async def test_tools_are_saved_validated_and_their_secrets_never_shown(
    database_url: str,
    emulator: OpenAIEmulator,
    tool_server: ToolServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # callwright's own loggers at their most verbose; libraries at the issuer's default.
    caplog.set_level(logging.INFO)
    for name in ("callwright_shared", "callwright_issuer"):
        caplog.set_level(logging.DEBUG, logger=name)
    tenant = await tenant_with(database_url)
    url = tool_server.answer("/orders", Answer.result("shipped"))
    async with issuer_client(tools_settings(database_url, emulator)) as client:
        created = await create_agent(client, tenant, [lookup_tool(url), {"type": "end_call"}])
        assert created.status_code == 200, created.text
        agent = created.json()
        assert agent["tools"][0]["secret_headers"] == {"Authorization": "[redacted]"}
        assert agent["tools"][1]["name"] == "end_call"
        got = await client.get(f"/v1/agents/{agent['id']}", headers=tenant.headers)
        listed = await client.get("/v1/agents", headers=tenant.headers)
        for answer in (created.text, got.text, listed.text):
            assert_redacted(answer)
            assert "[redacted]" in answer

        # A PATCH that sends the tool again without its secret keeps the stored value:
        # the tool server still receives it.
        patched = await client.patch(
            f"/v1/agents/{agent['id']}",
            json={
                "tools": [{**lookup_tool(url), "secret_headers": {"Authorization": "[redacted]"}}]
            },
            headers=tenant.headers,
        )
        assert patched.status_code == 200, patched.text
        assert_redacted(patched.text)
        tool_server.secret = await tool_secret(client, tenant)
        session_id = await chat_with(client, tenant, agent["id"])
        await send(client, tenant, session_id, "Where is my order?")
        [request] = tool_server.requests
        assert request.verified and request.headers["authorization"] == SECRET_VALUE
        assert_redacted(
            (await client.get(f"/v1/sessions/{session_id}", headers=tenant.headers)).text
        )

        # Secrets are bound to their origin: the same tool pointed elsewhere must give
        # them again, or the stored value would go to a server of the key holder's choice.
        for secret_headers in (None, {"Authorization": "[redacted]"}):
            moved = {**lookup_tool("https://collector.example/x")}
            if secret_headers is None:
                moved.pop("secret_headers")
            else:
                moved["secret_headers"] = secret_headers
            refused = await client.patch(
                f"/v1/agents/{agent['id']}", json={"tools": [moved]}, headers=tenant.headers
            )
            error = assert_error(refused, 400, "invalid_request")
            assert error["param"] == "tools.0.secret_headers.Authorization", refused.text

        # Refusals, each naming its field.
        cases: list[tuple[list[dict[str, Any]], dict[str, Any], str]] = [
            (
                [
                    lookup_tool(
                        url, parameters={"type": "object", "properties": {"a": {"$ref": "#/x"}}}
                    )
                ],
                {},
                "tools.0.parameters",
            ),
            ([lookup_tool(url, name="lk_internal")], {}, "tools.0.name"),
            ([lookup_tool(url), lookup_tool(url)], {}, "tools.1.name"),
            (
                [{"type": "transfer", "agent_id": "0123456789abcdef", "description": "Sales."}],
                {},
                "tools.0.agent_id",
            ),
            (
                [
                    lookup_tool(
                        url,
                        parameters={
                            "type": "object",
                            "properties": {"n": {"type": "integer", "enum": [1, 2]}},
                        },
                    )
                ],
                {"architecture": "realtime", "provider": "gemini"},
                "tools.0.parameters",
            ),
            (
                [lookup_tool(url, secret_headers={"Authorization": "[redacted]"})],
                {},
                "tools.0.secret_headers.Authorization",
            ),
        ]
        for tools, fields, param in cases:
            refused = await create_agent(client, tenant, tools, **fields)
            assert assert_error(refused, 400, "invalid_request")["param"] == param, refused.text
        to_self = await client.patch(
            f"/v1/agents/{agent['id']}",
            json={"tools": [{"type": "transfer", "agent_id": agent["id"], "description": "Me."}]},
            headers=tenant.headers,
        )
        assert assert_error(to_self, 400, "invalid_request")["param"] == "tools.0.agent_id"
        to_other = await client.patch(
            f"/v1/agents/{agent['id']}",
            json={
                "tools": [
                    {"type": "transfer", "agent_id": tenant.agent_id, "description": "Sales."}
                ]
            },
            headers=tenant.headers,
        )
        assert to_other.status_code == 200, to_other.text

    # The operator's permission is what lets a tool reach a loopback address.
    async with issuer_client(
        tools_settings(database_url, emulator, tools_allow_private_networks=False)
    ) as client:
        refused = await create_agent(client, tenant, [lookup_tool(url)])
        assert assert_error(refused, 400, "invalid_request")["param"] == "tools.0.url"
    logged = "\n".join(record.getMessage() + str(record.__dict__) for record in caplog.records)
    assert SECRET_VALUE not in logged


async def test_the_tool_secret_is_the_organizations_and_rotates(
    database_url: str, emulator: OpenAIEmulator
) -> None:
    tenant = await tenant_with(database_url)
    other = await tenant_with(database_url)
    async with issuer_client(tools_settings(database_url, emulator)) as client:
        first = await tool_secret(client, tenant)
        assert first.startswith("whsec_") and first == await tool_secret(client, tenant)
        assert await tool_secret(client, other) != first
        rotated = await client.post("/v1/tool-secret/rotate", headers=tenant.headers)
        assert rotated.status_code == 200, rotated.text
        assert rotated.json()["secret"] not in (first, await tool_secret(client, other))
        assert await tool_secret(client, tenant) == rotated.json()["secret"]
        assert_error(await client.get("/v1/tool-secret"), 401, "invalid_api_key")
        # The operator's command shows and rotates the same secret.
        shown = await asyncio.to_thread(
            run_cli, database_url, "admin", "tool-secret", "--org", tenant.org_id
        )
        assert shown["tool_signing_secret"] == rotated.json()["secret"]
        again = await asyncio.to_thread(
            run_cli, database_url, "admin", "tool-secret", "--org", tenant.org_id, "--rotate"
        )
        assert again["tool_signing_secret"] != shown["tool_signing_secret"]
        assert await tool_secret(client, tenant) == again["tool_signing_secret"]


async def test_send_message_runs_a_tool_round_trip_charged_once(
    database_url: str, emulator: OpenAIEmulator, tool_server: ToolServer
) -> None:
    tenant = await tenant_with(database_url)
    url = tool_server.answer("/orders", Answer.result({"status": "shipped", "eta": "Tuesday"}))
    async with issuer_client(tools_settings(database_url, emulator)) as client:
        tool_server.secret = await tool_secret(client, tenant)
        agent = (await create_agent(client, tenant, [lookup_tool(url)])).json()
        session_id = await chat_with(client, tenant, agent["id"])
        before = (await credits_of(client, tenant))["balance"]

        reply = await send(client, tenant, session_id, "Where is my order?")
        assert "shipped" in reply["message"]["content"] and "Tuesday" in reply["message"]["content"]
        price = agent["credits_per_message"]
        assert price > 0 and reply["usage"]["credits_charged"] == price
        assert (await credits_of(client, tenant))["balance"] == before - price

        [request] = tool_server.requests
        [plan] = emulator.tool_calls_made
        assert request.verified
        assert request.idempotency_key == f"{session_id}:{plan.call_id}"
        assert request.payload["data"]["arguments"] == {"order_id": "A42"}
        assert request.payload["data"]["session"] == {
            "id": session_id,
            "agent_id": agent["id"],
            "user_id": tenant.user_id,
            "kind": "chat",
            "metadata": {"ticket": 7},
        }
        # The model was given the tool declaration, then the result under its call id.
        first, second = emulator.chat_requests
        assert first["tools"][0]["function"]["name"] == "lookup_order"
        assert second["messages"][-1] == {
            "role": "tool",
            "tool_call_id": plan.call_id,
            "content": '{"status": "shipped", "eta": "Tuesday"}',
        }

        session = await session_of(client, tenant, session_id)
        roles = [entry["role"] for entry in session["transcript"]]
        assert roles == ["user", "tool", "assistant"]
        tool = session["transcript"][1]["tool"]
        assert tool["name"] == "lookup_order" and tool["call_id"] == plan.call_id
        assert (tool["outcome"], tool["http_status"], tool["is_error"]) == ("ok", 200, False)
        assert tool["arguments"] == {"order_id": "A42"}
        assert session["usage"]["tool_calls"] == 1

        # A message that needs no tool runs no tool.
        plain = await send(client, tenant, session_id, "Thanks!")
        assert plain["message"]["content"] == "No tool needed."
        assert len(tool_server.requests) == 1


@pytest.mark.parametrize(
    ("answer", "outcome"),
    [
        (Answer(status=500, body=b"boom"), "http_error"),
        (HOLD, "timeout"),
        (Answer(body=b"\xff\xfe\x00garbage"), "invalid_response"),
    ],
    ids=["500", "slow", "garbage"],
)
async def test_a_failing_tool_says_its_failure_message_and_the_chat_goes_on(
    database_url: str,
    emulator: OpenAIEmulator,
    tool_server: ToolServer,
    answer: Answer,
    outcome: str,
) -> None:
    tenant = await tenant_with(database_url)
    url = tool_server.answer("/orders", answer)
    async with issuer_client(tools_settings(database_url, emulator)) as client:
        tool_server.secret = await tool_secret(client, tenant)
        agent = (await create_agent(client, tenant, [lookup_tool(url, timeout_ms=500)])).json()
        session_id = await chat_with(client, tenant, agent["id"])
        before = (await credits_of(client, tenant))["balance"]
        reply = await send(client, tenant, session_id, "Where is my order?")
        assert reply["message"]["content"] == FAILED
        assert (await credits_of(client, tenant))["balance"] == before - agent[
            "credits_per_message"
        ]
        session = await session_of(client, tenant, session_id)
        tool = session["transcript"][1]["tool"]
        assert (tool["outcome"], tool["is_error"]) == (outcome, True)
        # The chat goes on.
        assert (await send(client, tenant, session_id, "Thanks!"))["message"][
            "content"
        ] == "No tool needed."


async def test_tool_rounds_per_message_are_bounded(
    database_url: str, emulator: OpenAIEmulator, tool_server: ToolServer
) -> None:
    def always(messages: list[dict[str, Any]], tools: list[dict[str, Any]]) -> list[ToolCallPlan]:
        return [ToolCallPlan("lookup_order", {"order_id": "A42"})]

    emulator.tool_policy = always
    tenant = await tenant_with(database_url)
    url = tool_server.answer("/orders", Answer.result("still looking"))
    async with issuer_client(tools_settings(database_url, emulator)) as client:
        tool_server.secret = await tool_secret(client, tenant)
        agent = (await create_agent(client, tenant, [lookup_tool(url)])).json()
        session_id = await chat_with(client, tenant, agent["id"])
        before = (await credits_of(client, tenant))["balance"]
        reply = await send(client, tenant, session_id, "Where is my order?")
        assert "still looking" in reply["message"]["content"]
        assert len(tool_server.requests) == 3
        assert [r.get("tool_choice") for r in emulator.chat_requests] == [
            "auto",
            "auto",
            "auto",
            "none",
        ]
        assert (await credits_of(client, tenant))["balance"] == before - agent[
            "credits_per_message"
        ]

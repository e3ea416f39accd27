"""Agent tools in real calls: the emulated model calls a tool, the worker
sends the signed request to a customer's server on loopback (which verifies the
signature and the idempotency key), and the agent speaks the answer; the session
records the call. Failures (slow, 500, garbage, a refused address) have the agent say
the tool's failure message and the call goes on; `end_call` ends the call with
`agent_ended`; `transfer` hands the call to another agent of the organization. Pipeline,
OpenAI Realtime and Gemini Live."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from callwright_devstack.api import create_voice_session, issuer_client
from callwright_devstack.database import database
from callwright_devstack.emulators import FunctionCall
from callwright_devstack.emulators.openai_emulator import call_tool_when
from callwright_devstack.participant import Caller
from callwright_devstack.services.tool_server import HOLD, Answer, ToolServer
from callwright_devstack.tenants import Tenant
from callwright_devstack.waiting import eventually
from callwright_shared.agents import definitions as agents
from callwright_shared.agents.definitions import AgentSpec
from callwright_shared.tools.signing_secret import signing_secret_of
from tests.e2e.support import Stack, join, new_tenant, own_workers, wait_ended

pytestmark = pytest.mark.e2e

ORDER_TOOL_NAME = "lookup_order"
SECRET_VALUE = "Bearer tool-secret-7f3a9c"
FAILED = "Sorry, our order system is not answering right now."
WAITING = "One moment while I check that."


def order_tool(url: str, **fields: Any) -> dict[str, Any]:
    return {
        "type": "http",
        "name": ORDER_TOOL_NAME,
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


@contextmanager
def replying(emulator: Any, policy: Callable[..., Any]) -> Iterator[None]:
    """The emulator's model answers by `policy` for the test (the stack is shared)."""
    before = emulator.reply
    emulator.reply = policy
    try:
        yield
    finally:
        emulator.reply = before


async def signing_secret(stack: Stack, tenant: Tenant) -> str:
    """The organization's tool signing secret, as `admin tool-secret` shows it."""
    async with database(stack.database_url) as db:
        return await signing_secret_of(db, tenant.org_id)


async def tool_tenant(stack: Stack, server: ToolServer, **agent: Any) -> Tenant:
    """A tenant whose agent has these tools; `server` learns the org's secret."""
    tenant = await new_tenant(stack, **agent)
    server.secret = await signing_secret(stack, tenant)
    return tenant


def assert_signed(request: Any, session_id: str) -> str:
    """The request verified with the org's secret, its idempotency key is per call."""
    assert request.verified, "the signature verified with standardwebhooks"
    call_id: str = request.payload["data"]["tool"]["call_id"]
    assert request.idempotency_key == f"{session_id}:{call_id}"
    assert request.payload["data"]["session"]["id"] == session_id
    assert request.headers["authorization"] == SECRET_VALUE
    return call_id


async def ask(caller: Caller, stack: Stack) -> None:
    await asyncio.wait_for(caller.wait_for_agent_state("listening"), 60)
    await caller.speak(stack.speech_wav, then_silence_s=1.0)


def tool_entries(session: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for e in session["transcript"] if e["role"] == "tool"]


def assert_no_secret(*texts: str) -> None:
    for text in texts:
        assert SECRET_VALUE not in text
        assert "tool-secret-7f3a9c" not in text


def log_of(path: str | Path) -> str:
    return Path(path).read_text(errors="replace")


def spoken_since(stack: Stack, before: int) -> list[str]:
    """What the agent had the TTS say (pipeline) since `before` requests."""
    return [str(r["input"]) for r in stack.openai.speech_requests[before:]]


@asynccontextmanager
async def tool_policy(
    stack: Stack, name: str, arguments: dict[str, Any] | None = None
) -> AsyncIterator[None]:
    """The emulated LLM calls `name` for each user turn (the stack's user says "hello can
    you hear me"), and words its reply after a tool result with that result."""
    stack.openai.tool_policy = call_tool_when("hear", name, arguments)
    try:
        yield
    finally:
        stack.openai.tool_policy = None


# -- pipeline -----------------------------------------------------------------------------


async def test_pipeline_call_runs_a_tool_and_speaks_its_answer(
    stack: Stack, client: httpx.AsyncClient
) -> None:
    server = ToolServer(secret="")
    url = server.answer("/orders", Answer.result({"status": "shipped"}))
    tenant = await tool_tenant(stack, server, tools=[order_tool(url)])
    chats, spoken = len(stack.openai.chat_requests), len(stack.openai.speech_requests)
    async with server, tool_policy(stack, ORDER_TOOL_NAME, {"order_id": "A42"}):
        body = await create_voice_session(client, tenant)
        caller = await join(body)
        await asyncio.wait_for(caller.agent_joined.wait(), 60)
        await ask(caller, stack)
        await eventually(
            lambda: any("shipped" in said for said in spoken_since(stack, spoken)),
            within=60,
            what="the agent's next words with the tool's answer",
        )
        await eventually(
            lambda: [u["status"] for u in caller.tool_updates] == ["running", "done"],
            within=30,
            what="the page told of the call and its return",
        )
        await caller.leave()
    session = await wait_ended(client, tenant, body["session_id"])

    [request] = server.requests
    call_id = assert_signed(request, body["session_id"])
    assert request.payload["data"]["arguments"] == {"order_id": "A42"}
    requests = stack.openai.chat_requests[chats:]
    declared = [t["function"] for t in requests[0]["tools"]]
    assert declared == [
        {
            "name": ORDER_TOOL_NAME,
            "description": "Look up an order by its number.",
            "parameters": order_tool(url)["parameters"],
        }
    ]
    [result] = [m for r in requests for m in r["messages"] if m["role"] == "tool"][:1]
    assert result["tool_call_id"] == call_id and "shipped" in result["content"]
    [entry] = tool_entries(session)
    assert entry["content"] == ORDER_TOOL_NAME
    tool = entry["tool"]
    assert (tool["call_id"], tool["outcome"], tool["http_status"]) == (call_id, "ok", 200)
    assert tool["arguments"] == {"order_id": "A42"} and tool["latency_ms"] >= 0
    assert session["usage"]["tool_calls"] == 1
    # Never the secret header's value: not in the session, the agent, the worker's log.
    shown_agent = await client.get(f"/v1/agents/{tenant.agent_id}", headers=tenant.headers)
    assert_no_secret(json.dumps(session), shown_agent.text, log_of(stack.worker.log_path))


async def test_pipeline_tool_failures_are_spoken_and_the_call_goes_on(
    stack: Stack, client: httpx.AsyncClient
) -> None:
    """Slow (past its timeout, the waiting message said meanwhile), 500, garbage, a
    redirect: each has the agent say the failure message; then a good answer is spoken."""
    server = ToolServer(secret="")
    answers = [
        HOLD,
        Answer(status=500, body=b'{"error": "database down"}'),
        Answer(body=b"\xff\xfe\x00garbage", content_type="application/json"),
        Answer(status=302, headers={"Location": "http://127.0.0.1:9/elsewhere"}),
        Answer.result({"status": "shipped"}),
    ]
    url = server.answer("/orders", lambda _request: answers.pop(0))
    tool = order_tool(
        url, timeout_ms=1500, messages={"failed": FAILED, "waiting": WAITING, "waiting_after_ms": 0}
    )
    tenant = await tool_tenant(stack, server, tools=[tool])
    spoken = len(stack.openai.speech_requests)
    async with server, tool_policy(stack, ORDER_TOOL_NAME, {"order_id": "A42"}):
        body = await create_voice_session(client, tenant)
        caller = await join(body)
        await asyncio.wait_for(caller.agent_joined.wait(), 60)
        for turn in range(1, 5):
            await ask(caller, stack)
            await eventually(
                lambda turn=turn: spoken_since(stack, spoken).count(FAILED) == turn,
                within=60,
                what=f"the failure message, turn {turn}",
            )
        await ask(caller, stack)
        await eventually(
            lambda: any("shipped" in said for said in spoken_since(stack, spoken)),
            within=60,
            what="the good answer after the failures",
        )
        said = spoken_since(stack, spoken)
        await caller.leave()
    session = await wait_ended(client, tenant, body["session_id"])

    assert said.index(WAITING) < said.index(FAILED), "the waiting message, then the failure"
    assert len(server.requests) == 5 and all(r.verified for r in server.requests)
    keys = [r.idempotency_key for r in server.requests]
    assert len(set(keys)) == 5, "one idempotency key per tool call"
    outcomes = [(e["tool"]["outcome"], e["tool"].get("http_status")) for e in tool_entries(session)]
    assert outcomes == [
        ("timeout", None),
        ("http_error", 500),
        ("invalid_response", 200),
        ("http_error", 302),
        ("ok", 200),
    ]
    assert (session["status"], session["end_reason"]) == ("ended", "user_left")


async def test_transfer_hands_the_call_to_another_agent_of_the_organization(
    stack: Stack, client: httpx.AsyncClient
) -> None:
    tenant = await new_tenant(stack, instructions="You are the billing desk.")
    billing = tenant.agent_id
    async with database(stack.database_url) as db:
        front = await agents.create_agent(
            db,
            org_id=tenant.org_id,
            spec=AgentSpec.model_validate(
                {
                    "name": "Front desk",
                    "architecture": "pipeline",
                    "instructions": "You are the front desk.",
                    "tools": [
                        {
                            "type": "transfer",
                            "agent_id": billing,
                            "description": "Hand the caller to billing.",
                        }
                    ],
                }
            ),
        )
        front_id = front.id
    chats = len(stack.openai.chat_requests)
    caller_tenant = dataclasses.replace(tenant, agent_id=front_id)
    async with tool_policy(stack, "transfer"):
        body = await create_voice_session(client, caller_tenant)
        caller = await join(body)
        await asyncio.wait_for(caller.agent_joined.wait(), 60)
        await ask(caller, stack)

        def systems() -> list[str]:
            return [str(r["messages"][0]["content"]) for r in stack.openai.chat_requests[chats:]]

        await eventually(
            lambda: any(s.startswith("You are the billing desk.") for s in systems()),
            within=60,
            what="an LLM request with the billing agent's instructions",
        )
        await caller.leave()
    session = await wait_ended(client, caller_tenant, body["session_id"])

    requests = stack.openai.chat_requests[chats:]
    assert str(requests[0]["messages"][0]["content"]).startswith("You are the front desk.")
    after = [
        r for r in requests if str(r["messages"][0]["content"]).startswith("You are the billing")
    ]
    assert all("transfer" not in json.dumps(r.get("tools", [])) for r in after), "billing's tools"
    [entry] = tool_entries(session)
    assert (entry["content"], entry["tool"]["outcome"], entry["detail"]) == (
        "transfer",
        "transferred",
        billing,
    )
    events = [
        (e["content"], e.get("detail")) for e in session["transcript"] if e["role"] == "event"
    ]
    assert ("transferred", billing) in events
    assert session["agent_id"] == front_id, "the session stays the one admitted"


async def test_a_tool_on_a_private_address_is_refused_without_the_operators_permission(
    stack: Stack,
) -> None:
    server = ToolServer(secret="")
    url = server.answer("/orders", Answer.result({"status": "shipped"}))
    tenant = await tool_tenant(stack, server, tools=[order_tool(url)])
    spoken = len(stack.openai.speech_requests)
    async with (
        own_workers(
            stack, 1, worker_settings={"CALLWRIGHT_TOOLS_ALLOW_PRIVATE_NETWORKS": "false"}
        ) as (settings, _),
        issuer_client(settings) as client,
        server,
        tool_policy(stack, ORDER_TOOL_NAME, {"order_id": "A42"}),
    ):
        body = await create_voice_session(client, tenant)
        caller = await join(body)
        await asyncio.wait_for(caller.agent_joined.wait(), 60)
        await ask(caller, stack)
        await eventually(
            lambda: FAILED in spoken_since(stack, spoken), within=60, what="the failure message"
        )
        await caller.leave()
        session = await wait_ended(client, tenant, body["session_id"])

    assert server.requests == [], "nothing was sent"
    [entry] = tool_entries(session)
    assert entry["tool"]["outcome"] == "refused"


# -- OpenAI Realtime ----------------------------------------------------------------------


def realtime_policy(items: list[dict[str, Any]]) -> str | FunctionCall:
    """Call the tool for a user's turn; speak its output once it is back."""
    last = items[-1] if items else {}
    if last.get("type") == "function_call_output":
        return f"Your order is {json.loads(last['output'])['status']}."
    if last.get("role") == "user":
        return FunctionCall(ORDER_TOOL_NAME, {"order_id": "A42"})
    return "How can I help?"


async def test_realtime_call_runs_a_tool_round_trip(
    stack: Stack, client: httpx.AsyncClient
) -> None:
    server = ToolServer(secret="")
    url = server.answer("/orders", Answer.result({"status": "shipped"}))
    tenant = await tool_tenant(
        stack, server, architecture="realtime", provider="openai", tools=[order_tool(url)]
    )
    async with server:
        with replying(stack.realtime, realtime_policy):
            body = await create_voice_session(client, tenant)
            caller = await join(body)
            await asyncio.wait_for(caller.agent_joined.wait(), 60)
            await ask(caller, stack)
            await eventually(
                lambda: "Your order is shipped." in caller.agent_text(),
                within=60,
                what="the agent speaking the tool's answer",
            )
            await caller.leave()
        session = await wait_ended(client, tenant, body["session_id"])

    [request] = server.requests
    call_id = assert_signed(request, body["session_id"])
    assert request.payload["data"]["arguments"] == {"order_id": "A42"}
    [output] = [o for o in stack.realtime.tool_outputs if o["call_id"] == call_id]
    assert json.loads(output["output"]) == {"status": "shipped"}
    [entry] = tool_entries(session)
    assert entry["content"] == ORDER_TOOL_NAME
    assert entry["tool"]["outcome"] == "ok" and entry["tool"]["http_status"] == 200
    assert entry["tool"]["arguments"] == {"order_id": "A42"}
    assert [u["status"] for u in caller.tool_updates] == ["running", "done"]
    assert_no_secret(json.dumps(session), log_of(stack.worker.log_path))


# -- Gemini Live --------------------------------------------------------------------------


def gemini_policy(turns: list[dict[str, Any]]) -> str | FunctionCall:
    parts = turns[-1].get("parts", []) if turns else []
    answered = [p["functionResponse"] for p in parts if "functionResponse" in p]
    if answered:
        output = answered[-1]["response"]["output"]
        return f"Your order is {json.loads(output)['status']}."
    if turns and turns[-1].get("role") == "user":
        return FunctionCall(ORDER_TOOL_NAME, {"order_id": "G7"})
    return "How can I help?"


async def test_gemini_call_runs_a_tool_round_trip(stack: Stack, client: httpx.AsyncClient) -> None:
    server = ToolServer(secret="")
    url = server.answer("/orders", Answer.result({"status": "delivered"}))
    tenant = await tool_tenant(
        stack,
        server,
        architecture="realtime",
        provider="gemini",
        voice="Kore",
        tools=[order_tool(url)],
    )
    async with server:
        with replying(stack.gemini, gemini_policy):
            body = await create_voice_session(client, tenant)
            caller = await join(body)
            await asyncio.wait_for(caller.agent_joined.wait(), 60)
            await ask(caller, stack)
            await eventually(
                lambda: "Your order is delivered." in caller.agent_text(),
                within=60,
                what="the agent speaking the tool's answer",
            )
            await caller.leave()
        session = await wait_ended(client, tenant, body["session_id"])

    [request] = server.requests
    assert_signed(request, body["session_id"])
    assert request.payload["data"]["arguments"] == {"order_id": "G7"}
    setups = [s for s in stack.gemini.setups if ORDER_TOOL_NAME in json.dumps(s.get("tools"))]
    [declaration] = setups[-1]["tools"][0]["functionDeclarations"]
    assert declaration["name"] == ORDER_TOOL_NAME
    [entry] = tool_entries(session)
    assert entry["tool"]["outcome"] == "ok"

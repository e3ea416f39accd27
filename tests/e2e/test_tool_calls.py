"""Agent tools in real calls (issue 14): the emulated model calls a tool, the worker
sends the signed request to a customer's server on loopback (which verifies the
signature and the idempotency key), and the agent speaks the answer; the session
records the call. Failures (slow, 500, garbage, a refused address) have the agent say
the tool's failure message and the call goes on; `end_call` ends the call with
`agent_ended`; `transfer` hands the call to another agent of the organization. Pipeline,
OpenAI Realtime and Gemini Live."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from callwright_shared.db.engine import create_engine, create_session_factory
from callwright_shared.tools import signing_secret_of
from tests.conftest import Tenant
from tests.e2e.conftest import Stack, join, new_tenant, wait_ended
from tests.emulators import FunctionCall
from tests.support.api import create_voice_session
from tests.support.participant import Caller
from tests.support.tool_server import Answer, ToolServer
from tests.support.waiting import eventually

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
    engine = create_engine(stack.database_url)
    try:
        async with create_session_factory(engine)() as db:
            secret = await signing_secret_of(db, tenant.org_id)
            await db.commit()
            return secret
    finally:
        await engine.dispose()


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

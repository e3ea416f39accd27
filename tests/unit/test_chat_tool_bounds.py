"""One chat message's tool calls are bounded: at most 8 run per round, and all of them
within the message's deadline (callwright_issuer.sessions.chat)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest

from callwright_devstack.services.tool_server import HOLD, Answer, ToolServer
from callwright_issuer.sessions.chat import MAX_TOOL_CALLS_PER_ROUND, _ChatTools
from callwright_issuer.sessions.chat_models import ToolCallRequest
from callwright_shared import outbound
from callwright_shared.db.models import Session
from callwright_shared.tools.models import HttpTool

pytestmark = pytest.mark.unit

SECRET = outbound.new_signing_secret()


@pytest.fixture
async def server() -> AsyncIterator[ToolServer]:
    async with ToolServer(secret=SECRET) as running:
        yield running


def runner(url: str, *, deadline_seconds: float = 60.0) -> _ChatTools:
    tool = HttpTool.model_validate(
        {"type": "http", "name": "lookup", "description": "Look up.", "url": url}
    )
    row = Session(id="ses_1", agent_id="a" * 16, user_id="u_1", org_id="org_1")
    return _ChatTools(
        [tool], row=row, secret=SECRET, allow_private=True, deadline_seconds=deadline_seconds
    )


def calls(count: int) -> list[ToolCallRequest]:
    return [ToolCallRequest(f"call_{i}", "lookup", json.dumps({})) for i in range(count)]


async def test_at_most_eight_calls_run_per_round(server: ToolServer) -> None:
    tools = runner(server.answer("/lookup", Answer.result("found")))
    outputs, _ = await tools.run(calls(12))
    assert len(server.requests) == MAX_TOOL_CALLS_PER_ROUND == 8
    assert len(outputs) == 12, "the model gets an answer for every call it made"
    assert outputs["call_7"] == "found"
    assert outputs["call_8"].startswith("lookup not run: at most 8")
    assert [t.tool.outcome for t in tools.turns if t.tool][8:] == ["refused"] * 4


async def test_the_message_deadline_bounds_every_call_together(server: ToolServer) -> None:
    tools = runner(server.answer("/lookup", HOLD), deadline_seconds=0.5)
    outputs, _ = await tools.run(calls(3))
    # The first call waited out the message's time; the others were never sent.
    assert len(server.requests) == 1
    assert outputs["call_0"] == "lookup timed out"
    assert outputs["call_2"] == "lookup not run: this message's time for tools is spent"
    assert tools.out_of_time

"""Calls that survive the network: the user drops and comes back with a fresh token
(`POST /v1/sessions/{id}/token`) within the grace, a second connection with the same
token takes the call over, the grace runs out, End Session during the grace."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from callwright_devstack.api import create_voice_session, credits_of, issuer_client, session_of
from callwright_devstack.database import captures_of
from callwright_devstack.participant import Caller
from callwright_devstack.tenants import Tenant
from callwright_devstack.waiting import eventually
from tests.e2e.support import (
    AGENT_REPLY,
    USER_TRANSCRIPT,
    Stack,
    join,
    new_tenant,
    own_workers,
    wait_ended,
)
from tests.support.charges import expected_charge

pytestmark = pytest.mark.e2e

GRACE_S = 30


@asynccontextmanager
async def rejoin_stack(stack: Stack, grace: float) -> AsyncIterator[httpx.AsyncClient]:
    async with (
        own_workers(stack, 1, worker_settings={"CALLWRIGHT_REJOIN_GRACE_SECONDS": str(grace)}) as (
            settings,
            _,
        ),
        issuer_client(settings) as client,
    ):
        yield client


async def in_call(body: dict[str, Any]) -> Caller:
    caller = await join(body)
    await asyncio.wait_for(caller.agent_joined.wait(), 30)
    await asyncio.wait_for(caller.wait_for_agent_state("listening"), 30)
    return caller


async def ask(stack: Stack, caller: Caller) -> None:
    answers = caller.agent_text().count(AGENT_REPLY.split(",")[0])
    await caller.speak(stack.speech_wav, then_silence_s=1.0)
    await eventually(
        lambda: caller.agent_text().count(AGENT_REPLY.split(",")[0]) > answers,
        within=30,
        what="an answer",
    )


async def away(client: httpx.AsyncClient, tenant: Tenant, session_id: str) -> None:
    async def shown() -> bool:
        return (await session_of(client, tenant, session_id))["away_since"] is not None

    await eventually(shown, within=20, what="the session to show the user away")


async def fresh_token(client: httpx.AsyncClient, tenant: Tenant, session_id: str) -> httpx.Response:
    return await client.post(f"/v1/sessions/{session_id}/token", headers=tenant.headers)


async def test_a_caller_who_drops_and_rejoins_within_the_grace_continues_the_call(
    stack: Stack,
) -> None:
    async with rejoin_stack(stack, GRACE_S) as client:
        tenant = await new_tenant(stack, greeting="Hi!")
        body = await create_voice_session(client, tenant)
        loop = asyncio.get_running_loop()
        first_join = loop.time()
        caller = await in_call(body)
        await ask(stack, caller)
        await caller.leave()  # the page reloads, the network switches
        await away(client, tenant, body["session_id"])
        gone_at = loop.time()  # the worker paused the clock before it said so

        response = await fresh_token(client, tenant, body["session_id"])
        assert response.status_code == 200, response.text
        again = response.json()
        assert (again["room_name"], again["session_id"]) == (body["room_name"], body["session_id"])
        back_at = loop.time()
        caller = await in_call(again)

        async def present() -> bool:
            return (await session_of(client, tenant, body["session_id"]))["away_since"] is None

        await eventually(present, within=20, what="the session to show the user back")
        requests_before = len(stack.openai.chat_requests)
        await ask(stack, caller)
        # The same agent session: its LLM request carries the turns before the drop.
        messages = stack.openai.chat_requests[requests_before]["messages"]
        said = [m for m in messages if m["role"] == "user"]
        assert len(said) >= 2, messages
        assert any(AGENT_REPLY in str(m["content"]) for m in messages if m["role"] == "assistant")

        ended = await client.post(f"/v1/sessions/{body['session_id']}/end", headers=tenant.headers)
        session = ended.json()
        ended_at = loop.time()
        assert (session["status"], session["end_reason"]) == ("ended", "api_ended")
        # Charged for the time the user was there, never for the time away.
        assert 0 < session["duration_seconds"] <= (ended_at - first_join) - (back_at - gone_at)
        assert session["credits_charged"] == expected_charge(session, 6)
        assert await captures_of(stack.database_url, body["session_id"]) == 1
        events = [
            t["content"]
            for t in session["transcript"]
            if t["role"] == "event" and t["content"] in ("user_away", "user_returned")
        ]
        assert events == ["user_away", "user_returned"]
        assert any(
            USER_TRANSCRIPT.split()[0] in t["content"].lower() for t in session["transcript"]
        )
        await caller.leave()


async def test_a_rejoin_after_the_grace_is_409_and_the_call_ended_user_left(
    stack: Stack, client: httpx.AsyncClient
) -> None:
    """The module's worker has a 3 s grace (tests/support/worker_process.py)."""
    tenant = await new_tenant(stack, greeting="Hi!")
    body = await create_voice_session(client, tenant)
    caller = await in_call(body)
    await caller.leave()
    session = await wait_ended(client, tenant, body["session_id"])
    assert (session["status"], session["end_reason"]) == ("ended", "user_left")
    assert session["credits_charged"] == expected_charge(session, 6)
    response = await fresh_token(client, tenant, body["session_id"])
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "session_ended"
    credits = await credits_of(client, tenant)
    assert (credits["balance"], credits["held"]) == (1000 - session["credits_charged"], 0)


async def test_a_second_connection_with_the_same_token_takes_the_call_over(
    stack: Stack,
) -> None:
    async with rejoin_stack(stack, GRACE_S) as client:
        tenant = await new_tenant(stack, greeting="Hi!")
        body = await create_voice_session(client, tenant)
        first = await in_call(body)
        second = await join(body)  # the same token in a second tab
        await eventually(second.agent_joined.is_set, within=30, what="the agent, in tab two")
        # The question is asked once the agent listens to tab two's microphone: what was
        # said before that never reached it (the flake this test had under load).
        await asyncio.wait_for(second.wait_until_heard(), 30)
        await ask(stack, second)
        ended = await client.post(f"/v1/sessions/{body['session_id']}/end", headers=tenant.headers)
        session = ended.json()
        assert (session["status"], session["end_reason"]) == ("ended", "api_ended")
        assert await captures_of(stack.database_url, body["session_id"]) == 1
        await second.leave()
        await first.leave()


async def test_the_room_outlives_livekit_s_departure_timeout_while_the_user_is_away(
    stack: Stack,
) -> None:
    """LiveKit closes a room whose last non-agent participant left once its
    departure_timeout (10 s by default) passes: the issuer asks for more than the grace."""
    async with rejoin_stack(stack, GRACE_S) as client:
        tenant = await new_tenant(stack, greeting="Hi!")
        body = await create_voice_session(client, tenant)
        caller = await in_call(body)
        await caller.leave()
        await away(client, tenant, body["session_id"])
        since = datetime.fromisoformat(
            (await session_of(client, tenant, body["session_id"]))["away_since"]
        )
        base = stack.settings.room_departure_timeout_seconds

        def past_the_base_timeout() -> bool:
            return (datetime.now(UTC) - since).total_seconds() > base + 2

        await eventually(past_the_base_timeout, within=base + 30, what="the base timeout")
        response = await fresh_token(client, tenant, body["session_id"])
        assert response.status_code == 200, response.text
        caller = await in_call(response.json())
        await ask(stack, caller)
        ended = await client.post(f"/v1/sessions/{body['session_id']}/end", headers=tenant.headers)
        assert ended.json()["end_reason"] == "api_ended"
        await caller.leave()

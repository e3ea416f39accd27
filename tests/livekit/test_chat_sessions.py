"""Create Chat Session and Send Message, the LLM being the OpenAI emulator.

The issuer's real OpenAI client talks to `OpenAIEmulator` over loopback; every request
the emulator received is asserted on (history, system prompt, model, temperature).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from callwright_devstack.api import assert_error, credits_of, issuer_client, session_of
from callwright_devstack.database import age_session, database
from callwright_devstack.emulators import OpenAIEmulator
from callwright_devstack.services.livekit_server import LiveKitServer
from callwright_devstack.services.served_issuer import ServedIssuer
from callwright_devstack.tenants import Tenant, make_settings, seed_tenant
from callwright_shared.billing import credits
from callwright_shared.db.models import LedgerEntry
from callwright_shared.settings import CallwrightSettings

pytestmark = pytest.mark.livekit

PROVIDER_KEY = "sk-test-callwright-0123456789"
INSTRUCTIONS = "You are Chatty, the callwright test agent. Answer in one sentence."
TEXT_AGENT = {
    "architecture": "text",
    "instructions": INSTRUCTIONS,
    "llm_model": "gpt-4o-mini",
    "temperature": 0.3,
    "credits_per_message": 2,
}


def echo(messages: list[dict[str, Any]]) -> str:
    users = [m for m in messages if m["role"] == "user"]
    return f"Reply {len(users)}: you said {users[-1]['content']}"


@pytest.fixture
async def emulator() -> AsyncIterator[OpenAIEmulator]:
    async with OpenAIEmulator(reply=echo, require_key=PROVIDER_KEY) as emu:
        yield emu


def chat_settings(
    database_url: str, livekit: LiveKitServer | None, emu: OpenAIEmulator, **overrides: object
) -> CallwrightSettings:
    values: dict[str, object] = {
        "openai_base_url": emu.base_url,
        "openai_api_key": PROVIDER_KEY,
        "reconcile_interval_seconds": 0,
        **overrides,
    }
    return make_settings(database_url, livekit, **values)


async def start_chat(client: httpx.AsyncClient, tenant: Tenant) -> str:
    response = await client.post(
        "/v1/sessions/chat", json={"agent_id": tenant.agent_id}, headers=tenant.headers
    )
    assert response.status_code == 200, response.text
    session_id: str = response.json()["session_id"]
    return session_id


async def send(client: httpx.AsyncClient, tenant: Tenant, session_id: str, text: str) -> Any:
    return await client.post(
        f"/v1/sessions/{session_id}/messages", json={"message": text}, headers=tenant.headers
    )


async def sse_events(response: httpx.Response) -> AsyncIterator[tuple[str, dict[str, Any]]]:
    name = "message"
    async for line in response.aiter_lines():
        if line.startswith("event: "):
            name = line.removeprefix("event: ")
        elif line.startswith("data: "):
            yield name, json.loads(line.removeprefix("data: "))
            name = "message"


async def read_sse(response: httpx.Response) -> list[tuple[str, dict[str, Any]]]:
    return [event async for event in sse_events(response)]


async def test_a_three_message_conversation_keeps_its_history(
    database_url: str, livekit_server: LiveKitServer, emulator: OpenAIEmulator
) -> None:
    tenant = await seed_tenant(database_url, credits_amount=100, agent=TEXT_AGENT)
    async with issuer_client(chat_settings(database_url, livekit_server, emulator)) as client:
        created = await client.post(
            "/v1/sessions/chat",
            json={"agent_id": tenant.agent_id, "metadata": {"ticket": 7}},
            headers=tenant.headers,
        )
        assert created.status_code == 200, created.text
        assert set(created.json()) == {
            "session_id",
            "agent_name",
            "expires_at",
            "variables",
            "applied_overrides",
        }
        assert created.json()["agent_name"] == "Support"
        session_id = created.json()["session_id"]

        replies = []
        for text in ("hello", "what can you do?", "thanks"):
            response = await send(client, tenant, session_id, text)
            assert response.status_code == 200, response.text
            replies.append(response.json())

        assert [r["message"] for r in replies] == [
            {"role": "assistant", "content": "Reply 1: you said hello"},
            {"role": "assistant", "content": "Reply 2: you said what can you do?"},
            {"role": "assistant", "content": "Reply 3: you said thanks"},
        ]
        usage = replies[-1]["usage"]
        assert usage["credits_charged"] == 2
        assert usage["prompt_tokens"] > 0 and usage["completion_tokens"] > 0
        assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]

        # The LLM saw the system prompt and every earlier turn, in order.
        assert len(emulator.chat_requests) == 3
        last = emulator.chat_requests[-1]
        assert last["model"] == "gpt-4o-mini"
        assert last["temperature"] == 0.3
        assert last["messages"] == [
            {"role": "system", "content": INSTRUCTIONS},
            {"role": "user", "content": "hello"},
            {"role": "assistant", "content": "Reply 1: you said hello"},
            {"role": "user", "content": "what can you do?"},
            {"role": "assistant", "content": "Reply 2: you said what can you do?"},
            {"role": "user", "content": "thanks"},
        ]

        # Charged per message, and the history is on the session.
        assert await credits_of(client, tenant) == {"balance": 94, "held": 0, "available": 94}
        session = await session_of(client, tenant, session_id)
        assert (session["kind"], session["status"]) == ("chat", "active")
        assert session["credits_charged"] == 6
        assert session["metadata"] == {"ticket": 7}
        assert [(t["role"], t["content"]) for t in session["transcript"]] == [
            (m["role"], m["content"]) for m in [*last["messages"][1:], replies[-1]["message"]]
        ]
        assert session["usage"]["messages"] == 3

        ended = await client.post(f"/v1/sessions/{session_id}/end", headers=tenant.headers)
        assert ended.status_code == 200, ended.text
        assert (ended.json()["status"], ended.json()["end_reason"]) == ("ended", "api_ended")
        assert ended.json()["credits_charged"] == 6
        assert_error(await send(client, tenant, session_id, "still there?"), 409, "session_ended")
        assert len(emulator.chat_requests) == 3
        assert await credits_of(client, tenant) == {"balance": 94, "held": 0, "available": 94}


async def test_streams_server_sent_events_when_asked(
    sqlite_url: str, livekit_server: LiveKitServer, emulator: OpenAIEmulator
) -> None:
    tenant = await seed_tenant(sqlite_url, credits_amount=100, agent=TEXT_AGENT)
    async with issuer_client(chat_settings(sqlite_url, livekit_server, emulator)) as client:
        session_id = await start_chat(client, tenant)
        async with client.stream(
            "POST",
            f"/v1/sessions/{session_id}/messages",
            json={"message": "stream me a reply"},
            headers={**tenant.headers, "Accept": "text/event-stream"},
        ) as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            events = await read_sse(response)

        names = [name for name, _ in events]
        assert names[-1] == "message.completed"
        assert set(names[:-1]) == {"message.delta"} and len(names) > 2
        streamed = "".join(data["content"] for name, data in events if name == "message.delta")
        assert streamed == "Reply 1: you said stream me a reply"
        completed = events[-1][1]
        assert completed["message"] == {"role": "assistant", "content": streamed}
        assert completed["usage"]["credits_charged"] == 2
        assert emulator.chat_requests[0]["stream"] is True

        # A JSON follow-up sees the streamed turn in its history.
        follow_up = await send(client, tenant, session_id, "and again")
        assert follow_up.status_code == 200, follow_up.text
        assert emulator.chat_requests[1]["messages"][1:] == [
            {"role": "user", "content": "stream me a reply"},
            {"role": "assistant", "content": streamed},
            {"role": "user", "content": "and again"},
        ]
        assert await credits_of(client, tenant) == {"balance": 96, "held": 0, "available": 96}


async def test_402_when_credits_run_out_mid_chat(
    database_url: str, livekit_server: LiveKitServer, emulator: OpenAIEmulator
) -> None:
    tenant = await seed_tenant(database_url, credits_amount=5, agent=TEXT_AGENT)
    async with issuer_client(chat_settings(database_url, livekit_server, emulator)) as client:
        session_id = await start_chat(client, tenant)
        for text in ("one", "two"):
            assert (await send(client, tenant, session_id, text)).status_code == 200
        assert_error(await send(client, tenant, session_id, "three"), 402, "insufficient_credits")
        # Refused before the LLM ran: nothing charged, nothing recorded.
        assert len(emulator.chat_requests) == 2
        assert await credits_of(client, tenant) == {"balance": 1, "held": 0, "available": 1}
        session = await session_of(client, tenant, session_id)
        assert len(session["transcript"]) == 4
        assert session["status"] == "active"
        # A new chat session is refused as well: not even one message could be paid.
        response = await client.post(
            "/v1/sessions/chat", json={"agent_id": tenant.agent_id}, headers=tenant.headers
        )
        assert_error(response, 402, "insufficient_credits")


async def test_concurrent_messages_never_overspend(
    database_url: str, livekit_server: LiveKitServer, emulator: OpenAIEmulator
) -> None:
    tenant = await seed_tenant(database_url, credits_amount=7, agent=TEXT_AGENT)
    async with issuer_client(chat_settings(database_url, livekit_server, emulator)) as client:
        session_id = await start_chat(client, tenant)
        responses = await asyncio.gather(
            *(send(client, tenant, session_id, f"message {i}") for i in range(6))
        )
        statuses = sorted(r.status_code for r in responses)
        assert statuses == [200, 200, 200, 402, 402, 402]
        assert await credits_of(client, tenant) == {"balance": 1, "held": 0, "available": 1}
        session = await session_of(client, tenant, session_id)
        assert session["credits_charged"] == 6
        assert len(session["transcript"]) == 6


async def test_pipeline_agents_chat_and_realtime_agents_are_400(
    sqlite_url: str, livekit_server: LiveKitServer, emulator: OpenAIEmulator
) -> None:
    tenant = await seed_tenant(sqlite_url, credits_amount=100)  # a pipeline agent
    async with issuer_client(chat_settings(sqlite_url, livekit_server, emulator)) as client:
        session_id = await start_chat(client, tenant)
        reply = await send(client, tenant, session_id, "hi")
        assert reply.status_code == 200, reply.text
        assert emulator.chat_requests[0]["messages"][0]["role"] == "system"

        realtime = await client.post(
            "/v1/agents", json={"name": "Live", "architecture": "realtime"}, headers=tenant.headers
        )
        response = await client.post(
            "/v1/sessions/chat", json={"agent_id": realtime.json()["id"]}, headers=tenant.headers
        )
        error = assert_error(response, 400, "agent_architecture_unsupported")
        assert error["param"] == "agent_id"


async def test_messages_to_voice_unknown_or_foreign_sessions(
    sqlite_url: str, livekit_server: LiveKitServer, emulator: OpenAIEmulator
) -> None:
    tenant = await seed_tenant(sqlite_url, credits_amount=1000)
    other = await seed_tenant(sqlite_url, user_id="mallory")
    async with issuer_client(chat_settings(sqlite_url, livekit_server, emulator)) as client:
        voice = await client.post(
            "/v1/sessions/voice", json={"agent_id": tenant.agent_id}, headers=tenant.headers
        )
        assert voice.status_code == 200, voice.text
        voice_id = voice.json()["session_id"]
        assert_error(await send(client, tenant, voice_id, "hi"), 400, "invalid_request")
        assert_error(await send(client, tenant, "ses_nope", "hi"), 404, "session_not_found")
        chat_id = await start_chat(client, tenant)
        assert_error(await send(client, other, chat_id, "hi"), 404, "session_not_found")
        for body in (b"{}", b'{"message": ""}', b'{"message": 5}', b'{"message": "a", "x": 1}'):
            response = await client.post(
                f"/v1/sessions/{chat_id}/messages",
                content=body,
                headers={**tenant.headers, "Content-Type": "application/json"},
            )
            assert_error(response, 400, "invalid_request")
        await client.post(f"/v1/sessions/{voice_id}/end", headers=tenant.headers)
        assert emulator.chat_requests == []


async def test_provider_failure_is_502_and_charges_nothing(
    sqlite_url: str, livekit_server: LiveKitServer, emulator: OpenAIEmulator
) -> None:
    tenant = await seed_tenant(sqlite_url, credits_amount=100, agent=TEXT_AGENT)
    wrong_key = chat_settings(sqlite_url, livekit_server, emulator, openai_api_key="sk-wrong")
    async with issuer_client(wrong_key) as client:
        session_id = await start_chat(client, tenant)
        error = assert_error(await send(client, tenant, session_id, "hi"), 502, "provider_error")
        assert "sk-" not in error["message"]
        async with client.stream(
            "POST",
            f"/v1/sessions/{session_id}/messages",
            json={"message": "hi"},
            headers={**tenant.headers, "Accept": "text/event-stream"},
        ) as streamed:
            assert streamed.status_code == 502
        assert await credits_of(client, tenant) == {"balance": 100, "held": 0, "available": 100}
        session = await session_of(client, tenant, session_id)
        assert (session["status"], session["transcript"], session["credits_charged"]) == (
            "active",
            [],
            0,
        )

    no_key = chat_settings(sqlite_url, livekit_server, emulator, openai_api_key=None)
    async with issuer_client(no_key) as client:
        error = assert_error(await send(client, tenant, session_id, "hi"), 502, "provider_error")
        assert "OPENAI_API_KEY" in error["message"]
        assert await credits_of(client, tenant) == {"balance": 100, "held": 0, "available": 100}

    unreachable = chat_settings(
        sqlite_url, livekit_server, emulator, openai_base_url="http://127.0.0.1:9/v1"
    )
    async with issuer_client(unreachable) as client:
        assert_error(await send(client, tenant, session_id, "hi"), 502, "provider_error")
        assert await credits_of(client, tenant) == {"balance": 100, "held": 0, "available": 100}


async def test_an_expired_chat_session_is_ended(
    sqlite_url: str, livekit_server: LiveKitServer, emulator: OpenAIEmulator
) -> None:
    tenant = await seed_tenant(sqlite_url, credits_amount=100, agent=TEXT_AGENT)
    settings = chat_settings(sqlite_url, livekit_server, emulator, chat_session_ttl_seconds=60)
    async with issuer_client(settings) as client:
        session_id = await start_chat(client, tenant)
        assert (await send(client, tenant, session_id, "quick")).status_code == 200
        # Its TTL passes: the session's clock moved, rather than a 1 s TTL raced.
        await age_session(sqlite_url, session_id, 61)
        assert_error(await send(client, tenant, session_id, "too late"), 409, "session_ended")
        session = await session_of(client, tenant, session_id)
        assert (session["status"], session["end_reason"]) == ("ended", "max_duration_reached")
        assert session["credits_charged"] == 2
        assert await credits_of(client, tenant) == {"balance": 98, "held": 0, "available": 98}


# -- a reply cut short by End Session ------------------------------------------------

LONG_REPLY = " ".join(f"word{i}" for i in range(100))
SSE_HEADERS = {"Accept": "text/event-stream"}


async def test_end_session_mid_stream_stops_the_reply_and_charges_it_once(
    database_url: str, livekit_server: LiveKitServer
) -> None:
    tenant = await seed_tenant(database_url, credits_amount=100, agent=TEXT_AGENT)
    # 100 words, 0.5 s apart: the whole reply would take 50 s to stream, so End Session
    # lands mid-stream however loaded the machine (it stops the stream at once).
    async with OpenAIEmulator(
        reply=LONG_REPLY, require_key=PROVIDER_KEY, token_delay_s=0.5
    ) as slow:
        settings = chat_settings(database_url, livekit_server, slow, chat_stream_check_seconds=0.01)
        # Served over the network: an in-process ASGI client would buffer the whole stream.
        issuer = ServedIssuer(settings)
        await asyncio.to_thread(issuer.start)
        try:
            async with httpx.AsyncClient(base_url=issuer.url, timeout=30) as client:
                session_id = await start_chat(client, tenant)
                async with client.stream(
                    "POST",
                    f"/v1/sessions/{session_id}/messages",
                    json={"message": "write a lot"},
                    headers={**tenant.headers, **SSE_HEADERS},
                ) as response:
                    assert response.status_code == 200
                    events = sse_events(response)
                    first = await anext(events)
                    assert first[0] == "message.delta"
                    ended = await client.post(
                        f"/v1/sessions/{session_id}/end", headers=tenant.headers
                    )
                    assert ended.status_code == 200, ended.text
                    rest = [event async for event in events]

                # The stream stopped with `session_ended`, well before the reply's end.
                assert rest[-1][0] == "error"
                assert rest[-1][1]["error"]["code"] == "session_ended"
                assert {name for name, _ in rest[:-1]} <= {"message.delta"}
                streamed = "".join(data["content"] for _, data in [first, *rest[:-1]])
                assert LONG_REPLY.startswith(streamed) and len(streamed) < len(LONG_REPLY)

                # What went out is charged once, and on the record.
                session = await session_of(client, tenant, session_id)
                assert (session["status"], session["end_reason"]) == ("ended", "api_ended")
                assert session["credits_charged"] == 2
                assert [(t["role"], t["content"]) for t in session["transcript"]] == [
                    ("user", "write a lot"),
                    ("assistant", streamed),
                ]
                assert session["usage"]["messages"] == 1
                assert await credits_of(client, tenant) == {
                    "balance": 98,
                    "held": 0,
                    "available": 98,
                }
        finally:
            await asyncio.to_thread(issuer.stop)

    async with database(database_url) as db:
        assert await credits.ledger_totals(db, tenant.org_id) == await credits.read_balance(
            db, tenant.org_id
        )
        rows = (
            await db.execute(
                select(LedgerEntry.kind, LedgerEntry.amount).where(
                    LedgerEntry.session_id == session_id
                )
            )
        ).all()
    assert sorted((kind.value, amount) for kind, amount in rows) == [
        ("capture", 2),
        ("hold", 2),
    ]


async def test_end_session_during_a_whole_reply_charges_nothing(
    sqlite_url: str, livekit_server: LiveKitServer
) -> None:
    tenant = await seed_tenant(sqlite_url, credits_amount=100, agent=TEXT_AGENT)
    async with OpenAIEmulator(
        reply=LONG_REPLY, require_key=PROVIDER_KEY, token_delay_s=0.5
    ) as slow:
        settings = chat_settings(sqlite_url, livekit_server, slow, chat_stream_check_seconds=0.01)
        async with issuer_client(settings) as client:
            session_id = await start_chat(client, tenant)
            reply = asyncio.create_task(send(client, tenant, session_id, "write a lot"))
            deadline = asyncio.get_running_loop().time() + 30
            while not slow.chat_requests:  # until the LLM call is under way
                assert asyncio.get_running_loop().time() < deadline, "no LLM call"
                await asyncio.sleep(0.01)
            ended = await client.post(f"/v1/sessions/{session_id}/end", headers=tenant.headers)
            assert ended.status_code == 200, ended.text
            # Nothing reached the client: nothing is charged, nothing recorded.
            assert_error(await reply, 409, "session_ended")
            session = await session_of(client, tenant, session_id)
            assert (session["credits_charged"], session["transcript"]) == (0, [])
            assert await credits_of(client, tenant) == {"balance": 100, "held": 0, "available": 100}


# -- bounded history ---------------------------------------------------------------------


async def test_the_llm_sees_the_newest_turns_and_a_session_takes_a_bounded_number_of_messages(
    database_url: str, livekit_server: LiveKitServer, emulator: OpenAIEmulator
) -> None:
    tenant = await seed_tenant(database_url, credits_amount=100, agent=TEXT_AGENT)
    settings = chat_settings(
        database_url,
        livekit_server,
        emulator,
        chat_history_max_turns=2,
        chat_max_messages_per_session=3,
    )
    async with issuer_client(settings) as client:
        session_id = await start_chat(client, tenant)
        for text in ("one", "two", "three"):
            assert (await send(client, tenant, session_id, text)).status_code == 200
        # The oldest turns left the LLM's context, not the transcript.
        assert emulator.chat_requests[-1]["messages"] == [
            {"role": "system", "content": INSTRUCTIONS},
            {"role": "user", "content": "two"},
            {"role": "assistant", "content": "Reply 2: you said two"},
            {"role": "user", "content": "three"},
        ]
        assert len((await session_of(client, tenant, session_id))["transcript"]) == 6

        error = assert_error(
            await send(client, tenant, session_id, "four"), 409, "message_limit_reached"
        )
        assert "3 messages" in error["message"]
        # Refused before the LLM ran: nothing held, nothing charged.
        assert len(emulator.chat_requests) == 3
        assert await credits_of(client, tenant) == {"balance": 94, "held": 0, "available": 94}

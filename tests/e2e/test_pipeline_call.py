"""A whole call through a pipeline agent: issuer → LiveKit → worker → Deepgram/OpenAI
emulators → back to a participant who speaks recorded speech and hears the agent."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from callwright_devstack.api import create_voice_session, credits_of, session_of
from callwright_devstack.waiting import eventually
from tests.e2e.support import AGENT_REPLY, Stack, join, new_tenant, wait_ended
from tests.support.charges import expected_charge

pytestmark = pytest.mark.e2e


async def test_pipeline_call_end_to_end(stack: Stack, client: httpx.AsyncClient) -> None:
    tenant = await new_tenant(stack, greeting="Hi, this is the support line.")
    heard_before = len(stack.deepgram.transcripts_sent)
    body = await create_voice_session(client, tenant)
    caller = await join(body)
    await asyncio.wait_for(caller.agent_joined.wait(), 60)
    # Like a person: hear the greeting out, then speak.
    await eventually(lambda: "support line" in caller.agent_text(), within=60, what="the greeting")
    await asyncio.wait_for(caller.wait_for_agent_state("listening"), 60)
    await caller.speak(stack.speech_wav, then_silence_s=1.0)
    try:
        await eventually(
            lambda: AGENT_REPLY.split(",")[0] in caller.agent_text(),
            within=60,
            what="the agent's transcription of its answer",
        )
    except AssertionError as exc:
        raise AssertionError(
            f"{exc}; STT sent {stack.deepgram.transcripts_sent[heard_before:]} after hearing "
            f"{stack.deepgram.audio_seconds_received:.1f} s "
            f"({stack.deepgram.voiced_seconds_received:.1f} s voiced) on "
            f"{len(stack.deepgram.stream_queries)} streams, "
            f"LLM requests {len(stack.openai.chat_requests)}, "
            f"transcriptions {[(t.identity, t.text) for t in caller.transcriptions]}"
        ) from None
    await caller.keep_quiet(1.0)
    # The STT emulator only transcribes after it heard non-silent audio: the user's
    # speech really travelled participant → LiveKit → worker → Deepgram.
    assert len(stack.deepgram.transcripts_sent) > heard_before
    assert caller.agent_audio_peak_rms > 1000, "the agent's audio was silent"
    system = stack.openai.chat_requests[-1]["messages"][0]
    assert system["role"] in ("system", "developer")
    await caller.leave()

    session = await wait_ended(client, tenant, body["session_id"])
    assert (session["status"], session["end_reason"]) == ("ended", "user_left")
    assert session["duration_seconds"] > 1
    roles = [item["role"] for item in session["transcript"]]
    assert "user" in roles and "assistant" in roles
    assert any(AGENT_REPLY in item["content"] for item in session["transcript"])
    assert session["credits_charged"] == expected_charge(session, 6)
    assert session["credits_charged"] >= 1
    assert session["usage"]["models"], "usage from session.usage was recorded"
    credits = await credits_of(client, tenant)
    assert credits == {
        "balance": 1000 - session["credits_charged"],
        "held": 0,
        "available": 1000 - session["credits_charged"],
    }


async def test_a_call_runs_its_rendered_snapshot_even_after_the_agent_is_edited(
    stack: Stack, client: httpx.AsyncClient
) -> None:
    secret = "crm-secret-4242"
    tenant = await new_tenant(
        stack,
        greeting="Hello {{ name }}, about order {{ order }}.",
        instructions="You help {{ name }} (order {{ order }}) on {{ system.date }}.",
        variables={
            "name": {"required": True},
            "order": {"type": "number", "default": 0},
            "crm_token": {"required": True, "secret": True},
        },
    )
    chats_before = len(stack.openai.chat_requests)
    speech_before = len(stack.openai.speech_requests)
    response = await client.post(
        "/v1/sessions/voice",
        json={
            "agent_id": tenant.agent_id,
            "variables": {"name": "Ada", "order": 42, "crm_token": secret},
        },
        headers=tenant.headers,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    caller = await join(body)
    await asyncio.wait_for(caller.agent_joined.wait(), 20)
    await eventually(lambda: "order 42" in caller.agent_text(), within=20, what="the greeting")
    spoken = [r["input"] for r in stack.openai.speech_requests[speech_before:]]
    assert "Hello Ada, about order 42." in spoken

    # Edited mid-call: the call keeps what it was created with.
    edited = await client.patch(
        f"/v1/agents/{tenant.agent_id}",
        json={"instructions": "You are a different agent now."},
        headers=tenant.headers,
    )
    assert edited.status_code == 200, edited.text
    await asyncio.wait_for(caller.wait_for_agent_state("listening"), 20)
    await caller.speak(stack.speech_wav, then_silence_s=1.0)
    await eventually(
        lambda: len(stack.openai.chat_requests) > chats_before,
        within=25,
        what="an LLM request after the user spoke",
    )
    system = stack.openai.chat_requests[-1]["messages"][0]
    assert system["role"] in ("system", "developer")
    assert str(system["content"]).startswith("You help Ada (order 42) on 20")
    calls = str(stack.openai.chat_requests[chats_before:]) + str(spoken)
    assert secret not in calls and "different agent" not in calls
    await caller.leave()
    session = await wait_ended(client, tenant, body["session_id"])
    assert session["config"]["variables"]["crm_token"] == "[redacted]"
    assert session["config"]["agent"]["greeting"] == "Hello Ada, about order 42."


async def test_a_call_of_minutes_stays_open_is_inspectable_and_charged_for_every_minute(
    stack: Stack, client: httpx.AsyncClient
) -> None:
    """Three turns across more than two minutes, with quiet stretches longer than the
    worker's heartbeat grace (30 s) between them and the reconciler passing every 15 s:
    the session stays active, its record grows while the call goes on, and the charge
    covers every started 10 s of the whole call."""
    turns = 3
    quiet_s = 45.0
    tenant = await new_tenant(stack, greeting="Hi, this is the support line.")
    body = await create_voice_session(client, tenant)
    session_id = body["session_id"]
    caller = await join(body)
    await asyncio.wait_for(caller.agent_joined.wait(), 60)
    loop = asyncio.get_running_loop()
    agent_seen_at = loop.time()
    await eventually(lambda: "support line" in caller.agent_text(), within=60, what="the greeting")
    reply_mark = AGENT_REPLY.split(",")[1].strip()  # "I can hear you clearly. ..."
    last_reply_at = agent_seen_at
    for turn in range(1, turns + 1):
        await asyncio.wait_for(caller.wait_for_agent_state("listening"), 60)
        await caller.speak(stack.speech_wav, then_silence_s=1.0)
        await eventually(
            lambda turn=turn: caller.agent_text().count(reply_mark) >= turn,
            within=60,
            what=f"the agent's answer to turn {turn}",
        )
        last_reply_at = loop.time()
        await caller.keep_quiet(quiet_s)
        # Mid-call, the API shows the call open, with what was said so far (each heartbeat
        # writes the transcript).
        live: dict[str, Any] = {}

        async def recorded(turn: int = turn) -> bool:
            nonlocal live
            live = await session_of(client, tenant, session_id)
            answers = [i for i in live["transcript"] if AGENT_REPLY in i["content"]]
            return len(answers) >= turn

        await eventually(recorded, within=30, what=f"turn {turn} in the live record")
        assert live["status"] == "active", live
    await caller.leave()

    session = await wait_ended(client, tenant, session_id)
    assert (session["status"], session["end_reason"]) == ("ended", "user_left")
    roles = [item["role"] for item in session["transcript"]]
    assert roles.count("user") == turns
    assert [i["content"] for i in session["transcript"]].count(AGENT_REPLY) == turns
    # The agent was in the room at least from when the caller saw it until its last
    # answer (the caller's own clock; load only lengthens the call).
    assert session["duration_seconds"] >= last_reply_at - agent_seen_at
    assert session["credits_charged"] == expected_charge(session, 6)
    credits = await credits_of(client, tenant)
    assert (credits["balance"], credits["held"]) == (1000 - session["credits_charged"], 0)

"""How calls start and end with a real worker: realtime agents, rooms callwright did not
issue, time limits, End Session during a call, and a provider that is not configured."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from livekit import api

from callwright_devstack.api import create_voice_session, credits_of
from callwright_devstack.database import captures_of
from callwright_devstack.participant import Caller
from callwright_devstack.waiting import eventually
from tests.e2e.support import AGENT_REPLY, Stack, join, new_tenant, wait_ended
from tests.support.charges import expected_charge

pytestmark = pytest.mark.e2e


async def test_realtime_call_end_to_end(stack: Stack, client: httpx.AsyncClient) -> None:
    # The realtime stage in its object form; the flat fields are the tool-call tests'.
    tenant = await new_tenant(
        stack,
        architecture="realtime",
        realtime={"provider": "openai", "model": "gpt-realtime-mini", "voice": "verse"},
        greeting="Hello there!",
    )
    connections_before = len(stack.realtime.connection_queries)
    voiced_before = stack.realtime.voiced_seconds_received
    body = await create_voice_session(client, tenant)
    caller = await join(body)
    await asyncio.wait_for(caller.agent_joined.wait(), 60)
    # Hear the greeting out, then speak: the answer must be a new agent turn.
    await eventually(lambda: bool(caller.agent_text()), within=60, what="the greeting")
    await asyncio.wait_for(caller.wait_for_agent_state("listening"), 60)

    # The agent sends every transcription (the user's too): count its answers by text.
    def answers() -> int:
        return sum(1 for t in caller.transcriptions if AGENT_REPLY in t.text)

    answers_before = answers()
    transcribed_before = len(stack.realtime.user_transcripts_sent)
    await caller.speak(stack.speech_wav, then_silence_s=1.0)
    await eventually(
        lambda: answers() > answers_before,
        within=60,
        what="the realtime agent's answer",
    )
    assert len(stack.realtime.user_transcripts_sent) > transcribed_before
    await caller.keep_quiet(0.5)
    assert stack.realtime.voiced_seconds_received > voiced_before, "user audio never arrived"
    assert caller.agent_audio_peak_rms > 1000
    # The agent's model, not the default, is the one the worker dialled.
    assert {q.get("model") for q in stack.realtime.connection_queries[connections_before:]} == {
        "gpt-realtime-mini"
    }
    await caller.leave()
    session = await wait_ended(client, tenant, body["session_id"])
    assert (session["status"], session["end_reason"]) == ("ended", "user_left")
    assert session["credits_charged"] == expected_charge(session, 6) >= 1
    assert any(item["role"] == "assistant" for item in session["transcript"])
    # A realtime model's turns carry its time to first audio (call_records).
    answer = next(i for i in session["transcript"] if AGENT_REPLY in i["content"])
    assert answer["role"] == "assistant" and answer["latency"]["realtime_ttft_ms"] >= 0
    assert session["latency"]["realtime_ttft_ms"]["n"] >= 1


async def test_a_room_callwright_did_not_issue_gets_no_agent(stack: Stack) -> None:
    tenant = await new_tenant(stack)
    # Valid-looking name, right agent and user, dispatched to our worker: but no session.
    name = f"agent_{tenant.agent_id}_{tenant.user_id}_{int(time.time() * 1000)}"
    lkapi = api.LiveKitAPI(stack.livekit.http_url, stack.livekit.api_key, stack.livekit.api_secret)
    try:
        await lkapi.room.create_room(
            api.CreateRoomRequest(
                name=name,
                agents=[api.RoomAgentDispatch(agent_name=stack.settings.livekit_agent_name)],
            )
        )
        token = (
            api.AccessToken(stack.livekit.api_key, stack.livekit.api_secret)
            .with_identity(tenant.user_id)
            .with_grants(api.VideoGrants(room_join=True, room=name))
            .to_jwt()
        )
        heard_before = len(stack.deepgram.transcripts_sent)
        caller = Caller(stack.livekit.url, token)
        await caller.join()
        await caller.speak(stack.speech_wav, then_silence_s=3.0)
        assert not caller.agent_joined.is_set(), "an agent joined a room callwright did not issue"
        assert caller.agent_audio_frames == 0
        assert len(stack.deepgram.transcripts_sent) == heard_before
        await caller.leave()
    finally:
        await lkapi.room.delete_room(api.DeleteRoomRequest(room=name))
        await lkapi.aclose()


async def test_end_session_during_a_call_charges_once(
    stack: Stack, client: httpx.AsyncClient
) -> None:
    tenant = await new_tenant(stack, greeting="Hi!")
    body = await create_voice_session(client, tenant)
    joined_at = time.monotonic()
    caller = await join(body)
    await asyncio.wait_for(caller.agent_joined.wait(), 60)
    await caller.keep_quiet(3.0)
    ended = await client.post(f"/v1/sessions/{body['session_id']}/end", headers=tenant.headers)
    window = time.monotonic() - joined_at
    assert ended.status_code == 200, ended.text
    session = ended.json()
    assert (session["status"], session["end_reason"]) == ("ended", "api_ended")
    # The worker's exact agent time: within the window the caller was in the call.
    assert 0 < session["duration_seconds"] <= window
    assert session["credits_charged"] == expected_charge(session, 6) >= 1

    lkapi = api.LiveKitAPI(stack.livekit.http_url, stack.livekit.api_key, stack.livekit.api_secret)
    rooms = await lkapi.room.list_rooms(api.ListRoomsRequest(names=[body["room_name"]]))
    await lkapi.aclose()
    assert list(rooms.rooms) == []
    await asyncio.sleep(3)  # let the worker finish: it must not charge again
    assert await captures_of(stack.database_url, body["session_id"]) == 1
    again = await client.post(f"/v1/sessions/{body['session_id']}/end", headers=tenant.headers)
    assert again.json()["credits_charged"] == session["credits_charged"]
    credits = await credits_of(client, tenant)
    assert credits["held"] == 0
    assert credits["balance"] == 1000 - session["credits_charged"]
    await caller.leave()


async def test_a_provider_failing_before_the_agent_spoke_charges_nothing(
    stack: Stack, client: httpx.AsyncClient
) -> None:
    """The agent session started (the clock runs) but the speech provider refuses every
    request: the user never heard the agent, so the call costs nothing."""
    tenant = await new_tenant(stack, greeting="Hello there, how can I help?")
    stack.openai.require_key = "sk-some-other-key"  # every OpenAI call now answers 401
    try:
        body = await create_voice_session(client, tenant)
        caller = await join(body)
        await eventually(lambda: bool(caller.chat), within=30, what="a message to the user")
        session = await wait_ended(client, tenant, body["session_id"], within=30)
    finally:
        stack.openai.require_key = None
    await caller.leave()
    assert (session["status"], session["end_reason"]) == ("ended", "provider_error")
    assert (session["duration_seconds"], session["credits_charged"]) == (0, 0)
    assert "sk-" not in " ".join(caller.chat)
    credits = await credits_of(client, tenant)
    assert (credits["balance"], credits["held"]) == (1000, 0)

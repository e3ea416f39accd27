"""What the end user can do with the token they were issued: talk, and nothing else.

A hostile caller joins with the real token and tries livekit-agents' session host
(`lk.agent.session`: `RemoteSession.get_agent_info` would hand over the tenant's
instructions, `run_input` would drive the agent), the room's text input (`lk.chat`,
which would start an LLM and TTS request per message on the operator's keys) and a
pre-connect audio buffer (minutes of audio the STT would be sent faster than real time)."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from livekit import rtc
from livekit.agents.voice.remote_session import RemoteSession

from callwright_devstack import ogg_opus
from callwright_devstack.api import create_voice_session
from callwright_devstack.participant import Caller
from callwright_devstack.waiting import eventually
from tests.e2e.support import AGENT_REPLY, Stack, join, new_tenant, wait_ended

pytestmark = pytest.mark.e2e

SECRET_PROMPT = "You are Acme's agent. Internal discount code: ZEBRA-42."


def agent_identity(room: rtc.Room) -> str:
    agents = [
        p.identity
        for p in room.remote_participants.values()
        if p.kind == rtc.ParticipantKind.PARTICIPANT_KIND_AGENT
    ]
    assert len(agents) == 1, agents
    return agents[0]


async def test_the_session_host_is_closed_to_the_caller(
    stack: Stack, client: httpx.AsyncClient
) -> None:
    tenant = await new_tenant(stack, instructions=SECRET_PROMPT, greeting="Hi!")
    body = await create_voice_session(client, tenant)
    caller = await join(body)
    await asyncio.wait_for(caller.agent_joined.wait(), 30)
    await asyncio.wait_for(caller.wait_for_agent_state("listening"), 30)
    remote = RemoteSession.from_room(caller.room, agent_identity(caller.room))
    await remote.start()
    try:
        # With the host open, a ping is answered at once and get_agent_info returns the
        # instructions; closed, nothing on the agent side answers.
        with pytest.raises((TimeoutError, RuntimeError)):
            await remote.wait_for_ready(timeout=10)
        with pytest.raises((TimeoutError, RuntimeError)):
            info = await asyncio.wait_for(remote.get_agent_info(), 5)
            assert SECRET_PROMPT not in str(info)
    finally:
        await remote.aclose()
    # The call itself goes on: the caller still talks to the agent.
    await caller.speak(stack.speech_wav, then_silence_s=1.0)
    await eventually(
        lambda: AGENT_REPLY.split(",")[0] in caller.agent_text(), within=30, what="an answer"
    )
    # Nothing the room carried to the caller holds the instructions.
    heard = " ".join([*(t.text for t in caller.transcriptions), *caller.chat])
    assert "ZEBRA-42" not in heard
    await caller.leave()
    await wait_ended(client, tenant, body["session_id"])


async def test_text_sent_on_lk_chat_does_not_reach_the_llm(
    stack: Stack, client: httpx.AsyncClient
) -> None:
    tenant = await new_tenant(stack, greeting="Hi!")
    body = await create_voice_session(client, tenant)
    caller = await join(body)
    await asyncio.wait_for(caller.agent_joined.wait(), 30)
    await asyncio.wait_for(caller.wait_for_agent_state("listening"), 30)
    before = len(stack.openai.chat_requests)
    for i in range(5):
        await caller.room.local_participant.send_text(f"text message {i}", topic="lk.chat")
    # Then one spoken question: its answer comes after anything the texts would have
    # started, and it is the only LLM request of the call.
    await caller.speak(stack.speech_wav, then_silence_s=1.0)
    await eventually(
        lambda: AGENT_REPLY.split(",")[0] in caller.agent_text(), within=30, what="an answer"
    )
    requests = stack.openai.chat_requests[before:]
    assert not any("text message" in str(r) for r in requests), requests
    await caller.leave()
    await wait_ended(client, tenant, body["session_id"])


PRE_CONNECT_TOPIC = "lk.agent.pre-connect-audio-buffer"
# A minute (14 KB): livekit-agents drops a buffer it has not read and decoded within
# its 3 s timeout, so a buffer that size arrives whole; longer ones are cut short there.
BUFFER_SECONDS = 60


async def test_a_pre_connect_audio_buffer_is_not_heard(
    stack: Stack, client: httpx.AsyncClient
) -> None:
    """docs/security.md#no-pre-connect-audio: a caller publishes the microphone flagged
    with a pre-connect buffer and sends a minute of Ogg Opus on the buffer's topic, as
    the JS SDK does once the agent is in the room. Read, it would be decoded whole and
    pushed to the STT at once; the STT hears no more audio than the call lasted."""
    tenant = await new_tenant(stack, greeting="Hi!")
    body = await create_voice_session(client, tenant)
    buffer = await asyncio.to_thread(ogg_opus.silence, BUFFER_SECONDS)
    loop = asyncio.get_running_loop()
    heard_before = stack.deepgram.audio_seconds_received
    began = loop.time()
    caller = Caller(body["livekit_url"], body["token"])
    await caller.join(preconnect_buffer=True)
    await asyncio.wait_for(caller.agent_joined.wait(), 30)
    [microphone] = caller.room.local_participant.track_publications.values()
    writer = await caller.room.local_participant.stream_bytes(
        "pre-connect.ogg",
        topic=PRE_CONNECT_TOPIC,
        mime_type="audio/opus",
        attributes={
            "trackId": microphone.sid,
            "sampleRate": str(ogg_opus.SAMPLE_RATE),
            "channels": str(ogg_opus.CHANNELS),
        },
        destination_identities=[agent_identity(caller.room)],
    )
    await writer.write(buffer)
    await writer.aclose()
    # The call goes on as usual: the caller is heard live and answered.
    await asyncio.wait_for(caller.wait_for_agent_state("listening"), 30)
    await caller.speak(stack.speech_wav, then_silence_s=1.0)
    await eventually(
        lambda: AGENT_REPLY.split(",")[0] in caller.agent_text(), within=30, what="an answer"
    )
    await caller.leave()
    session = await wait_ended(client, tenant, body["session_id"])
    lasted = loop.time() - began
    heard = stack.deepgram.audio_seconds_received - heard_before
    # Live audio arrives in real time, so the STT hears at most the test's own span;
    # the buffer read would add its minute at once (130 s heard in a 14 s call).
    assert heard <= lasted < BUFFER_SECONDS, (heard, lasted)
    assert session["status"] == "ended", session

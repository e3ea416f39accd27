"""Gemini Live realtime calls with the real worker, on the Gemini Live emulator (TLS on
loopback): greeting, a spoken question answered, usage and the exact charge, End Session,
the time limit, and a call carried across a `goAway` by session resumption."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

from callwright_devstack.api import create_voice_session
from callwright_devstack.participant import Caller
from callwright_devstack.tenants import Tenant
from callwright_devstack.waiting import eventually
from tests.e2e.support import (
    AGENT_REPLY,
    USER_TRANSCRIPT,
    Stack,
    join,
    new_tenant,
    wait_ended,
)
from tests.support.charges import expected_charge

pytestmark = pytest.mark.e2e

GREETING = "Hello there, this is Gemini!"
GEMINI_MODEL = "gemini-2.5-flash-native-audio-preview-12-2025"


async def gemini_tenant(stack: Stack, **agent: Any) -> Tenant:
    return await new_tenant(
        stack, architecture="realtime", provider="gemini", voice="Kore", **agent
    )


def answers(caller: Caller) -> int:
    # The agent sends every transcription (the user's too): count its answers by text.
    return sum(1 for t in caller.transcriptions if AGENT_REPLY in t.text)


async def ask(stack: Stack, caller: Caller) -> None:
    """Speak the question once the agent listens, and wait for its spoken answer."""
    await asyncio.wait_for(caller.wait_for_agent_state("listening"), 30)
    answered, heard = answers(caller), len(stack.gemini.user_transcripts_sent)
    await caller.speak(stack.speech_wav, then_silence_s=1.0)
    await eventually(lambda: answers(caller) > answered, within=30, what="the Gemini answer")
    # The emulator answers only after its own VAD heard the caller's voice.
    assert len(stack.gemini.user_transcripts_sent) > heard


@contextmanager
def go_away_every(stack: Stack, seconds: float) -> Iterator[None]:
    """New Gemini connections get `goAway` `seconds` after their setup."""
    stack.gemini.go_away_after_s = seconds
    try:
        yield
    finally:
        stack.gemini.go_away_after_s = None


async def test_gemini_call_end_to_end(stack: Stack, client: httpx.AsyncClient) -> None:
    # The realtime stage in its object form, under the provider's registry name; the other
    # Gemini calls use the flat fields of before.
    tenant = await new_tenant(
        stack,
        architecture="realtime",
        realtime={"provider": "google", "model": GEMINI_MODEL, "voice": "Kore"},
        greeting=GREETING,
    )
    setups_before, voiced_before = len(stack.gemini.setups), stack.gemini.voiced_seconds_received
    body = await create_voice_session(client, tenant)
    caller = await join(body)
    await asyncio.wait_for(caller.agent_joined.wait(), 30)
    await eventually(lambda: GREETING in caller.agent_text(), within=30, what="the greeting")
    await ask(stack, caller)
    await caller.keep_quiet(0.5)
    assert stack.gemini.voiced_seconds_received > voiced_before, "user audio never arrived"
    assert caller.agent_audio_peak_rms > 1000, "the agent's audio was silent"
    await caller.leave()

    session = await wait_ended(client, tenant, body["session_id"])
    assert (session["status"], session["end_reason"]) == ("ended", "user_left")
    assert session["credits_charged"] == expected_charge(session, 6) >= 1
    transcript = [(item["role"], item["content"]) for item in session["transcript"]]
    assert ("assistant", GREETING) in transcript
    assert ("user", USER_TRANSCRIPT) in transcript
    assert ("assistant", AGENT_REPLY) in transcript
    [gemini] = [m for m in session["usage"]["models"] if m.get("provider") == "Gemini"]
    assert gemini["input_tokens"] > 0 and gemini["output_tokens"] > 0
    # The agent's configuration reached the provider, and the worker's key was the one used.
    setup = stack.gemini.setups[setups_before]
    assert setup["model"] == f"models/{GEMINI_MODEL}"
    assert setup["generationConfig"]["speechConfig"]["voice_config"] == {
        "prebuilt_voice_config": {"voice_name": "Kore"}
    }
    assert "contextWindowCompression" in setup


async def test_gemini_call_continues_across_go_away(
    stack: Stack, client: httpx.AsyncClient
) -> None:
    tenant = await gemini_tenant(stack, greeting=GREETING)
    with go_away_every(stack, 4.0):
        setups_before = len(stack.gemini.setups)
        resumed_before = stack.gemini.resumed_setups
        body = await create_voice_session(client, tenant)
        caller = await join(body)
        await asyncio.wait_for(caller.agent_joined.wait(), 30)
        await eventually(lambda: GREETING in caller.agent_text(), within=30, what="the greeting")
        await ask(stack, caller)
        # The provider recycles the connection; the worker resumes the same session.
        await eventually(
            lambda: stack.gemini.resumed_setups > resumed_before,
            within=30,
            what="a resumed Gemini session",
        )
        await ask(stack, caller)
        assert caller.agent_audio_peak_rms > 1000
        await caller.leave()

    session = await wait_ended(client, tenant, body["session_id"])
    assert (session["status"], session["end_reason"]) == ("ended", "user_left")
    assert session["credits_charged"] == expected_charge(session, 6) >= 1
    setups = stack.gemini.setups[setups_before:]
    assert "handle" not in setups[0]["sessionResumption"]
    assert all(setup["sessionResumption"].get("handle") for setup in setups[1:])
    replies = [item for item in session["transcript"] if item["content"] == AGENT_REPLY]
    assert len(replies) >= 2, session["transcript"]

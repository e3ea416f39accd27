"""The timeline of real pipeline calls: per-turn latency figures against emulators whose
delays are known and against what the caller measured, and a worker killed mid-call
leaving its timeline up to its last heartbeat."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from callwright_devstack.api import create_voice_session, issuer_client
from callwright_devstack.participant import Caller
from callwright_devstack.tenants import Tenant
from callwright_devstack.waiting import eventually
from tests.e2e.support import AGENT_REPLY, Stack, join, new_tenant, own_workers, wait_ended

pytestmark = pytest.mark.e2e

LLM_FIRST_TOKEN_DELAY_S = 1.0
TTS_FIRST_BYTE_DELAY_S = 0.6
# The caller's and the agent's ends of speech are found differently (the caller's last
# loud frame, the agent's VAD over 32 ms windows with its own threshold).
END_OF_SPEECH_SLACK_MS = 250


async def timeline_of(client: httpx.AsyncClient, tenant: Tenant, session_id: str) -> Any:
    response = await client.get(f"/v1/sessions/{session_id}/timeline", headers=tenant.headers)
    assert response.status_code == 200, response.text
    return response.json()


def answer_in(items: list[dict[str, Any]]) -> dict[str, Any] | None:
    return next(
        (i for i in items if i["role"] == "assistant" and AGENT_REPLY in i["content"]), None
    )


async def ask(stack: Stack, caller: Caller) -> float:
    """Speak once and wait for the answer; what the caller measured from its last voiced
    frame to the agent's first loud audio, in ms."""
    await asyncio.wait_for(caller.wait_for_agent_state("listening"), 20)
    caller.first_loud_agent_audio_at = None
    speech_end = await caller.speak(stack.speech_wav, then_silence_s=1.0)
    await eventually(
        lambda: AGENT_REPLY.split(",")[0] in caller.agent_text(), within=30, what="the answer"
    )
    await eventually(
        lambda: caller.first_loud_agent_audio_at is not None, within=10, what="its audio"
    )
    assert caller.first_loud_agent_audio_at is not None
    return (caller.first_loud_agent_audio_at - speech_end) * 1000


async def test_turn_latency_matches_the_providers_delays_and_the_caller(
    stack: Stack, client: httpx.AsyncClient
) -> None:
    stack.openai.first_token_delay_s = LLM_FIRST_TOKEN_DELAY_S
    stack.openai.tts_first_byte_delay_s = TTS_FIRST_BYTE_DELAY_S
    try:
        # Without preemptive generation, so that the LLM's wait starts after the end of
        # the caller's turn and lies inside the turn's e2e with the TTS's after it (with
        # it, the LLM may have answered before the turn ended: docs/turn-taking.md).
        tenant = await new_tenant(stack, turn_taking={"preemptive_generation": False})
        body = await create_voice_session(client, tenant)
        caller = await join(body)
        await asyncio.wait_for(caller.agent_joined.wait(), 20)
        heard_ms = await ask(stack, caller)
        await caller.keep_quiet(1.0)
        await caller.leave()
    finally:
        stack.openai.first_token_delay_s = 0.0
        stack.openai.tts_first_byte_delay_s = 0.0
    session = await wait_ended(client, tenant, body["session_id"])
    assert session["end_reason"] == "user_left"

    timeline = await timeline_of(client, tenant, body["session_id"])
    items = timeline["items"]
    answer = answer_in(items)
    assert answer is not None, items
    latency = answer["latency"]
    # Each figure holds its emulator's delay (each is timed from its request, sent before
    # the emulator starts waiting). Above, they are bounded by what was recorded, not by
    # a fixed slack: the LLM's and the TTS's waits lie one after the other inside the
    # turn's e2e (so the TTS figure holds no part of the LLM's wait), and e2e, measured at
    # the agent, inside what the caller waited (less the network and its playout).
    llm_ms, tts_ms, e2e_ms = latency["llm_ttft_ms"], latency["tts_ttfb_ms"], latency["e2e_ms"]
    assert llm_ms >= LLM_FIRST_TOKEN_DELAY_S * 1000
    assert tts_ms >= TTS_FIRST_BYTE_DELAY_S * 1000
    assert llm_ms + tts_ms <= e2e_ms <= heard_ms + END_OF_SPEECH_SLACK_MS, (
        llm_ms,
        tts_ms,
        e2e_ms,
        heard_ms,
    )
    assert answer["started_speaking_at"] <= answer["stopped_speaking_at"]

    user = items[items.index(answer) - 1]
    assert user["role"] == "user" and user["started_speaking_at"] and user["stopped_speaking_at"]
    assert user["latency"]["end_of_turn_ms"] is not None
    events = [(i["content"], i.get("detail")) for i in items if i["role"] == "event"]
    assert events[0] == ("user_joined", None) and events[-1] == ("ended", "user_left")

    summary = session["latency"]
    assert summary == timeline["latency"]
    assert summary["turns"]["agent"] >= 1 and summary["turns"]["user"] >= 1
    assert summary["llm_ttft_ms"]["max"] == llm_ms  # the only LLM turn
    assert session["usage"]["models"], "usage is still session.usage"


async def test_timeline_survives_a_worker_killed_mid_call(stack: Stack) -> None:
    async with (
        own_workers(
            stack, 1, reconcile_interval_seconds=1.0, worker_heartbeat_grace_seconds=4.0
        ) as (settings, (worker,)),
        issuer_client(settings) as client,
    ):
        tenant = await new_tenant(stack)
        body = await create_voice_session(client, tenant)
        caller = await join(body)
        await asyncio.wait_for(caller.agent_joined.wait(), 20)
        await ask(stack, caller)
        flushed: list[dict[str, Any]] = []

        async def answer_flushed() -> bool:  # by a heartbeat (every 5 s) of the live call
            nonlocal flushed
            flushed = (await timeline_of(client, tenant, body["session_id"]))["items"]
            found = answer_in(flushed)
            return found is not None and found.get("latency") is not None

        await eventually(answer_flushed, within=20, what="the answer flushed with a heartbeat")
        await asyncio.to_thread(worker.kill)
        session = await wait_ended(client, tenant, body["session_id"], within=60)
        assert session["end_reason"] == "worker_unavailable"
        kept = (await timeline_of(client, tenant, body["session_id"]))["items"]
        # Everything flushed before the kill is still there; the dead worker wrote no end.
        assert kept[: len(flushed)] == flushed
        assert (kept[0]["role"], kept[0]["content"]) == ("event", "user_joined")
        assert {"user", "assistant"} <= {i["role"] for i in kept}
        assert not any(i["role"] == "event" and i["content"] == "ended" for i in kept)
        assert session["latency"]["turns"]["agent"] >= 1
        await caller.leave()

"""Calls whose stages run on the operator's providers (CALLWRIGHT_PROVIDERS_FILE): speech-
to-text, LLM and voice on three servers of their own, each receiving only its stage's
requests; and an LLM outage answered by the stage's fallback."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from callwright_devstack.api import create_voice_session, issuer_client
from callwright_devstack.emulators import OpenAIEmulator
from callwright_devstack.participant import Caller
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

pytestmark = pytest.mark.e2e

GREETING = "Hello, this is your own models speaking."


@dataclass
class Servers:
    stt: OpenAIEmulator
    llm: OpenAIEmulator
    tts: OpenAIEmulator
    down: OpenAIEmulator
    client: httpx.AsyncClient


def providers_file(path: Path, servers: dict[str, OpenAIEmulator]) -> Path:
    stages = {"whisper": "stt", "vllm": "llm", "kokoro": "tts", "down": "llm"}
    models = {"whisper": "faster-whisper-small", "vllm": "qwen", "kokoro": "kokoro",
              "down": "primary"}  # fmt: skip
    entries: list[dict[str, Any]] = [
        {
            "name": name,
            "kind": "openai",
            "base_url": servers[name].base_url,
            "stages": [stages[name]],
            "models": [models[name]],
            **({"voices": ["af_heart"]} if name == "kokoro" else {}),
        }
        for name in servers
    ]
    path.write_text(json.dumps({"providers": entries}))
    return path


@pytest.fixture(scope="module")
async def servers(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Servers]:
    made = {
        "whisper": OpenAIEmulator(transcript=USER_TRANSCRIPT),
        "vllm": OpenAIEmulator(reply=AGENT_REPLY),
        "kokoro": OpenAIEmulator(),
        "down": OpenAIEmulator(reply="the primary should not be heard"),
    }
    made["down"].chat_status = 500
    async with AsyncExitStack() as stack_of:
        for server in made.values():
            await stack_of.enter_async_context(server)
        path = providers_file(tmp_path_factory.mktemp("providers") / "providers.json", made)
        settings, _ = await stack_of.enter_async_context(
            own_workers(
                stack,
                1,
                worker_settings={"CALLWRIGHT_PROVIDERS_FILE": str(path)},
                providers_file=str(path),
            )
        )
        client = await stack_of.enter_async_context(issuer_client(settings))
        yield Servers(made["whisper"], made["vllm"], made["kokoro"], made["down"], client)


async def talk(stack: Stack, body: dict[str, Any]) -> Caller:
    """Join, hear the greeting, ask, and hear the answer."""
    caller = await join(body)
    await asyncio.wait_for(caller.agent_joined.wait(), 60)
    await eventually(lambda: "own models" in caller.agent_text(), within=60, what="greeting")
    await asyncio.wait_for(caller.wait_for_agent_state("listening"), 60)
    await caller.speak(stack.speech_wav, then_silence_s=1.0)
    await eventually(
        lambda: AGENT_REPLY.split(",")[0] in caller.agent_text(), within=60, what="the answer"
    )
    await caller.keep_quiet(1.0)
    assert caller.agent_audio_peak_rms > 1000, "the agent's audio was silent"
    return caller


STAGES = {
    "stt": {"provider": "whisper", "model": "faster-whisper-small"},
    "llm": {"provider": "vllm", "model": "qwen"},
    "tts": {"provider": "kokoro", "voice": "af_heart"},
}


async def test_three_stages_on_three_servers(stack: Stack, servers: Servers) -> None:
    tenant = await new_tenant(stack, greeting=GREETING, **STAGES)
    deepgram_before = len(stack.deepgram.stream_queries)
    body = await create_voice_session(servers.client, tenant)
    caller = await talk(stack, body)
    await caller.leave()
    session = await wait_ended(servers.client, tenant, body["session_id"])
    assert (session["status"], session["end_reason"]) == ("ended", "user_left")
    assert any(AGENT_REPLY in item["content"] for item in session["transcript"])
    assert session["credits_charged"] >= 1
    # Each server heard only its own stage: the user's words went to the transcription
    # server, the prompt to the LLM, the greeting and answer to the voice.
    assert servers.stt.transcription_requests
    assert any(r.get("model") == "faster-whisper-small" for r in servers.stt.transcription_requests)
    assert not servers.stt.chat_requests and not servers.stt.speech_requests
    assert servers.llm.chat_requests and {r["model"] for r in servers.llm.chat_requests} == {"qwen"}
    assert USER_TRANSCRIPT in json.dumps(servers.llm.chat_requests[-1]["messages"])
    assert not servers.llm.transcription_requests and not servers.llm.speech_requests
    assert servers.tts.speech_requests
    assert {r["voice"] for r in servers.tts.speech_requests} == {"af_heart"}
    assert not servers.tts.chat_requests and not servers.tts.transcription_requests
    assert len(stack.deepgram.stream_queries) == deepgram_before  # the built-in is not asked


async def test_an_llm_outage_is_answered_by_the_fallback(stack: Stack, servers: Servers) -> None:
    tenant = await new_tenant(
        stack,
        greeting=GREETING,
        **{
            **STAGES,
            "llm": {
                "provider": "down",
                "model": "primary",
                "fallback": [{"provider": "vllm", "model": "qwen"}],
            },
        },
    )
    asked_before = len(servers.down.chat_requests)
    body = await create_voice_session(servers.client, tenant)
    caller = await talk(stack, body)
    await caller.leave()
    session = await wait_ended(servers.client, tenant, body["session_id"])
    assert (session["status"], session["end_reason"]) == ("ended", "user_left")
    # The primary was asked and failed; the fallback answered.
    assert len(servers.down.chat_requests) > asked_before
    assert "should not be heard" not in caller.agent_text()
    # The switch is in the call's timeline.
    switches = [
        item
        for item in session["transcript"]
        if item["role"] == "event" and item["content"] == "provider_switched"
    ]
    assert switches and "llm" in switches[0]["detail"], session["transcript"]

"""Calls whose stages run on the operator's providers (CALLWRIGHT_PROVIDERS_FILE): speech-
to-text, LLM and voice on three servers of their own, each receiving only its stage's
requests; an LLM outage answered by the stage's fallback, both an error answer and a
server gone mid-call; and a call with each vendor voice (ElevenLabs, Cartesia, Deepgram
Aura) through its plugin, with its provider's key."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import yaml

from callwright_devstack.api import create_voice_session, issuer_client
from callwright_devstack.checkout import REPO_ROOT
from callwright_devstack.demo_agent import demo_stages
from callwright_devstack.emulators import (
    CartesiaEmulator,
    DeepgramAuraEmulator,
    ElevenLabsEmulator,
    OpenAIEmulator,
)
from callwright_devstack.participant import Caller
from callwright_devstack.waiting import eventually
from callwright_shared.agents.registry import parse_providers
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
PRIMARY_REPLY = "The primary model answers this first turn."
SELF_HOSTED = REPO_ROOT / "deploy" / "providers.self-hosted.yaml"


@dataclass
class Servers:
    stt: OpenAIEmulator
    llm: OpenAIEmulator
    tts: OpenAIEmulator
    down: OpenAIEmulator
    # An LLM the test stops mid-call (its port closes: a server gone, not an error answer).
    mortal: OpenAIEmulator
    client: httpx.AsyncClient
    voices: dict[str, VendorVoice]
    # deploy/providers.self-hosted.yaml's servers: Ollama's and speaches' stand-ins.
    ollama: OpenAIEmulator
    speaches: OpenAIEmulator


VendorVoice = ElevenLabsEmulator | CartesiaEmulator | DeepgramAuraEmulator
# Each vendor voice: its emulator, how the file names it, and the key its variable holds.
VENDORS: dict[str, tuple[type[VendorVoice], dict[str, Any], str]] = {
    "elevenlabs": (
        ElevenLabsEmulator,
        {"kind": "elevenlabs", "models": ["eleven_flash_v2_5"], "voices": ["voice-eleven"]},
        "ELEVENLABS_API_KEY",
    ),
    "cartesia": (
        CartesiaEmulator,
        {"kind": "cartesia", "models": ["sonic-2"], "voices": ["voice-cartesia"]},
        "CARTESIA_API_KEY",
    ),
    "aura": (
        DeepgramAuraEmulator,
        {
            "kind": "deepgram",
            "models": ["aura-2-thalia-en"],
            "voices": ["aura-2-thalia-en"],
            "api_key_env": "CALLWRIGHT_TEST_AURA_KEY",
        },
        "CALLWRIGHT_TEST_AURA_KEY",
    ),
}


def vendor_key(name: str) -> str:
    return f"{name}-key"


def vendor_entries(voices: dict[str, VendorVoice]) -> list[dict[str, Any]]:
    return [
        {"name": name, "base_url": voices[name].base_url, "stages": ["tts"], **VENDORS[name][1]}
        for name in voices
    ]


def self_hosted_entries(ollama: OpenAIEmulator, speaches: OpenAIEmulator) -> list[dict[str, Any]]:
    """The shipped self-hosted file's providers as they are, but for their base URLs:
    each server's is its stand-in's."""
    shipped: list[dict[str, Any]] = yaml.safe_load(SELF_HOSTED.read_text())["providers"]
    stand_in = {11434: ollama.base_url, 8002: speaches.base_url}
    return [
        {**entry, "base_url": stand_in[urlsplit(entry["base_url"]).port or 0]} for entry in shipped
    ]


def providers_file(
    path: Path,
    servers: dict[str, OpenAIEmulator],
    voices: dict[str, VendorVoice],
    self_hosted: list[dict[str, Any]],
) -> Path:
    stages = {"whisper": "stt", "vllm": "llm", "kokoro": "tts", "down": "llm", "mortal": "llm"}
    models = {"whisper": "faster-whisper-small", "vllm": "qwen", "kokoro": "kokoro",
              "down": "primary", "mortal": "primary"}  # fmt: skip
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
    entries += vendor_entries(voices) + self_hosted
    path.write_text(json.dumps({"providers": entries}))
    return path


@pytest.fixture(scope="module")
async def servers(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Servers]:
    made = {
        "whisper": OpenAIEmulator(transcript=USER_TRANSCRIPT),
        "vllm": OpenAIEmulator(reply=AGENT_REPLY),
        "kokoro": OpenAIEmulator(),
        "down": OpenAIEmulator(reply="the primary should not be heard"),
        "mortal": OpenAIEmulator(reply=PRIMARY_REPLY),
    }
    made["down"].chat_status = 500
    # Each vendor voice requires its key: the worker must send the provider's.
    voices = {name: kind(require_key=vendor_key(name)) for name, (kind, _, _) in VENDORS.items()}
    keys = {env: vendor_key(name) for name, (_, _, env) in VENDORS.items()}
    ollama = OpenAIEmulator(reply=AGENT_REPLY)
    speaches = OpenAIEmulator(transcript=USER_TRANSCRIPT)
    async with AsyncExitStack() as stack_of:
        for server in [*made.values(), *voices.values(), ollama, speaches]:
            await stack_of.enter_async_context(server)
        path = providers_file(
            tmp_path_factory.mktemp("providers") / "providers.json",
            made,
            voices,
            self_hosted_entries(ollama, speaches),
        )
        settings, _ = await stack_of.enter_async_context(
            own_workers(
                stack,
                1,
                worker_settings={"CALLWRIGHT_PROVIDERS_FILE": str(path), **keys},
                providers_file=str(path),
            )
        )
        client = await stack_of.enter_async_context(issuer_client(settings))
        yield Servers(
            made["whisper"],
            made["vllm"],
            made["kokoro"],
            made["down"],
            made["mortal"],
            client,
            voices,
            ollama,
            speaches,
        )


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


def switched(session: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        item
        for item in session["transcript"]
        if item["role"] == "event" and item["content"] == "provider_switched"
    ]


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
    switches = switched(session)
    assert switches and "llm" in switches[0]["detail"], session["transcript"]


async def test_an_llm_killed_mid_call_is_replaced_by_the_fallback(
    stack: Stack, servers: Servers
) -> None:
    tenant = await new_tenant(
        stack,
        greeting=GREETING,
        **{
            **STAGES,
            "llm": {
                "provider": "mortal",
                "model": "primary",
                "fallback": [{"provider": "vllm", "model": "qwen"}],
            },
        },
    )
    body = await create_voice_session(servers.client, tenant)
    caller = await join(body)
    await asyncio.wait_for(caller.agent_joined.wait(), 60)
    await eventually(lambda: "own models" in caller.agent_text(), within=60, what="greeting")
    await asyncio.wait_for(caller.wait_for_agent_state("listening"), 60)
    # The first turn is the primary's.
    await caller.speak(stack.speech_wav, then_silence_s=1.0)
    await eventually(
        lambda: "primary model answers" in caller.agent_text(), within=60, what="the first answer"
    )
    assert servers.mortal.chat_requests
    await asyncio.wait_for(caller.wait_for_agent_state("listening"), 60)
    # The primary's server goes away mid-call; the next turn is the fallback's.
    await servers.mortal.stop()
    await caller.speak(stack.speech_wav, then_silence_s=1.0)
    await eventually(
        lambda: AGENT_REPLY.split(",")[0] in caller.agent_text(), within=60, what="the answer"
    )
    await caller.keep_quiet(1.0)
    await caller.leave()
    session = await wait_ended(servers.client, tenant, body["session_id"])
    assert (session["status"], session["end_reason"]) == ("ended", "user_left")
    said = [item["content"] for item in session["transcript"] if item["role"] == "assistant"]
    assert any(PRIMARY_REPLY in text for text in said), said
    assert any(AGENT_REPLY in text for text in said), said
    switches = switched(session)
    assert switches and "llm" in switches[0]["detail"], session["transcript"]
    # The switch came after the primary's answer and before the fallback's.
    order = [item["content"] for item in session["transcript"]]
    first = next(i for i, text in enumerate(order) if PRIMARY_REPLY in text)
    second = next(i for i, text in enumerate(order) if AGENT_REPLY in text)
    assert first < order.index("provider_switched") < second, order


async def test_the_self_hosted_recipe_runs_a_call(stack: Stack, servers: Servers) -> None:
    # The agent `make run` seeds on deploy/providers.self-hosted.yaml: the file's first
    # model of each stage, the first voice.
    shipped = parse_providers(SELF_HOSTED.read_text(), source=str(SELF_HOSTED))
    stages = {name: choice.model_dump() for name, choice in demo_stages(shipped).items()}
    tenant = await new_tenant(stack, greeting=GREETING, **stages)
    body = await create_voice_session(servers.client, tenant)
    caller = await talk(stack, body)
    await caller.leave()
    session = await wait_ended(servers.client, tenant, body["session_id"])
    assert (session["status"], session["end_reason"]) == ("ended", "user_left")
    assert session["credits_charged"] >= 1
    # Ollama's stand-in was asked for the words, speaches' for the transcript and the voice,
    # each with the model the file lists.
    ollama, speaches = servers.ollama, servers.speaches
    assert {r["model"] for r in ollama.chat_requests} == {"qwen2.5:7b"}
    assert USER_TRANSCRIPT in json.dumps(ollama.chat_requests[-1]["messages"])
    assert not ollama.transcription_requests and not ollama.speech_requests
    assert {r.get("model") for r in speaches.transcription_requests} == {
        "Systran/faster-whisper-small"
    }
    assert {(r["model"], r["voice"]) for r in speaches.speech_requests} == {
        ("speaches-ai/Kokoro-82M-v1.0-ONNX", "af_heart")
    }
    assert not speaches.chat_requests


@pytest.mark.parametrize("name", list(VENDORS))
async def test_a_vendor_voice_is_heard(stack: Stack, servers: Servers, name: str) -> None:
    # Speech-to-text and the LLM on the operator's servers, the voice from the vendor.
    voice = VENDORS[name][1]["voices"][0]
    tenant = await new_tenant(
        stack, greeting=GREETING, **{**STAGES, "tts": {"provider": name, "voice": voice}}
    )
    emulator = servers.voices[name]
    spoken_before = len(emulator.requests)
    kokoro_before = len(servers.tts.speech_requests)
    body = await create_voice_session(servers.client, tenant)
    caller = await talk(stack, body)
    await caller.leave()
    session = await wait_ended(servers.client, tenant, body["session_id"])
    assert (session["status"], session["end_reason"]) == ("ended", "user_left")

    # The greeting and the answer were the vendor's to say, with its voice and the key of
    # the provider's variable; the OpenAI-compatible voice said nothing.
    def said() -> str:
        return " ".join(" ".join(r.text.split()) for r in emulator.requests[spoken_before:])

    await eventually(
        lambda: GREETING in said() and AGENT_REPLY.split(",")[0] in said(),
        within=30,
        what=f"{name} to have said the greeting and the answer",
    )
    asked = emulator.requests[spoken_before:]
    assert {(r.voice, r.key, r.transport) for r in asked} == {
        (voice, vendor_key(name), "websocket")
    }
    assert len(servers.tts.speech_requests) == kokoro_before

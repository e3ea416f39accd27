"""The voice stack the worker benchmarks run on: a real livekit-server, the issuer
in-process, a real `callwright worker start` process, and provider emulators with fixed,
known latencies. Built from the same parts as the end-to-end tests."""

from __future__ import annotations

import asyncio
import json
import tempfile
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from livekit import api

from callwright_devstack.api import issuer_client
from callwright_devstack.emulators import (
    CartesiaEmulator,
    DeepgramAuraEmulator,
    DeepgramEmulator,
    ElevenLabsEmulator,
    OpenAIEmulator,
)
from callwright_devstack.services.livekit_server import LiveKitServer
from callwright_devstack.services.worker_process import WorkerProcess
from callwright_devstack.speech import make_speech_wav
from callwright_devstack.tenants import Tenant, seed_tenant
from callwright_devstack.voice_stack import worker_stack
from callwright_shared.settings import CallwrightSettings

REPLY = "Sure, I can help with that."
# What the caller says each turn, and what the speech-to-text emulator hears of it.
SPEECH = "Hello, can you help me with my order?"
# The voices a benchmark may use besides OpenAI's: each vendor's emulator, its provider
# entry and the variable its key is read from.
VENDOR_VOICES: dict[str, tuple[type[Any], dict[str, Any], str | None]] = {
    "elevenlabs": (
        ElevenLabsEmulator,
        {"kind": "elevenlabs", "models": ["eleven_flash_v2_5"], "voices": ["bench-voice"]},
        "ELEVENLABS_API_KEY",
    ),
    "cartesia": (
        CartesiaEmulator,
        {"kind": "cartesia", "models": ["sonic-2"], "voices": ["bench-voice"]},
        "CARTESIA_API_KEY",
    ),
    "aura": (
        DeepgramAuraEmulator,
        {"kind": "deepgram", "models": ["aura-2-thalia-en"], "voices": ["aura-2-thalia-en"]},
        None,  # the Deepgram key the stack already gives the worker
    ),
}
VOICES = ("openai", *VENDOR_VOICES)


@dataclass
class VoiceStack:
    livekit: LiveKitServer
    settings: CallwrightSettings
    client: httpx.AsyncClient
    tenant: Tenant
    openai: OpenAIEmulator
    deepgram: DeepgramEmulator
    worker: WorkerProcess
    speech_wav: Path
    workdir: Path

    async def create_call(self) -> dict[str, Any]:
        response = await self.client.post(
            "/v1/sessions/voice",
            json={"agent_id": self.tenant.agent_id},
            headers=self.tenant.headers,
        )
        response.raise_for_status()
        body: dict[str, Any] = response.json()
        return body


def _providers(
    openai: OpenAIEmulator, deepgram: DeepgramEmulator, voice: str, voice_url: str
) -> list[dict[str, Any]]:
    """The stack's providers as a file: the emulated OpenAI and Deepgram (the emulators
    start on a port of their own, known before the worker starts) and the vendor voice."""
    return [
        {"name": "openai", "kind": "openai", "stages": ["llm", "tts"], "models": ["gpt-4o-mini"],
         "api_key_env": "OPENAI_API_KEY", "voices": ["alloy"], "base_url": openai.base_url},
        {"name": "deepgram", "kind": "deepgram", "stages": ["stt"], "models": ["nova-3"],
         "base_url": deepgram.base_url},
        {"name": voice, "base_url": voice_url, "stages": ["tts"], **VENDOR_VOICES[voice][1]},
    ]  # fmt: skip


async def _idle_processes_warm(worker: WorkerProcess, count: int = 2) -> None:
    """Benchmarks measure a warmed worker: its prewarmed job processes are up."""
    async with asyncio.timeout(120):
        while True:
            log = worker.log_path.read_text(errors="replace")
            # `start` logs JSON, `dev` plain text: the message is in both.
            if log.count("process initialized") >= count:
                return
            await asyncio.sleep(0.2)


@asynccontextmanager
async def voice_stack(
    *,
    llm_first_token_s: float = 0.0,
    tts_first_byte_s: float = 0.0,
    agent: dict[str, Any] | None = None,
    worker_overrides: dict[str, str] | None = None,
    worker_mode: str = "start",
    voice: str = "openai",
) -> AsyncIterator[VoiceStack]:
    """With `voice` one of VENDOR_VOICES, the agent speaks through that vendor's plugin
    and emulator, with the same first-byte delay as the OpenAI voice's."""
    with tempfile.TemporaryDirectory(prefix="callwright-bench-") as tmp:
        async with AsyncExitStack() as ctx:
            workdir = Path(tmp)
            livekit = LiveKitServer(log_path=workdir / "livekit.log")
            await asyncio.to_thread(livekit.start)
            openai = OpenAIEmulator(
                reply=REPLY,
                first_token_delay_s=llm_first_token_s,
                tts_first_byte_delay_s=tts_first_byte_s,
            )
            deepgram = DeepgramEmulator(transcript=SPEECH, idle_endpoint_s=None)
            overrides = dict(worker_overrides or {})
            agent = dict(agent or {})
            providers_file: Path | None = None
            vendor_url = ""
            if voice != "openai":
                kind, entry, key_env = VENDOR_VOICES[voice]
                vendor = await ctx.enter_async_context(kind(first_byte_delay_s=tts_first_byte_s))
                vendor_url = vendor.base_url
                providers_file = workdir / "providers.json"
                # The OpenAI and Deepgram emulators get their ports when the stack starts them:
                # the file is written whole once they have (the worker reads it at each call,
                # again whenever it changes); until then it names the vendor alone.
                vendor_only = [
                    {"name": voice, "base_url": vendor.base_url, "stages": ["tts"], **entry}
                ]
                await asyncio.to_thread(
                    providers_file.write_text, json.dumps({"providers": vendor_only})
                )
                overrides["CALLWRIGHT_PROVIDERS_FILE"] = str(providers_file)
                if key_env:
                    overrides[key_env] = "bench-key"
                agent["tts"] = {"provider": voice, "voice": entry["voices"][0]}
            try:
                async with worker_stack(
                    livekit,
                    workdir,
                    openai=openai,
                    deepgram=deepgram,
                    agent_name_prefix="callwright-bench",
                    worker_log=workdir / "worker.log",
                    worker_mode=worker_mode,
                    **overrides,
                ) as parts:
                    if providers_file is not None:
                        whole = _providers(openai, deepgram, voice, vendor_url)
                        await asyncio.to_thread(
                            providers_file.write_text, json.dumps({"providers": whole})
                        )
                    tenant = await seed_tenant(
                        parts.database_url,
                        credits_amount=10_000_000,
                        agent={"credits_per_minute": 1, **agent},
                    )
                    await _idle_processes_warm(parts.worker)
                    wav = await asyncio.to_thread(make_speech_wav, SPEECH, workdir / "speech.wav")
                    async with issuer_client(parts.settings) as client:
                        yield VoiceStack(
                            livekit,
                            parts.settings,
                            client,
                            tenant,
                            openai,
                            deepgram,
                            parts.worker,
                            wav,
                            workdir,
                        )
            finally:
                await asyncio.to_thread(livekit.stop)


async def agent_joined_ms(
    lkapi: api.LiveKitAPI, room_name: str, *, within: float, poll: float = 0.02
) -> float | None:
    """Room created → agent joined, from livekit-server's own clocks; None if no agent
    joined within `within` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while loop.time() < deadline:
        rooms = await lkapi.room.list_rooms(api.ListRoomsRequest(names=[room_name]))
        participants = await lkapi.room.list_participants(
            api.ListParticipantsRequest(room=room_name)
        )
        agents = [
            p
            for p in participants.participants
            if p.kind == api.ParticipantInfo.Kind.AGENT and p.joined_at_ms
        ]
        if agents and rooms.rooms:
            return float(agents[0].joined_at_ms - rooms.rooms[0].creation_time_ms)
        await asyncio.sleep(poll)
    return None

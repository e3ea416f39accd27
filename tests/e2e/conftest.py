"""The end-to-end stack, in the configuration users run: a real livekit-server with
livekit.yaml's webhook pointing at the issuer, the issuer served over HTTP (its
reconciler and re-dispatcher running), a real worker process, and provider emulators on
loopback speaking the real wire protocols."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from callwright_devstack.checkout import ARTIFACTS
from callwright_devstack.emulators import (
    DeepgramEmulator,
    GeminiLiveEmulator,
    OpenAIEmulator,
    OpenAIRealtimeEmulator,
)
from callwright_devstack.ports import free_tcp_port
from callwright_devstack.services.livekit_server import running_livekit
from callwright_devstack.services.served_issuer import ServedIssuer
from callwright_devstack.services.worker_process import GOOGLE_KEY, gemini_env
from callwright_devstack.speech import make_speech_wav
from callwright_devstack.voice_stack import worker_stack
from tests.e2e.support import AGENT_REPLY, USER_TRANSCRIPT, Stack, webhook_url


@pytest.fixture(scope="module")
async def stack(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Stack]:
    tmp = tmp_path_factory.mktemp("e2e")
    realtime = OpenAIRealtimeEmulator(reply=AGENT_REPLY, user_transcript=USER_TRANSCRIPT)
    openai = OpenAIEmulator(reply=AGENT_REPLY, realtime=realtime)
    deepgram = DeepgramEmulator(transcript=USER_TRANSCRIPT)
    gemini = GeminiLiveEmulator(
        reply=AGENT_REPLY, user_transcript=USER_TRANSCRIPT, require_key=GOOGLE_KEY
    )
    issuer_port = free_tcp_port()
    with running_livekit(f"livekit-{tmp.name}.log", webhook_url=webhook_url(issuer_port)) as lk:
        async with (
            gemini,
            worker_stack(
                lk,
                tmp,
                openai=openai,
                deepgram=deepgram,
                agent_name_prefix="callwright-test",
                worker_log=ARTIFACTS / f"worker-{tmp.name}.log",
                **gemini_env(gemini),
            ) as parts,
        ):
            wav = await asyncio.to_thread(
                make_speech_wav, "Hello, can you hear me?", tmp / "hello.wav"
            )
            with ServedIssuer(parts.settings, port=issuer_port) as issuer:
                yield Stack(
                    lk,
                    parts.settings,
                    parts.database_url,
                    openai,
                    realtime,
                    deepgram,
                    gemini,
                    parts.worker,
                    wav,
                    issuer.url,
                )


@pytest.fixture
async def client(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the stack's issuer, over HTTP like every caller of the API."""
    async with httpx.AsyncClient(base_url=stack.issuer_url, timeout=30) as c:
        yield c

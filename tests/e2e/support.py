"""What the end-to-end tests share besides their fixtures: the stack's parts, tenants of
their own, waits for a call's end, the charge a call's duration implies, and workers of
a test's own."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from callwright_devstack.api import session_of
from callwright_devstack.checkout import ARTIFACTS
from callwright_devstack.emulators import (
    DeepgramEmulator,
    GeminiLiveEmulator,
    OpenAIEmulator,
    OpenAIRealtimeEmulator,
)
from callwright_devstack.participant import Caller
from callwright_devstack.services.livekit_server import LiveKitServer
from callwright_devstack.services.worker_process import WorkerProcess, gemini_env, worker_env
from callwright_devstack.tenants import Tenant, seed_tenant
from callwright_devstack.waiting import eventually
from callwright_shared.settings import CallwrightSettings

AGENT_REPLY = "Yes, I can hear you clearly. How can I help today?"
USER_TRANSCRIPT = "hello can you hear me"


@dataclass
class Stack:
    livekit: LiveKitServer
    settings: CallwrightSettings
    database_url: str
    openai: OpenAIEmulator
    realtime: OpenAIRealtimeEmulator
    deepgram: DeepgramEmulator
    gemini: GeminiLiveEmulator
    worker: WorkerProcess
    speech_wav: Path
    issuer_url: str

    def worker_env(self, **overrides: str) -> dict[str, str]:
        env = {**gemini_env(self.gemini), **overrides}
        return worker_env(self.settings, self.openai, self.deepgram, **env)


def webhook_url(issuer_port: int) -> str:
    return f"http://127.0.0.1:{issuer_port}/v1/livekit/webhook"


async def new_tenant(stack: Stack, **agent: Any) -> Tenant:
    return await seed_tenant(
        stack.database_url,
        credits_amount=agent.pop("credits", 1000),
        user_id=f"caller_{uuid.uuid4().hex[:6]}.x@y-z",
        agent={"credits_per_minute": 6, **agent},
    )


async def wait_ended(
    client: httpx.AsyncClient, tenant: Tenant, session_id: str, within: float = 30
) -> dict[str, Any]:
    latest: dict[str, Any] = {}

    async def ended() -> bool:
        nonlocal latest
        latest = await session_of(client, tenant, session_id)
        return latest["status"] in ("ended", "failed")

    await eventually(ended, within=within, what=f"session {session_id} to end")
    return latest


def served_by(workers: list[WorkerProcess], session_id: str) -> int | None:
    """Index of the worker that accepted the call (from its structured log)."""
    for index, worker in enumerate(workers):
        for line in Path(worker.log_path).read_text(errors="replace").splitlines():
            if (
                '"agent joined the room"' in line
                and json.loads(line).get("session_id") == session_id
            ):
                return index
    return None


async def join(body: dict[str, Any]) -> Caller:
    caller = Caller(body["livekit_url"], body["token"])
    await caller.join()
    return caller


@asynccontextmanager
async def own_workers(
    stack: Stack,
    count: int,
    *,
    mode: str = "start",
    wait: bool = True,
    worker_settings: dict[str, str] | None = None,
    **settings: object,
) -> AsyncIterator[tuple[CallwrightSettings, list[WorkerProcess]]]:
    """Workers under an agent name of their own, in `mode` (`dev` is what `make run`
    starts), and issuer settings that dispatch to it. With `wait=False` they are not
    started: the test starts them when it wants to."""
    agent_name = f"callwright-fleet-{uuid.uuid4().hex[:6]}"
    issuer_settings = stack.settings.model_copy(
        update={"livekit_agent_name": agent_name, **settings}
    )
    workers = [
        WorkerProcess(
            env=stack.worker_env(LIVEKIT_AGENT_NAME=agent_name, **(worker_settings or {})),
            log_path=ARTIFACTS / f"worker-{agent_name}-{i}.log",
            mode=mode,
        )
        for i in range(count)
    ]
    if wait:
        await asyncio.gather(*(asyncio.to_thread(w.start) for w in workers))
    try:
        yield issuer_settings, workers
    finally:
        await asyncio.gather(*(asyncio.to_thread(w.stop) for w in workers))

"""What every voice test and benchmark stands on: a migrated SQLite database, issuer
settings under an agent name of their own, the provider emulators running, and a real
`callwright worker start` process wired to them and registered with livekit-server."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from callwright_devstack.emulators import DeepgramEmulator, OpenAIEmulator
from callwright_devstack.services.livekit_server import LiveKitServer
from callwright_devstack.services.worker_process import WorkerProcess, worker_env
from callwright_devstack.tenants import make_settings
from callwright_shared.db.migrate import upgrade_async
from callwright_shared.settings import CallwrightSettings


@dataclass
class WorkerStack:
    settings: CallwrightSettings
    database_url: str
    worker: WorkerProcess


@asynccontextmanager
async def worker_stack(
    livekit: LiveKitServer,
    workdir: Path,
    *,
    openai: OpenAIEmulator,
    deepgram: DeepgramEmulator,
    agent_name_prefix: str,
    worker_log: Path,
    worker_mode: str = "start",
    **worker_overrides: str,
) -> AsyncIterator[WorkerStack]:
    database_url = f"sqlite+aiosqlite:///{workdir / 'callwright.db'}"
    await upgrade_async(database_url)
    # A worker name of its own: other workers on the same server never take these jobs.
    # Outbound requests to private addresses allowed: tests' webhook receivers and tool
    # servers are on loopback.
    settings = make_settings(
        database_url,
        livekit,
        livekit_agent_name=f"{agent_name_prefix}-{uuid.uuid4().hex[:8]}",
        outbound_allow_private=True,
        tools_allow_private_networks=True,
    )
    worker_log.parent.mkdir(exist_ok=True)
    async with openai, deepgram:
        worker = WorkerProcess(
            env=worker_env(settings, openai, deepgram, **worker_overrides),
            log_path=worker_log,
            mode=worker_mode,
        )
        try:
            await asyncio.to_thread(worker.start)
            yield WorkerStack(settings, database_url, worker)
        finally:
            await asyncio.to_thread(worker.stop)

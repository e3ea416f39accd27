"""`callwright worker dev|start|console`: a livekit-agents AgentServer registered under
LIVEKIT_AGENT_NAME for explicit dispatch only, with Silero VAD prewarmed once per process,
draining on SIGTERM (start mode) and serving health on CALLWRIGHT_WORKER_PORT.

Capacity is the same in `dev` and `start`: CALLWRIGHT_WORKER_MAX_JOBS jobs, counting jobs
accepted but still waiting for their process, each as one job; and
CALLWRIGHT_WORKER_IDLE_PROCESSES processes kept warm in both modes.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from livekit.agents import AgentServer, JobProcess, JobRequest, cli

from callwright_shared.calls.room_names import RoomNameError, parse_room_name
from callwright_shared.db.engine import quiet_statement_logs
from callwright_shared.settings import WorkerSettings
from callwright_worker.deps import BUSY_JOIN_WINDOW_ATTRIBUTE, WorkerDeps
from callwright_worker.job import entrypoint


def prewarm(proc: JobProcess) -> None:
    """Once per job process, before any job: what a dispatch should not wait for."""
    quiet_statement_logs()
    deps = proc.userdata[WorkerDeps.KEY] = WorkerDeps.load()
    if deps.settings.worker_event_loop == "uvloop":
        # livekit-agents makes the job's loop with asyncio.new_event_loop() after this
        # returns, so the policy set here decides what loop the calls run on.
        import uvloop

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())


class CallwrightServer(AgentServer):
    """An AgentServer whose capacity is a number of jobs, true while processes start.

    livekit-agents 1.8.9 counts a job accepted but not yet launched as
    `load_threshold / max(num_idle_processes, 1)` while no job runs: with no idle
    processes (its `dev` default) one starting job reports the whole worker full, and a
    burst gets one agent. Here each job, running or starting, is 1/max_jobs of the load.
    """

    def __init__(self, *, max_jobs: int, **kwargs: Any) -> None:
        self._max_jobs = max_jobs
        super().__init__(load_fnc=self._running_load, load_threshold=1.0, **kwargs)

    def _running_load(self, server: AgentServer) -> float:
        return len(server.active_jobs) / self._max_jobs

    def _get_effective_load(self) -> float:
        # `_reserved_slots`: jobs this server said yes to whose process is not running yet.
        starting: int = self._reserved_slots
        return (len(self.active_jobs) + starting) / self._max_jobs

    def busy(self) -> bool:
        """Half full or more, not counting the job being asked about (its slot is
        already reserved when `on_request` runs)."""
        others = len(self.active_jobs) + self._reserved_slots - 1
        return others * 2 >= self._max_jobs


def request_handler(
    server: CallwrightServer, settings: WorkerSettings
) -> Callable[[JobRequest], Awaitable[None]]:
    async def on_request(request: JobRequest) -> None:
        # Must stay trivial: LiveKit gives up on an assignment after about 3 s. The
        # database check (was this room issued?) happens in the entrypoint.
        try:
            parse_room_name(request.room.name)
        except RoomNameError:
            await request.reject()
            return
        attributes: dict[str, str] = {}
        if server.busy():
            # Capacity is short: a user who does not join soon does not pin this slot
            # for the whole join window (the job reads it from its own attributes).
            attributes[BUSY_JOIN_WINDOW_ATTRIBUTE] = str(settings.worker_busy_join_window_seconds)
        await request.accept(name="callwright agent", attributes=attributes)

    return on_request


def _write_ready_file(path: str) -> None:
    ready = Path(path)
    ready.parent.mkdir(parents=True, exist_ok=True)
    ready.write_text("registered\n")


def build_server(settings: WorkerSettings) -> AgentServer:
    server = CallwrightServer(
        max_jobs=settings.worker_max_jobs,
        setup_fnc=prewarm,
        num_idle_processes=min(settings.worker_idle_processes, settings.worker_max_jobs),
        initialize_process_timeout=settings.worker_process_start_timeout_seconds,
        drain_timeout=settings.worker_drain_timeout_seconds,
        port=settings.worker_port,
        ws_url=settings.livekit_url,
        api_key=settings.livekit_api_key,
        api_secret=settings.livekit_api_secret.get_secret_value(),
    )
    server.rtc_session(
        entrypoint,
        agent_name=settings.livekit_agent_name,
        on_request=request_handler(server, settings),
    )
    ready_file = settings.worker_ready_file
    if ready_file:
        server.on("worker_registered", lambda *_: _write_ready_file(ready_file))
    return server


def run(argv: list[str]) -> None:
    settings = WorkerSettings()
    quiet_statement_logs()
    sys.argv = ["callwright worker", *argv]
    cli.run_app(build_server(settings))

"""`callwright worker dev|start|console`: a livekit-agents AgentServer registered under
LIVEKIT_AGENT_NAME for explicit dispatch only, with Silero VAD prewarmed once per process,
draining on SIGTERM (start mode) and serving health on CALLWRIGHT_WORKER_PORT.
"""

from __future__ import annotations

import logging
import sys

from livekit.agents import AgentServer, JobProcess, JobRequest, cli
from livekit.plugins import silero

from callwright_shared.room_names import RoomNameError, parse_room_name
from callwright_shared.settings import CallwrightSettings
from callwright_worker.call import entrypoint
from callwright_worker.call_store import CallStore
from callwright_worker.providers import VAD_MIN_SILENCE_S


def quiet_database_driver_logs() -> None:
    # aiosqlite logs every statement with its parameters at DEBUG (the level of `dev`
    # mode): that would put transcripts in the logs.
    logging.getLogger("aiosqlite").setLevel(logging.INFO)


def prewarm(proc: JobProcess) -> None:
    """Once per job process, before any job: what a dispatch should not wait for."""
    quiet_database_driver_logs()
    proc.userdata["vad"] = silero.VAD.load(min_silence_duration=VAD_MIN_SILENCE_S)
    settings = CallwrightSettings()
    proc.userdata["settings"] = settings
    # Opens no connection; loads the database driver and SQLAlchemy's dialect now.
    proc.userdata["store"] = CallStore(settings.database_url)


async def on_request(request: JobRequest) -> None:
    # Must stay trivial: LiveKit gives up on an assignment after about 3 s. The database
    # check (was this room issued?) happens in the entrypoint.
    try:
        parse_room_name(request.room.name)
    except RoomNameError:
        await request.reject()
        return
    await request.accept(name="callwright agent")


def build_server(settings: CallwrightSettings) -> AgentServer:
    def load(server: AgentServer) -> float:
        return len(server.active_jobs) / settings.worker_max_jobs

    server = AgentServer(
        setup_fnc=prewarm,
        load_fnc=load,
        load_threshold=1.0,
        drain_timeout=settings.worker_drain_timeout_seconds,
        port=settings.worker_port,
        ws_url=settings.livekit_url,
        api_key=settings.livekit_api_key,
        api_secret=settings.livekit_api_secret.get_secret_value(),
    )
    server.rtc_session(entrypoint, agent_name=settings.livekit_agent_name, on_request=on_request)
    return server


def run(argv: list[str]) -> None:
    settings = CallwrightSettings()
    quiet_database_driver_logs()
    sys.argv = ["callwright worker", *argv]
    cli.run_app(build_server(settings))

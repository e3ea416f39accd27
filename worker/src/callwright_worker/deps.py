"""What a call stands on: the job process's bundle (`WorkerDeps`, built once at prewarm)
and the parts of livekit-agents a call uses, as protocols (`CallJob`, `CallRoom`,
`CallSession`, `SessionFactory`), so the call's recipe runs the same against a LiveKit job
and against in-process fakes.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable, Coroutine, Mapping
from pathlib import Path
from typing import Any, Protocol

from livekit import rtc
from livekit.agents import Agent, JobProcess
from livekit.agents.metrics import AgentSessionUsage
from livekit.agents.vad import VAD
from livekit.agents.voice import room_io
from livekit.agents.voice.agent_session import RecordingOptions
from livekit.agents.voice.events import EventTypes as SessionEventTypes
from livekit.agents.voice.speech_handle import SpeechHandle
from livekit.rtc.room import EventTypes as RoomEventTypes

from callwright_shared.agents.definitions import AgentConfig
from callwright_shared.db.models import Architecture
from callwright_shared.recordings.settings import RecordingSettings
from callwright_shared.settings import WorkerSettings
from callwright_worker.call_store import CallStore
from callwright_worker.providers import vad_model

# Set by the worker process on a job it accepted while half full or more
# (server.request_handler): the user's join window for this job, in seconds.
BUSY_JOIN_WINDOW_ATTRIBUTE = "callwright.join_window_seconds"


@dataclasses.dataclass(frozen=True, slots=True)
class WorkerDeps:
    """What a job process builds once, before any job (server.prewarm)."""

    settings: WorkerSettings
    # Opens no connection; loads the database driver and SQLAlchemy's dialect.
    store: CallStore
    vad: VAD
    # Where recorded calls are kept (callwright_worker.recording).
    recordings: RecordingSettings = dataclasses.field(default_factory=RecordingSettings)

    KEY = "callwright"  # its one key in `JobProcess.userdata`

    @classmethod
    def load(cls) -> WorkerDeps:
        settings = WorkerSettings()
        return cls(settings, CallStore(settings.database_url), vad_model(settings))

    @classmethod
    def of(cls, proc: JobProcess) -> WorkerDeps:
        """The process's bundle; built now when the job runs without prewarm (console)."""
        deps = proc.userdata.get(cls.KEY)
        if not isinstance(deps, WorkerDeps):
            deps = proc.userdata[cls.KEY] = cls.load()
        return deps


# -- the parts of livekit a call uses ---------------------------------------------------


class CallParticipant(Protocol):
    """A participant of the room (`rtc.RemoteParticipant`)."""

    @property
    def identity(self) -> str: ...

    @property
    def sid(self) -> str: ...

    @property
    def disconnect_reason(self) -> rtc.DisconnectReason.ValueType | None: ...


class AgentParticipant(Protocol):
    """The agent in the room (`rtc.LocalParticipant`)."""

    @property
    def attributes(self) -> Mapping[str, str]: ...

    async def send_text(self, text: str, *, topic: str = "") -> Any: ...


class CallRoom(Protocol):
    """The call's room (`rtc.Room`)."""

    @property
    def name(self) -> str: ...

    @property
    def remote_participants(self) -> Mapping[str, CallParticipant]: ...

    @property
    def local_participant(self) -> AgentParticipant: ...

    def on(
        self, event: RoomEventTypes, callback: Callable[..., Any] | None = None
    ) -> Callable[..., Any]: ...

    def off(self, event: RoomEventTypes, callback: Callable[..., Any]) -> None: ...


class JobInfo(Protocol):
    @property
    def id(self) -> str: ...


class CallJob(Protocol):
    """The job the call runs in (`JobContext`)."""

    @property
    def job(self) -> JobInfo: ...

    @property
    def room(self) -> CallRoom: ...

    @property
    def log_context_fields(self) -> dict[str, Any]: ...

    async def connect(self) -> None: ...

    async def wait_for_participant(self, *, identity: str | None = None) -> CallParticipant: ...

    def delete_room(self) -> asyncio.Future[Any]: ...

    def shutdown(self, reason: str = "") -> None: ...

    @property
    def session_directory(self) -> Path:
        """The job's temporary folder (where the recorder writes), deleted with the job."""
        ...

    def add_shutdown_callback(
        self, callback: Callable[[str], Coroutine[None, None, None]]
    ) -> None: ...


class CallSession(Protocol):
    """The agent session of a call (`AgentSession`), started in the call's room."""

    @property
    def usage(self) -> AgentSessionUsage: ...

    def on(
        self, event: SessionEventTypes, callback: Callable[..., Any] | None = None
    ) -> Callable[..., Any]: ...

    async def start_in_room(
        self,
        agent: Agent,
        *,
        room_options: room_io.RoomOptions,
        record: bool | RecordingOptions = False,
    ) -> None: ...

    def say(self, text: str, *, allow_interruptions: bool = True) -> SpeechHandle: ...

    def generate_reply(self, *, instructions: str) -> SpeechHandle: ...

    def interrupt(self) -> asyncio.Future[None]: ...

    async def aclose(self) -> None: ...


class SessionFactory(Protocol):
    """Builds a call's agent session from its agent's configuration; raises
    `ProviderConfigError` when the operator's settings cannot serve it (a missing key)."""

    def __call__(
        self, architecture: Architecture, config: AgentConfig, settings: WorkerSettings
    ) -> CallSession: ...

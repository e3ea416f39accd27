"""In-process stand-ins for the parts of LiveKit a call uses (callwright_worker.deps):
a room with participants who join and leave, the job around it, and an agent session
whose speech plays out at once. Small on purpose, in the manner of livekit-agents' own
tests/fake_*.py: each does what the recipe observes, and records what it was asked.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import json
import time
import types
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, cast

from livekit import rtc
from livekit.agents import Agent, AgentSession, llm, vad
from livekit.agents.metrics import AgentSessionUsage
from livekit.agents.metrics.usage import LLMModelUsage
from livekit.agents.voice import RunContext, room_io
from livekit.agents.voice.agent_session import RecordingOptions
from livekit.agents.voice.events import (
    AgentFalseInterruptionEvent,
    AgentStateChangedEvent,
    CloseEvent,
    CloseReason,
    ConversationItemAddedEvent,
    ErrorEvent,
)
from livekit.agents.voice.events import EventTypes as SessionEventTypes
from livekit.agents.voice.speech_handle import SpeechHandle
from livekit.rtc.room import EventTypes as RoomEventTypes

from callwright_shared.agents.definitions import AgentConfig
from callwright_shared.agents.providers import DEEPGRAM, OPENAI
from callwright_shared.db.models import Architecture
from callwright_shared.settings import WorkerSettings


@dataclasses.dataclass
class FakeParticipant:
    """One connection of a participant (a second tab is another one, same identity)."""

    identity: str
    sid: str
    disconnect_reason: rtc.DisconnectReason.ValueType | None = None


class FakeAgentParticipant:
    def __init__(self) -> None:
        self.attributes: dict[str, str] = {}
        self.sent: list[tuple[str, str]] = []  # (topic, text)
        self.send_fails = False
        # Set: the next send waits for it (a stream still on its way).
        self.hold_next_send: asyncio.Event | None = None

    async def send_text(self, text: str, *, topic: str = "") -> Any:
        if self.send_fails:
            raise ConnectionError("publisher not connected")
        if (gate := self.hold_next_send) is not None:
            self.hold_next_send = None
            await gate.wait()
        self.sent.append((topic, text))
        return None


class FakeRoom(rtc.EventEmitter[RoomEventTypes]):
    """A room as the agent sees it: `remote_participants` by identity, events in the
    order livekit-server sends them."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name
        self._participants: dict[str, FakeParticipant] = {}
        self.local_participant = FakeAgentParticipant()
        self._sids = itertools.count(1)

    @property
    def remote_participants(self) -> dict[str, FakeParticipant]:
        return self._participants

    def join(self, identity: str) -> FakeParticipant:
        participant = FakeParticipant(identity, f"PA_{next(self._sids)}")
        self._participants[identity] = participant
        self.emit("participant_connected", participant)
        return participant

    def leave(
        self,
        identity: str,
        reason: rtc.DisconnectReason.ValueType = rtc.DisconnectReason.CLIENT_INITIATED,
    ) -> None:
        participant = self._participants.pop(identity)
        participant.disconnect_reason = reason
        self.emit("participant_disconnected", participant)

    def second_connection(self, identity: str) -> FakeParticipant:
        """The same identity connects again. As the agent sees it (measured on
        livekit-server 1.13 with the rtc SDK): the first connection leaves with no reason
        (UNKNOWN_REASON, not DUPLICATE_IDENTITY), then the second one joins."""
        self.leave(identity, rtc.DisconnectReason.UNKNOWN_REASON)
        return self.join(identity)

    def delete(self) -> None:
        """Delete Room (End Session): everyone is disconnected, the agent too."""
        for identity in list(self._participants):
            self.leave(identity, rtc.DisconnectReason.ROOM_DELETED)
        self.emit("disconnected", rtc.DisconnectReason.ROOM_DELETED)


@dataclasses.dataclass
class FakeJobInfo:
    id: str


class FakeJob:
    """The job a call runs in: connects at once, deletes its room on request."""

    def __init__(self, room: FakeRoom, session_directory: Path, job_id: str = "AJ_fake") -> None:
        self.job = FakeJobInfo(job_id)
        self.room = room
        self.log_context_fields: dict[str, Any] = {}
        self.connected = False
        self.rooms_deleted = 0
        self.shutdown_reasons: list[str] = []
        self.shut_down = asyncio.Event()
        self.session_directory = session_directory
        session_directory.mkdir(parents=True, exist_ok=True)
        self.shutdown_callbacks: list[Callable[[str], Coroutine[None, None, None]]] = []

    def add_shutdown_callback(self, callback: Callable[[str], Coroutine[None, None, None]]) -> None:
        self.shutdown_callbacks.append(callback)

    async def run_shutdown_callbacks(self) -> None:
        """What livekit-agents does once the entrypoint returned."""
        reason = self.shutdown_reasons[0] if self.shutdown_reasons else ""
        await asyncio.gather(*(callback(reason) for callback in self.shutdown_callbacks))

    async def connect(self) -> None:
        self.connected = True

    async def wait_for_participant(self, *, identity: str | None = None) -> FakeParticipant:
        joined = asyncio.Event()

        def on_connected(participant: FakeParticipant) -> None:
            if participant.identity == identity:
                joined.set()

        self.room.on("participant_connected", on_connected)
        try:
            while (participant := self.room.remote_participants.get(identity or "")) is None:
                await joined.wait()
                joined.clear()
            return participant
        finally:
            self.room.off("participant_connected", on_connected)

    def delete_room(self) -> asyncio.Future[Any]:
        self.rooms_deleted += 1
        if self.rooms_deleted == 1:
            self.room.delete()
        done: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        done.set_result(None)
        return done

    def shutdown(self, reason: str = "") -> None:
        self.shutdown_reasons.append(reason)
        self.shut_down.set()


class FakeSession(rtc.EventEmitter[SessionEventTypes]):
    """An agent session whose speech plays out on the next loop turn (or is held, with
    `hold_playout`), and whose events a test emits: turns, errors, a close."""

    def __init__(self) -> None:
        super().__init__()
        self.usage = AgentSessionUsage(
            model_usage=[LLMModelUsage(provider="openai", model="fake", input_tokens=3)]
        )
        self.history = llm.ChatContext.empty()
        self.agent: Agent | None = None
        self.room_options: room_io.RoomOptions | None = None
        self.said: list[tuple[str, bool]] = []  # (text, allow_interruptions)
        self.replies: list[str] = []  # generate_reply instructions
        self.interrupts = 0
        self.closed = 0
        self.hold_playout = False
        self.record: bool | RecordingOptions = False
        self._recorder_io: types.SimpleNamespace | None = None
        self._playing: list[SpeechHandle] = []
        self._calls = itertools.count(1)
        self._global_run_state = None  # what a RunContext reads of its session (no run)

    async def start_in_room(
        self,
        agent: Agent,
        *,
        room_options: room_io.RoomOptions,
        record: bool | RecordingOptions = False,
    ) -> None:
        self.agent = agent
        self.room_options = room_options
        self.record = record
        if record:
            # What livekit-agents' recorder keeps: the wall time of its first sample.
            self._recorder_io = types.SimpleNamespace(recording_started_at=time.time())

    def _play(self) -> SpeechHandle:
        handle = SpeechHandle.create()
        self._playing.append(handle)
        if not self.hold_playout:
            asyncio.get_running_loop().call_soon(handle._mark_done)
        return handle

    def play_out(self) -> None:
        for handle in self._playing:
            handle._mark_done()

    def say(self, text: str, *, allow_interruptions: bool = True) -> SpeechHandle:
        self.said.append((text, allow_interruptions))
        return self._play()

    def generate_reply(self, *, instructions: str) -> SpeechHandle:
        self.replies.append(instructions)
        return self._play()

    def interrupt(self) -> asyncio.Future[None]:
        self.interrupts += 1
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        done.set_result(None)
        return done

    async def aclose(self) -> None:
        self.closed += 1

    # -- what a test makes happen ------------------------------------------------------

    def turn(self, role: llm.ChatRole, text: str, **metrics: Any) -> llm.ChatMessage:
        message = llm.ChatMessage(role=role, content=[text], metrics=metrics)
        self.emit("conversation_item_added", ConversationItemAddedEvent(item=message))
        return message

    def speaking(self) -> None:
        self.emit(
            "agent_state_changed",
            AgentStateChangedEvent(old_state="listening", new_state="speaking"),
        )

    def false_interruption(self, *, resumed: bool) -> None:
        """livekit-agents' word that the agent paused for a noise, and went on or not."""
        self.emit("agent_false_interruption", AgentFalseInterruptionEvent(resumed=resumed))

    def provider_fails(self, *, recoverable: bool = False) -> None:
        error = llm.LLMError(
            timestamp=0.0, label="fake", error=ConnectionError("down"), recoverable=recoverable
        )
        self.emit("error", ErrorEvent(error=error, source=FakeLLMSource()))

    def closes(self, reason: CloseReason) -> None:
        self.emit("close", CloseEvent(reason=reason))

    async def call_tool(self, name: str, arguments: dict[str, Any] | None = None) -> Any:
        """Run the agent's tool `name` as livekit-agents would for a model's function call."""
        assert self.agent is not None, "the session has not started"
        tool = next(
            t
            for t in self.agent.tools
            if isinstance(t, llm.RawFunctionTool) and t.info.name == name
        )
        call = llm.FunctionCall(
            call_id=f"call_{next(self._calls)}", name=name, arguments=json.dumps(arguments or {})
        )
        context: RunContext[None] = RunContext(
            session=cast(AgentSession[None], self),
            speech_handle=SpeechHandle.create(),
            function_call=call,
        )
        return await tool(arguments or {}, context)


class FakeVAD(vad.VAD):
    """Never streams: the fake session has no audio."""

    def __init__(self) -> None:
        super().__init__(capabilities=vad.VADCapabilities(update_interval=0.032))

    def stream(self) -> vad.VADStream:
        raise NotImplementedError("the fake session has no audio")


class FakeLLMSource:
    """What `ErrorEvent.source` names (the failing model)."""


class FakeSessions:
    """The call's session factory: the keys are read through the provider registry, as
    the real factory reads them (a missing one is `ProviderConfigError`), and the
    session is a FakeSession."""

    def __init__(self) -> None:
        self.sessions: list[FakeSession] = []
        self.on_build: Callable[[FakeSession], None] | None = None

    def __call__(
        self, architecture: Architecture, config: AgentConfig, settings: WorkerSettings
    ) -> FakeSession:
        if architecture is Architecture.PIPELINE:
            DEEPGRAM.key(settings)
        OPENAI.key(settings)
        session = FakeSession()
        self.sessions.append(session)
        if self.on_build is not None:
            self.on_build(session)
        return session

    @property
    def session(self) -> FakeSession:
        assert self.sessions, "no session was built"
        return self.sessions[-1]

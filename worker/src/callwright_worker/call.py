"""One call, as a recipe: (callwright_worker.job: parse → load → check → claim) → join →
wait for the user → build → greet → run until it ends → settle → delete the room.

A call ends on the first of: the user leaving (`user_left`), End Session deleting the
room (`api_ended`), the time limit (`max_duration_reached`, or `insufficient_credits`
when the hold limited it — the agent says goodbye first), a provider failure
(`provider_error`, the user is told on the room's chat topic, and the room is kept for
up to TOLD_LINGER_S, until the user leaves, so the message arrives), an unexpected error
(`internal_error`), or the job shut down by its stopping worker (`worker_unavailable`).
Whatever ends it, the recipe's one ending (`Call.run` → `_finish`) deletes the room and
settles the session through the one exactly-once settlement the issuer uses.

Billing policy: the agent time that is charged runs from the moment the agent session is
running with the user in the room until either leaves. A call that ends with a provider
failure before the agent said anything and before the first user turn or tool call (a
missing key, a provider down) is charged nothing; once the user was heard, the STT and
the model have worked for the call, so it is charged
(docs/security.md#provider-failure-waiver).

The job claims its session before it joins the room (callwright_shared.calls.heartbeats), and
the claim is its first heartbeat: a job dispatched twice for one session (the issuer's
re-dispatcher) leaves when it finds the session claimed, and a call shorter than the
heartbeat interval is still known to have a live worker. The end user gets the
microphone only: livekit-agents' session host (`lk.agent.session`, which would hand any
participant the instructions and a control channel) and text input on `lk.chat` are off.

The transcript is the call's timeline (callwright_shared.calls.records): turns with their
speaking times and livekit-agents' per-turn latency, and events (joined, away, back, time
limit, errors, ended); each heartbeat flushes it, so a worker that dies leaves it too.

The agent's tools (callwright_worker.tools) run in every architecture; their calls are
transcript entries too, and `end_call` ends the call through this recipe's own ending.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from livekit import rtc
from livekit.agents.voice import room_io
from livekit.agents.voice.events import (
    AgentStateChangedEvent,
    CloseEvent,
    CloseReason,
    ErrorEvent,
)
from livekit.agents.voice.speech_handle import SpeechHandle

from callwright_shared import outbound
from callwright_shared.calls.records import CallEvent, TranscriptEntry
from callwright_shared.db.models import Architecture, EndReason, SessionKind
from callwright_shared.errors import CallwrightError
from callwright_shared.sessions import config as session_config
from callwright_shared.tools.executor import ToolCallContext
from callwright_shared.tools.models import HttpTool
from callwright_worker.call_store import CallRecord
from callwright_worker.clock import AgentClock
from callwright_worker.deps import (
    BUSY_JOIN_WINDOW_ATTRIBUTE,
    CallJob,
    CallParticipant,
    CallSession,
    SessionFactory,
    WorkerDeps,
)
from callwright_worker.providers import (
    ProviderConfigError,
    fallback_stages,
    room_io_options,
    switch_detail,
)
from callwright_worker.recording import RECORD_AUDIO, CallRecording
from callwright_worker.timeline import CallTimeline, usage_of
from callwright_worker.tools import TOOL_TOPIC, CallTools, TransferTarget

logger = logging.getLogger(__name__)

CHAT_TOPIC = "lk.chat"
HEARTBEAT_INTERVAL_S = 5.0
GOODBYE_LEAD_S = 4.0
CLOSE_TIMEOUT_S = 5.0
SEND_TIMEOUT_S = 3.0  # a text message to the room (best effort)
# How long the room is kept after the user was told why the call ends (`_let_it_arrive`).
TOLD_LINGER_S = 5.0
GOODBYES = {
    EndReason.MAX_DURATION_REACHED: "We've reached the time limit for this call. Goodbye!",
    EndReason.INSUFFICIENT_CREDITS: "This call has used all of its credits. Goodbye!",
}
PROVIDER_ERROR_MESSAGE = (
    "Sorry, the agent's speech or language provider is unavailable, so this call has to end. "
    "Please try again later."
)


@dataclasses.dataclass(frozen=True, slots=True)
class CallTimings:
    """How long a call waits for what it does around the conversation (seconds)."""

    heartbeat_interval: float = HEARTBEAT_INTERVAL_S
    goodbye_lead: float = GOODBYE_LEAD_S
    close_timeout: float = CLOSE_TIMEOUT_S
    send_timeout: float = SEND_TIMEOUT_S
    told_linger: float = TOLD_LINGER_S


class Call:
    """One call in its job: `ctx` is the LiveKit job (or a test's stand-in), `sessions`
    builds its agent session, `clock` counts its agent time."""

    def __init__(
        self,
        ctx: CallJob,
        deps: WorkerDeps,
        record: CallRecord,
        *,
        sessions: SessionFactory,
        started: float,
        timings: CallTimings = CallTimings(),
        clock: AgentClock | None = None,
    ) -> None:
        self._started = started  # perf_counter when the job's entrypoint began
        self._ctx = ctx
        self._store = deps.store
        self._sessions = sessions
        self._record = record
        self._settings = deps.settings
        self._timings = timings
        self._clock = clock or AgentClock()
        self._ended = asyncio.Event()
        self._end_reason: EndReason | None = None
        self._error_message: str | None = None
        self._timeline = CallTimeline(realtime=record.architecture is Architecture.REALTIME)
        self._session: CallSession | None = None
        self._agent_spoke = False
        self._session_started = False
        self._away: asyncio.Task[None] | None = None
        self._away_since: float | None = None  # on the call's clock
        self._back = asyncio.Event()
        self._http = outbound.new_client()  # the agent's tools' requests
        self._tools: CallTools | None = None
        self._background: set[asyncio.Task[Any]] = set()
        self._publishing: asyncio.Task[None] | None = None  # the last tool update sent
        # Set when the call is recorded (the agent's choice or the operator's).
        self._recording = CallRecording.of(record, deps.store, deps.settings, deps.recordings)

    @property
    def user_away(self) -> bool:
        """The user left and the call waits for them (the rejoin grace)."""
        return self._away is not None

    # -- the recipe ------------------------------------------------------------------

    async def run(self) -> None:
        """The recipe and its one ending: whatever ends the call, `_finish` runs once,
        here, with the first reason recorded (`_end`)."""
        reason = EndReason.INTERNAL_ERROR
        # From the claim on: End Session or a webhook can end a call that has not started.
        heartbeat = asyncio.create_task(self._heartbeat(), name="callwright-heartbeat")
        try:
            reason = await self._serve()
        except asyncio.CancelledError:  # the job shut down (its worker stopping) mid-call
            reason = EndReason.WORKER_UNAVAILABLE
            raise
        except Exception:
            logger.exception("call failed")
            self._error_message = "internal error in the worker"
        finally:
            try:
                await self._finish(reason)
            finally:
                heartbeat.cancel()

    async def _serve(self) -> EndReason:
        """Join → wait for the user → build → greet → until it ends; returns why it ended."""
        connecting = time.perf_counter()
        await self._ctx.connect()
        logger.info(
            "agent joined the room",
            extra={
                "load_ms": round((connecting - self._started) * 1000, 1),
                "connect_ms": round((time.perf_counter() - connecting) * 1000, 1),
            },
        )
        self._watch_room()
        if not await self._wait_for_user():
            return EndReason.USER_NOT_JOINED
        await self._store.mark_active(self._record.session_id)
        self._mark(CallEvent.USER_JOINED)
        logger.info("user joined")
        try:
            self._session = await self._start_session()
        except ProviderConfigError as exc:
            self._error_message = str(exc)
            return EndReason.PROVIDER_ERROR
        self._session_started = True
        if self._away is None:
            self._clock.start()
        logger.info("agent session started")
        limit = asyncio.create_task(self._time_limit(), name="callwright-time-limit")
        try:
            self._greet()
            await self._ended.wait()
        finally:
            limit.cancel()
        return self._end_reason or EndReason.AGENT_ENDED

    async def _wait_for_user(self) -> bool:
        age = (datetime.now(UTC) - self._record.created_at).total_seconds()
        remaining = max(self._settings.join_window_seconds - age, 0.0)
        busy_window = self._ctx.room.local_participant.attributes.get(BUSY_JOIN_WINDOW_ATTRIBUTE)
        if busy_window is not None:
            remaining = min(remaining, float(busy_window))
        try:
            await asyncio.wait_for(
                self._ctx.wait_for_participant(identity=self._record.user_id), timeout=remaining
            )
        except TimeoutError:
            return False
        return True

    async def _call_tools(self) -> CallTools:
        record = self._record
        # Read once: a rotation during the call applies to the next call.
        needs_secret = any(isinstance(tool, HttpTool) for tool in record.config.tools)
        secret = await self._store.signing_secret(record.org_id) if needs_secret else None
        context = ToolCallContext(
            session_id=record.session_id,
            agent_id=record.agent_id,
            user_id=record.user_id,
            organization_id=record.org_id,
            kind="voice",
            metadata=record.metadata or {},
        )
        return CallTools(
            self,
            context=context,
            signing_secret=secret,
            allow_private=self._settings.tools_allow_private_networks,
            client=self._http,
        )

    def _on_switch(self, stage: str) -> Callable[[Any], None]:
        def record(event: Any) -> None:
            self._timeline.mark(CallEvent.PROVIDER_SWITCHED, detail=switch_detail(stage, event))

        return record

    async def _start_session(self) -> CallSession:
        config = self._record.config
        self._tools = await self._call_tools()
        session = self._sessions(self._record.architecture, config, self._settings)
        session.on("conversation_item_added", self._timeline.on_item)
        session.on("error", self._on_error)
        session.on("close", self._on_close)
        session.on("agent_state_changed", self._on_agent_state)
        session.on("agent_false_interruption", self._timeline.on_false_interruption)
        if self._record.architecture is Architecture.REALTIME:
            # The only source of a speech-to-speech model's time to first audio (the
            # session-level event is deprecated for everything else, and logs so once).
            session.on("metrics_collected", self._timeline.on_metrics)
        for stage, adapter in fallback_stages(session):
            adapter.on(f"{stage}_availability_changed", self._on_switch(stage))
        await session.start_in_room(
            self._tools.agent(config),
            room_options=room_io.RoomOptions(
                participant_identity=self._record.user_id,
                close_on_disconnect=False,  # a leave may be a rejoin: the recipe decides
                delete_room_on_close=False,  # the recipe deletes it after settling
                text_input=False,
                **room_io_options(self._record.architecture, self._settings),
            ),
            record=RECORD_AUDIO if self._recording is not None else False,
        )
        if self._recording is not None:
            await self._recording.mark_started(session, now=self._clock.now())
        return session

    def _greet(self) -> None:
        if self._session is None:
            return
        # A recorded call says so first, before anything else is said.
        consent = self._recording.consent_message if self._recording is not None else None
        if consent:
            self._speak(consent)
        greeting = self._record.config.greeting
        if greeting:
            self._speak(greeting)

    def _speak(self, text: str, *, last_words: bool = False) -> SpeechHandle:
        """Have the agent say `text`. `last_words` (a goodbye before the call ends): the
        caller talking over it does not cut it off, since the call ends either way. A
        realtime model's server-side turn detection cannot be told so (livekit-agents
        ignores it there); its goodbye ends at the playout timeout at worst."""
        assert self._session is not None
        if self._record.architecture is Architecture.REALTIME:
            return self._session.generate_reply(
                instructions=f"Say exactly this to the user, and nothing else: {text}"
            )
        return self._session.say(text, allow_interruptions=not last_words)

    # -- what the agent's tools need (callwright_worker.tools.CallHooks) ---------------

    def speak(self, text: str, *, last_words: bool = False) -> SpeechHandle:
        return self._speak(text, last_words=last_words)

    def end(self, reason: EndReason) -> None:
        self._end(reason)

    def record(self, entry: TranscriptEntry) -> None:
        self._timeline.record(entry)

    def publish(self, update: dict[str, str]) -> None:
        """Tell the caller's page (best effort: a missed update is only a display), in
        order: each update is its own text stream, and a `done` sent while the `running`
        before it is still on its way could arrive first and leave the page showing the
        tool running."""
        previous = self._publishing

        async def send() -> None:
            if previous is not None:
                await asyncio.wait([previous])
            try:
                await asyncio.wait_for(
                    self._ctx.room.local_participant.send_text(
                        json.dumps(update), topic=TOOL_TOPIC
                    ),
                    self._timings.send_timeout,
                )
            except Exception:
                logger.info("could not tell the page about a tool call")

        task = asyncio.create_task(send(), name="callwright-tool-update")
        self._publishing = task
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def transfer_target(self, agent_id: str) -> TransferTarget | str:
        record = self._record
        target = await self._store.agent_of(record.org_id, agent_id, settings=self._settings)
        if target is None:
            return "the agent no longer exists"
        if target.credits_per_minute > record.credits_per_minute:
            # The session keeps its price and hold: docs/security.md#transfer-price.
            return "the agent costs more per minute than this call"
        if target.architecture is not record.architecture:
            return f"the agent is a {target.architecture.value} agent, this call is not"
        if (
            record.architecture is Architecture.REALTIME
            and target.config.realtime.provider != record.config.realtime.provider
        ):
            return "the agent runs on another realtime provider"
        given = session_config.carried_values(
            record.variables, secrets=record.secrets, target=target.config
        )
        try:
            resolved = session_config.resolve(
                target.config,
                given=given,
                overrides=None,
                session_id=record.session_id,
                agent_id=target.agent_id,
                agent_name=target.name,
                user_id=record.user_id,
                channel=SessionKind.VOICE,
                now=datetime.now(UTC),
            )
        except CallwrightError as exc:  # a variable the session does not have
            return exc.message
        return TransferTarget(target.agent_id, target.name, resolved.config)

    def transferred(self, target: TransferTarget) -> None:
        logger.info("call transferred", extra={"to_agent_id": target.agent_id})
        self._mark(CallEvent.TRANSFERRED, detail=target.agent_id)
        self._ctx.log_context_fields["agent_id"] = target.agent_id

    async def _time_limit(self) -> None:
        limit = float(self._record.max_duration_seconds)
        reason = (
            EndReason.INSUFFICIENT_CREDITS
            if self._record.limited_by_credits
            else EndReason.MAX_DURATION_REACHED
        )
        lead = min(self._timings.goodbye_lead, limit / 3)
        # The limit is agent time: time the user was away does not count towards it.
        await self._clock.reached(limit - lead)
        try:
            if self._session is not None and not self._ended.is_set():
                logger.info("time limit reached, saying goodbye")
                self._mark(CallEvent.TIME_LIMIT, detail=reason.value)
                handle = self._speak(GOODBYES[reason], last_words=True)
                await asyncio.wait_for(
                    asyncio.shield(asyncio.ensure_future(handle.wait_for_playout())),
                    timeout=max(limit - self._clock.seconds, 0.1),
                )
        except TimeoutError:
            pass
        except Exception:  # no goodbye (the session is closing): the limit still holds
            logger.warning("could not say goodbye at the time limit")
        # Not in a `finally`: cancelled (the call ended otherwise), the limit ends nothing.
        self._end(reason)

    async def _heartbeat(self) -> None:
        flushed = 0  # transcript entries already on record
        while True:
            await asyncio.sleep(self._timings.heartbeat_interval)
            transcript = self._timeline.stored() if len(self._timeline) != flushed else None
            try:
                still_open = await self._store.heartbeat(
                    self._record.session_id,
                    self._clock.seconds,
                    job_id=self._ctx.job.id,
                    transcript=transcript,
                )
                if transcript is not None:
                    flushed = len(transcript)
            except Exception:  # a missed heartbeat is retried on the next tick
                logger.warning("heartbeat failed")
                continue
            if not still_open:  # End Session, a webhook, the reconciler settled it
                self._end(EndReason.API_ENDED)
                return

    # -- how a call ends -------------------------------------------------------------

    def _end(self, reason: EndReason) -> None:
        if self._end_reason is None:
            self._end_reason = reason
            self._clock.stop()
        self._ended.set()

    def _watch_room(self) -> None:
        def on_participant_disconnected(participant: CallParticipant) -> None:
            if participant.identity != self._record.user_id:
                return
            self._log_connection("user connection left", participant)
            if participant.disconnect_reason == rtc.DisconnectReason.ROOM_DELETED:
                self._end(EndReason.API_ENDED)
            elif self._user_in_room():
                pass  # a second connection of the same identity took the call over
            else:
                self._user_left(participant.disconnect_reason)

        def on_participant_connected(participant: CallParticipant) -> None:
            if participant.identity == self._record.user_id:
                self._log_connection("user connection joined", participant)
                self._back.set()

        def on_track_subscribed(
            track: rtc.Track, publication: rtc.RemoteTrackPublication, participant: CallParticipant
        ) -> None:
            # When the agent can hear a connection: the session's audio input follows the
            # user's identity to the newest microphone track it is subscribed to.
            if participant.identity == self._record.user_id:
                self._log_connection(
                    "user track subscribed", participant, track_sid=publication.sid
                )

        def on_disconnected(reason: rtc.DisconnectReason.ValueType) -> None:
            if reason == rtc.DisconnectReason.ROOM_DELETED:
                self._end(EndReason.API_ENDED)
            elif self._away is not None:  # LiveKit closed the room the user had left
                self._end(EndReason.USER_LEFT)
            else:
                self._end(EndReason.INTERNAL_ERROR)

        self._ctx.room.on("participant_disconnected", on_participant_disconnected)
        self._ctx.room.on("participant_connected", on_participant_connected)
        self._ctx.room.on("disconnected", on_disconnected)
        self._ctx.room.on("track_subscribed", on_track_subscribed)

    def _log_connection(
        self, message: str, participant: CallParticipant, *, track_sid: str | None = None
    ) -> None:
        """Which connection of the user the agent sees come and go (a second tab, a
        rejoin), to follow a call whose user stopped being heard."""
        reason = participant.disconnect_reason
        logger.info(
            message,
            extra={
                "participant_sid": participant.sid,
                "track_sid": track_sid,
                "reason": rtc.DisconnectReason.Name(reason) if reason else None,
                "connections_seen": sorted(
                    p.sid for p in self._ctx.room.remote_participants.values()
                ),
                "away": self._away is not None,
            },
        )

    def _user_in_room(self) -> bool:
        return self._record.user_id in self._ctx.room.remote_participants

    # -- the user away and back (rejoin) ---------------------------------------------

    def _user_left(self, reason: rtc.DisconnectReason.ValueType | None) -> None:
        """Any leave but End Session may be a reload, a second tab or a network switch:
        the call waits CALLWRIGHT_REJOIN_GRACE_SECONDS for the same identity."""
        if self._ended.is_set() or self._away is not None:
            return
        logger.info(
            "user away, waiting for a rejoin",
            extra={"reason": rtc.DisconnectReason.Name(reason) if reason is not None else None},
        )
        self._clock.pause()
        self._away_since = self._clock.now()
        if self._session is not None:
            with contextlib.suppress(RuntimeError):  # nothing to interrupt, or closing
                self._session.interrupt()
        self._mark(CallEvent.USER_AWAY)
        self._back.clear()
        self._away = asyncio.create_task(self._wait_for_return(), name="callwright-away")

    async def _wait_for_return(self) -> None:
        await self._store.set_away(self._record.session_id, since=datetime.now(UTC))
        try:
            await asyncio.wait_for(self._back.wait(), self._settings.rejoin_grace_seconds)
        except TimeoutError:
            # Only what this agent sees counts: a node that died keeps its participants
            # listed in the cluster's state for a while, and a ghost must not be billed.
            if not self._user_in_room():
                self._end(EndReason.USER_LEFT)
                return
        if self._ended.is_set():
            return
        logger.info("user back")
        self._mark(CallEvent.USER_RETURNED)
        if self._session_started:
            self._clock.start()
        self._away = None
        await self._store.set_away(self._record.session_id, since=None)

    def _mark(self, event: CallEvent, *, detail: str | None = None) -> None:
        self._timeline.mark(event, detail=detail)

    def _on_error(self, event: ErrorEvent) -> None:
        recoverable = getattr(event.error, "recoverable", True)
        self._mark(
            CallEvent.ERROR,
            detail=f"{type(event.source).__name__}{'' if recoverable else ' (fatal)'}",
        )
        if not recoverable:
            self._error_message = f"{type(event.error).__name__} from {type(event.source).__name__}"
            logger.warning("provider failed", extra={"error": self._error_message})
            self._end(EndReason.PROVIDER_ERROR)

    def _on_agent_state(self, event: AgentStateChangedEvent) -> None:
        if event.new_state == "speaking":
            self._agent_spoke = True

    def _on_close(self, event: CloseEvent) -> None:
        if event.reason is CloseReason.ERROR:
            self._end(EndReason.PROVIDER_ERROR)
        elif event.reason is CloseReason.PARTICIPANT_DISCONNECTED:
            self._end(EndReason.USER_LEFT)
        else:
            self._end(EndReason.AGENT_ENDED)

    async def _finish(self, reason: EndReason) -> None:
        """Tell → close → settle → let what was told arrive → delete the room → shut the
        job down; only `run` calls it, once. A failed settlement is not retried here: the
        call still leaves its room, and the reconciler settles a session whose heartbeats
        stopped."""
        self._end(reason)
        reason = self._end_reason or reason
        told = reason is EndReason.PROVIDER_ERROR and await self._tell_user(PROVIDER_ERROR_MESSAGE)
        usage: dict[str, Any] | None = None
        if self._session is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._session.aclose(), self._timings.close_timeout)
            usage = usage_of(self._session.usage)
            usage["tool_calls"] = self._tools.calls if self._tools is not None else 0
        agent_seconds = round(self._clock.seconds, 3)
        self._mark(CallEvent.ENDED, detail=reason.value)
        if reason is EndReason.PROVIDER_ERROR and not self._agent_spoke and not self._served():
            agent_seconds = 0.0  # the call did nothing for anyone: nothing to charge
        try:
            settlement = await self._store.settle(
                self._record.session_id,
                end_reason=reason,
                agent_seconds=agent_seconds,
                usage=usage,
                transcript=self._timeline.stored(),
                error_message=self._error_message,
                job_id=self._ctx.job.id,
            )
        except Exception:
            logger.exception("could not settle the call", extra={"end_reason": reason.value})
        else:
            logger.info(
                "call ended",
                extra={
                    "end_reason": reason.value,
                    "agent_seconds": agent_seconds,
                    "settled_here": settlement.applied,
                    "credits_charged": settlement.credits_charged,
                },
            )
        if self._recording is not None and self._recording.started:
            if self._away is not None and self._away_since is not None:
                self._recording.caller_left_at(self._away_since)
            # After the settlement, and in the job's shutdown: the copy outlives the
            # entrypoint, and livekit-agents deletes the folder only after it.
            self._ctx.add_shutdown_callback(self._recording.keeper(self._ctx.session_directory))
        if told:
            await self._let_it_arrive()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._ctx.delete_room(), self._timings.close_timeout)
        await self._http.aclose()
        self._ctx.shutdown(reason.value)

    def _served(self) -> bool:
        """The call transcribed a user turn or ran a tool: a provider failure after that
        is not free, or an agent kept silent on purpose would make a long call free."""
        return any(entry.role in ("user", "tool") for entry in self._timeline.entries)

    async def _tell_user(self, message: str) -> bool:
        try:
            await asyncio.wait_for(
                self._ctx.room.local_participant.send_text(message, topic=CHAT_TOPIC),
                self._timings.send_timeout,
            )
        except Exception:
            logger.warning("could not tell the user about the failure")
            return False
        return True

    async def _let_it_arrive(self) -> None:
        """Keep the room until the user leaves, at most TOLD_LINGER_S. `send_text` returns
        once the message is queued, not delivered: a call that ends as it starts (a missing
        key) has told the user before the agent's own publisher connection is up, and
        deleting the room then drops the message (seen under load)."""
        room = self._ctx.room
        gone = asyncio.Event()

        def on_disconnected(participant: CallParticipant) -> None:
            if participant.identity == self._record.user_id and not self._user_in_room():
                gone.set()

        room.on("participant_disconnected", on_disconnected)
        try:
            if self._user_in_room():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(gone.wait(), self._timings.told_linger)
        finally:
            room.off("participant_disconnected", on_disconnected)

"""A person in the room, played by a livekit `rtc` participant.

It publishes a WAV as its microphone in real time, and records what a person would
notice: the agent's audio (its loudness), the transcriptions on `lk.transcription`, the
messages on `lk.chat`, and the tool calls the page shows (`callwright.tool_call`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import wave
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from livekit import rtc

FRAME_MS = 10


@dataclass
class Transcription:
    identity: str
    text: str
    final: bool


@dataclass
class Caller:
    url: str
    token: str
    room: rtc.Room = field(default_factory=rtc.Room)
    transcriptions: list[Transcription] = field(default_factory=list)
    chat: list[str] = field(default_factory=list)
    tool_updates: list[dict[str, str]] = field(default_factory=list)
    agent_audio_peak_rms: float = 0.0
    agent_audio_frames: int = 0
    first_loud_agent_audio_at: float | None = None
    _source: rtc.AudioSource | None = None
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)
    _streams: list[rtc.AudioStream] = field(default_factory=list)
    agent_joined: asyncio.Event = field(default_factory=asyncio.Event)
    agent_states: list[str] = field(default_factory=list)
    measure_every_frame: bool = True
    # What the caller sends and hears in one frame, and the rate it hears at. The tests
    # keep a browser's 10 ms at 48 kHz; a benchmark with many callers on one core sends
    # larger frames and listens at 16 kHz, so the harness is not what it measures.
    frame_ms: int = FRAME_MS
    listen_rate: int = 48_000
    listen_frame_ms: int | None = None
    _state_changed: asyncio.Event = field(default_factory=asyncio.Event)

    async def join(
        self,
        sample_rate: int = 48_000,
        queue_size_ms: int = 200,
        *,
        preconnect_buffer: bool = False,
    ) -> None:
        """Connect and publish the microphone; `preconnect_buffer` flags the track as one
        a client sends a pre-connect audio buffer for (as the JS SDK does)."""
        self.room.on("track_subscribed", self._on_track)
        self.room.on("participant_connected", self._on_participant)
        self.room.on("participant_attributes_changed", self._on_attributes)
        self.room.register_text_stream_handler("lk.transcription", self._on_transcription)
        self.room.register_text_stream_handler("lk.chat", self._on_chat)
        self.room.register_text_stream_handler("callwright.tool_call", self._on_tool_update)
        await self.room.connect(self.url, self.token)
        for participant in self.room.remote_participants.values():
            self._on_participant(participant)
        self._source = rtc.AudioSource(sample_rate, 1, queue_size_ms=queue_size_ms)
        track = rtc.LocalAudioTrack.create_audio_track("microphone", self._source)
        options = rtc.TrackPublishOptions(
            source=rtc.TrackSource.SOURCE_MICROPHONE, preconnect_buffer=preconnect_buffer
        )
        await self.room.local_participant.publish_track(track, options)

    def _on_participant(self, participant: rtc.RemoteParticipant) -> None:
        if participant.kind == rtc.ParticipantKind.PARTICIPANT_KIND_AGENT:
            self.agent_joined.set()
            self._on_attributes({}, participant)

    def _on_attributes(self, changed: dict[str, str], participant: rtc.Participant) -> None:
        state = participant.attributes.get("lk.agent.state")
        if participant.kind == rtc.ParticipantKind.PARTICIPANT_KIND_AGENT and state:
            self.agent_states.append(state)
            self._state_changed.set()

    async def wait_until_heard(self) -> None:
        """Until a participant (the agent) has subscribed to this caller's microphone.

        Words spoken before that are lost, as in a browser: WebRTC does not buffer unsent
        audio. A second tab joining a live call is heard only once the agent has moved its
        audio input over, which takes longer than the join itself on a loaded machine."""
        for publication in self.room.local_participant.track_publications.values():
            if isinstance(publication, rtc.LocalTrackPublication):
                await publication.wait_for_subscription()

    async def wait_for_agent_state(self, state: str) -> None:
        """Until the agent reports `state` (lk.agent.state: listening, thinking, speaking)."""
        while not self.agent_states or self.agent_states[-1] != state:
            self._state_changed.clear()
            await self._state_changed.wait()

    def _on_track(
        self,
        track: rtc.Track,
        publication: rtc.RemoteTrackPublication,
        participant: rtc.RemoteParticipant,
    ) -> None:
        if track.kind == rtc.TrackKind.KIND_AUDIO:
            self._tasks.append(asyncio.create_task(self._listen(track)))

    async def _listen(self, track: rtc.Track) -> None:
        stream = rtc.AudioStream(
            track,
            sample_rate=self.listen_rate,
            num_channels=1,
            frame_size_ms=self.listen_frame_ms,
        )
        self._streams.append(stream)
        async for event in stream:
            self.agent_audio_frames += 1
            if not self.measure_every_frame and self.first_loud_agent_audio_at is not None:
                continue  # a benchmark's caller only times the first loud frame of a turn
            samples = np.frombuffer(event.frame.data, dtype=np.int16).astype(np.float64)
            level = float(np.sqrt(np.mean(samples**2))) if samples.size else 0.0
            self.agent_audio_peak_rms = max(self.agent_audio_peak_rms, level)
            if level > 300 and self.first_loud_agent_audio_at is None:
                self.first_loud_agent_audio_at = asyncio.get_running_loop().time()

    def _on_transcription(self, reader: rtc.TextStreamReader, identity: str) -> None:
        async def read() -> None:
            text = await reader.read_all()
            final = (reader.info.attributes or {}).get("lk.transcription_final") == "true"
            self.transcriptions.append(Transcription(identity, text, final))

        self._tasks.append(asyncio.create_task(read()))

    def _on_chat(self, reader: rtc.TextStreamReader, identity: str) -> None:
        async def read() -> None:
            self.chat.append(await reader.read_all())

        self._tasks.append(asyncio.create_task(read()))

    def _on_tool_update(self, reader: rtc.TextStreamReader, identity: str) -> None:
        async def read() -> None:
            self.tool_updates.append(json.loads(await reader.read_all()))

        self._tasks.append(asyncio.create_task(read()))

    async def speak(self, wav: Path, *, then_silence_s: float = 1.5) -> float:
        """Publish the WAV in real time, then keep the microphone open with silence.

        Returns the loop time at which the last voiced frame was handed to the source.
        """
        assert self._source is not None
        with wave.open(str(wav)) as f:
            rate, pcm = f.getframerate(), f.readframes(f.getnframes())
        samples = np.frombuffer(pcm, dtype=np.int16)
        samples = np.concatenate([samples, np.zeros(int(rate * then_silence_s), dtype=np.int16)])
        step = rate * self.frame_ms // 1000
        loop = asyncio.get_running_loop()
        voiced_end = loop.time()
        for start in range(0, len(samples) - step + 1, step):
            chunk = samples[start : start + step]
            await self._source.capture_frame(rtc.AudioFrame(chunk.tobytes(), rate, 1, step))
            if np.abs(chunk).max(initial=0) > 500:
                voiced_end = loop.time()
        return voiced_end

    async def keep_quiet(self, seconds: float) -> None:
        assert self._source is not None
        step = 48_000 * self.frame_ms // 1000
        silence = bytes(step * 2)
        for _ in range(max(1, int(seconds * 1000 / self.frame_ms))):
            await self._source.capture_frame(rtc.AudioFrame(silence, 48_000, 1, step))

    def agent_text(self) -> str:
        local = self.room.local_participant.identity
        return " ".join(t.text for t in self.transcriptions if t.identity != local)

    async def leave(self) -> None:
        # Close the native streams first: frames delivered after the test's event loop is
        # gone would otherwise be reported as "error putting to queue".
        for stream in self._streams:
            with contextlib.suppress(Exception):
                await stream.aclose()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await self.room.disconnect()

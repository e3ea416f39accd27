"""A Deepgram speech-to-text emulator: live streaming and pre-recorded.

Writer: this module, in the wire format of `api.deepgram.com/v1/listen`. Reader:
`livekit.plugins.deepgram.STT` (1.8.9) given `base_url=DeepgramEmulator.base_url`; it
turns http into ws for streaming and sends `Authorization: Token <api_key>`.

- `GET /v1/listen` (WebSocket): binary linear16 audio at the query's `sample_rate` and
  `channels`; text `{"type": "KeepAlive" | "Finalize" | "CloseStream"}`. Answers
  `SpeechStarted` (when `vad_events=true`), `Results` (interim and final, with
  `speech_final`), `UtteranceEnd` (when `utterance_end_ms` is set) and, on
  `CloseStream`, `Metadata` before closing.
- `POST /v1/listen`: a WAV body, answered with the pre-recorded JSON.

Speech is heard on loudness only: an utterance needs at least `min_voiced_ms` of chunks
whose RMS reaches `silence_rms_threshold`; only a heard utterance gets a scripted
transcript, silence never does. Finals come as Deepgram sends them with the query's
`endpointing` (25 ms from the livekit plugin): shortly after each pause, so a sentence
with pauses is several finals (`Transcriber`). An utterance ends after
`utterance_gap_ms` of quieter audio, a `Finalize`, a `CloseStream`, or `idle_endpoint_s`
of wall-clock time without any audio.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import io
import json
import re
import time
import uuid
import wave
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiohttp import WSMsgType, web

from ._audio import chunked, rms
from ._server import EmulatorServer

DEFAULT_TRANSCRIPT = "hello can you hear me"
MODEL_UUID = "1abfe86b-e047-4eed-858a-35e5625b41ee"
MODEL_INFO = {MODEL_UUID: {"name": "general-nova-3", "version": "2025-01-01.0", "arch": "nova-3"}}
CONFIDENCE = 0.99


def _words(transcript: str, start: float, end: float) -> list[dict[str, Any]]:
    """Deepgram `words` for `transcript`, spread evenly over `start`..`end` seconds."""
    tokens = transcript.split()
    step = (end - start) / max(len(tokens), 1)
    return [
        {
            "word": re.sub(r"[^\w']", "", token).lower(),
            "start": round(start + i * step, 3),
            "end": round(start + (i + 1) * step, 3),
            "confidence": CONFIDENCE,
            "punctuated_word": token,
        }
        for i, token in enumerate(tokens)
    ]


def _alternative(transcript: str, start: float, end: float) -> dict[str, Any]:
    return {
        "transcript": transcript,
        "confidence": CONFIDENCE if transcript else 0.0,
        "words": _words(transcript, start, end),
    }


def _endpointing_ms(query: dict[str, str]) -> float | None:
    """The query's `endpointing` (ms of silence that ends speech; `false` turns it off;
    Deepgram's default is 10)."""
    value = query.get("endpointing", "10")
    if value.lower() == "false":
        return None
    try:
        return float(value)
    except ValueError:
        return 10.0


def _deny(request: web.Request, require_key: str | None) -> web.Response | None:
    if require_key is None:
        return None
    scheme, _, key = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() in ("token", "bearer") and key.strip() == require_key:
        return None
    body = {
        "err_code": "INVALID_AUTH",
        "err_msg": "Invalid credentials.",
        "request_id": str(uuid.uuid4()),
    }
    return web.json_response(body, status=401)


class DeepgramEmulator(EmulatorServer):
    """Deepgram's `/v1/listen`; `base_url` is `http://127.0.0.1:PORT/v1/listen`.

    `transcript` is what every heard utterance "said": one string, or one per utterance
    (the last one repeats). Records: `transcripts_sent` (each utterance's transcript, in
    order), `finals_sent` (each final with words, with its audio times),
    `audio_seconds_received`, `voiced_seconds_received`, `control_messages` (the text
    messages received) and `stream_queries` (each stream's query parameters).
    """

    def __init__(
        self,
        *,
        transcript: str | Sequence[str] = DEFAULT_TRANSCRIPT,
        require_key: str | None = None,
        silence_rms_threshold: float = 500.0,
        min_voiced_ms: int = 300,
        utterance_gap_ms: int = 300,
        seconds_per_word: float = 0.15,
        idle_endpoint_s: float | None = 1.0,
    ) -> None:
        super().__init__()
        self.transcript = transcript
        self.require_key = require_key
        self.silence_rms_threshold = silence_rms_threshold
        self.min_voiced_ms = min_voiced_ms
        self.utterance_gap_ms = utterance_gap_ms
        self.seconds_per_word = seconds_per_word
        self.idle_endpoint_s = idle_endpoint_s
        self.transcripts_sent: list[str] = []
        self._script_from = 0
        self.finals_sent: list[Transcript] = []
        self.audio_seconds_received = 0.0
        self.voiced_seconds_received = 0.0
        self.control_messages: list[dict[str, Any]] = []
        self.stream_queries: list[dict[str, str]] = []
        self.prerecorded_requests: list[dict[str, str]] = []

    @property
    def base_url(self) -> str:
        return f"{self.origin}/v1/listen"

    def _routes(self) -> list[web.RouteDef]:
        return [
            web.get("/v1/listen", self._listen),
            web.post("/v1/listen", self._prerecorded),
            web.get("/v1/projects", self._projects),
        ]

    async def _projects(self, request: web.Request) -> web.Response:
        """The projects list `callwright doctor` reads to test the key."""
        if (denied := _deny(request, self.require_key)) is not None:
            return denied
        return web.json_response({"projects": [{"project_id": "emulated", "name": "emulator"}]})

    def script(self, *transcripts: str) -> None:
        """What the next heard utterances say, from now on (the last one repeats)."""
        self.transcript = list(transcripts)
        self._script_from = len(self.transcripts_sent)

    def _next_transcript(self) -> str:
        if isinstance(self.transcript, str):
            text = self.transcript
        else:
            index = len(self.transcripts_sent) - self._script_from
            text = self.transcript[min(index, len(self.transcript) - 1)]
        self.transcripts_sent.append(text)
        return text

    async def _listen(self, request: web.Request) -> web.StreamResponse:
        if (denied := _deny(request, self.require_key)) is not None:
            return denied
        query = dict(request.query)
        self.stream_queries.append(query)
        request_id = str(uuid.uuid4())
        ws = web.WebSocketResponse(heartbeat=None)
        ws.headers["dg-request-id"] = request_id
        await ws.prepare(request)
        with self._tracked(ws):
            await _LiveStream(self, ws, query=query, request_id=request_id).run()
        return ws

    async def _prerecorded(self, request: web.Request) -> web.Response:
        if (denied := _deny(request, self.require_key)) is not None:
            return denied
        self.prerecorded_requests.append(dict(request.query))
        body = await request.read()
        try:
            with wave.open(io.BytesIO(body), "rb") as wav:
                sample_rate, channels = wav.getframerate(), wav.getnchannels()
                pcm = wav.readframes(wav.getnframes())
        except (wave.Error, EOFError):
            sample_rate = int(request.query.get("sample_rate", "16000"))
            channels = int(request.query.get("channels", "1"))
            pcm = body
        bytes_per_s = sample_rate * channels * 2
        duration = len(pcm) / bytes_per_s
        window = bytes_per_s // 20  # 50 ms
        voiced_s = sum(
            len(piece) / bytes_per_s
            for piece in chunked(pcm, window)
            if rms(piece) >= self.silence_rms_threshold
        )
        self.audio_seconds_received += duration
        self.voiced_seconds_received += voiced_s
        heard = voiced_s * 1000 >= self.min_voiced_ms
        transcript = self._next_transcript() if heard else ""
        request_id = str(uuid.uuid4())
        return web.json_response(
            {
                "metadata": {
                    "transaction_key": "deprecated",
                    "request_id": request_id,
                    "sha256": hashlib.sha256(body).hexdigest(),
                    "created": datetime.now(UTC).isoformat(),
                    "duration": round(duration, 3),
                    "channels": channels,
                    "models": [MODEL_UUID],
                    "model_info": MODEL_INFO,
                },
                "results": {
                    "channels": [
                        {"alternatives": [_alternative(transcript, 0.0, duration)]}
                        for _ in range(channels)
                    ]
                },
            }
        )


@dataclass(frozen=True, slots=True)
class SpeechStarted:
    at_s: float


@dataclass(frozen=True, slots=True)
class Transcript:
    text: str
    start_s: float
    end_s: float
    speech_final: bool
    from_finalize: bool = False


@dataclass(frozen=True, slots=True)
class UtteranceEnd:
    last_word_end_s: float


Event = SpeechStarted | Transcript | UtteranceEnd


class Transcriber:
    """One stream's speech and its finals, on the clock of the audio received (no I/O,
    no wall clock): `audio()` for each chunk, `finalize()`, `idle()`; each returns what
    Deepgram would answer then.

    As Deepgram does with `endpointing` (the livekit plugin sends 25 ms): a final with
    `speech_final` once a pause reaches the endpointing silence, so one sentence spoken
    with pauses comes as several finals; a final without `speech_final` after
    `max_segment_s` of speech without such a pause. An utterance (one scripted
    transcript, taken when its speech is heard) ends after `utterance_gap_ms` of silence.
    Its words are spread over its finals by the voiced time heard so far, at
    `seconds_per_word` (faster than speech, so the final after the last word holds the
    rest); words left at the utterance's end come in one more final.
    """

    def __init__(
        self,
        script: Callable[[], str],
        *,
        endpointing_ms: float | None = 25.0,
        utterance_gap_ms: float = 300.0,
        min_voiced_ms: float = 300.0,
        seconds_per_word: float = 0.15,
        max_segment_s: float = 5.0,
    ) -> None:
        self._script = script
        self.endpointing_ms = endpointing_ms
        self.utterance_gap_ms = utterance_gap_ms
        self.min_voiced_ms = min_voiced_ms
        self.seconds_per_word = seconds_per_word
        self.max_segment_s = max_segment_s
        self.clock_s = 0.0
        self._new_utterance()

    def _new_utterance(self) -> None:
        self._heard = False
        self._words: list[str] = []
        self._emitted = 0
        self._voiced_s = 0.0
        self._first_voiced_s: float | None = None
        self._last_voiced_s = 0.0
        self._silence_ms = 0.0
        self._segment_start_s: float | None = None  # voice not yet in a final

    def audio(self, duration_s: float, *, voiced: bool) -> list[Event]:
        start_s = self.clock_s
        self.clock_s += duration_s
        events: list[Event] = []
        if voiced:
            if self._first_voiced_s is None:
                self._first_voiced_s = start_s
            if self._segment_start_s is None:
                self._segment_start_s = start_s
                if self._heard:
                    events.append(SpeechStarted(start_s))
            self._voiced_s += duration_s
            self._last_voiced_s = self.clock_s
            self._silence_ms = 0.0
            if not self._heard and self._voiced_s * 1000 >= self.min_voiced_ms:
                self._heard = True
                self._words = self._script().split()
                events.append(SpeechStarted(self._first_voiced_s))
            if self._heard and self.clock_s - self._segment_start_s >= self.max_segment_s:
                events += self._final(speech_final=False)
            return events
        if self._first_voiced_s is None:
            return events
        self._silence_ms += duration_s * 1000
        if (
            self._heard
            and self._segment_start_s is not None
            and self.endpointing_ms is not None
            and self._silence_ms >= self.endpointing_ms
        ):
            events += self._final(speech_final=True)
        if self._silence_ms >= self.utterance_gap_ms:
            events += self._end_utterance()
        return events

    def finalize(self) -> list[Event]:
        """`Finalize` or `CloseStream`: what was heard is final now."""
        if not self._heard:
            self._new_utterance()
            return [Transcript("", self.clock_s, self.clock_s, True, from_finalize=True)]
        events = self._final(speech_final=True, rest=True, from_finalize=True)
        self._new_utterance()
        return events

    def idle(self) -> list[Event]:
        """Audio stopped flowing altogether: the utterance is over."""
        return self._end_utterance() if self._heard else []

    def _end_utterance(self) -> list[Event]:
        events: list[Event] = []
        if self._heard:
            if self._segment_start_s is not None or self._emitted < len(self._words):
                events += self._final(speech_final=self.endpointing_ms is not None, rest=True)
            events.append(UtteranceEnd(self._last_voiced_s))
        self._new_utterance()
        return events

    def _final(
        self, *, speech_final: bool, rest: bool = False, from_finalize: bool = False
    ) -> list[Event]:
        due = len(self._words)
        if not rest:
            by_time = int(self._voiced_s / self.seconds_per_word)
            due = min(due, max(self._emitted + 1, by_time))
        text = " ".join(self._words[self._emitted : due])
        self._emitted = max(self._emitted, due)
        start_s = self._segment_start_s if self._segment_start_s is not None else self.clock_s
        end_s = self._last_voiced_s if self._segment_start_s is not None else self.clock_s
        self._segment_start_s = None
        return [Transcript(text, start_s, end_s, speech_final, from_finalize)]


class _LiveStream:
    """One streaming connection: its transcriber and the wire."""

    def __init__(
        self,
        emulator: DeepgramEmulator,
        ws: web.WebSocketResponse,
        *,
        query: dict[str, str],
        request_id: str,
    ) -> None:
        self._emu = emulator
        self._ws = ws
        self._request_id = request_id
        self._sample_rate = int(query.get("sample_rate", "16000"))
        self._channels = int(query.get("channels", "1"))
        self._interim_results = query.get("interim_results", "false") == "true"
        self._vad_events = query.get("vad_events", "false") == "true"
        self._utterance_end = "utterance_end_ms" in query
        self._send_lock = asyncio.Lock()
        self._last_audio_at = time.monotonic()
        self._transcriber = Transcriber(
            emulator._next_transcript,
            endpointing_ms=_endpointing_ms(query),
            utterance_gap_ms=emulator.utterance_gap_ms,
            min_voiced_ms=emulator.min_voiced_ms,
            seconds_per_word=emulator.seconds_per_word,
        )

    async def run(self) -> None:
        watchdog = asyncio.create_task(self._idle_watchdog())
        try:
            async for msg in self._ws:
                if msg.type == WSMsgType.BINARY:
                    await self._audio(msg.data)
                elif msg.type == WSMsgType.TEXT:
                    control: dict[str, Any] = json.loads(msg.data)
                    self._emu.control_messages.append(control)
                    if control.get("type") == "Finalize":
                        await self._answer(self._transcriber.finalize())
                    elif control.get("type") == "CloseStream":
                        await self._answer(self._transcriber.finalize())
                        await self._send(self._metadata())
                        await self._ws.close()
        finally:
            watchdog.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watchdog

    async def _send(self, message: dict[str, Any]) -> None:
        async with self._send_lock:
            if not self._ws.closed:
                await self._ws.send_str(json.dumps(message))

    async def _audio(self, pcm: bytes) -> None:
        duration_s = len(pcm) / (self._sample_rate * self._channels * 2)
        voiced = rms(pcm) >= self._emu.silence_rms_threshold
        self._last_audio_at = time.monotonic()
        self._emu.audio_seconds_received += duration_s
        if voiced:
            self._emu.voiced_seconds_received += duration_s
        await self._answer(self._transcriber.audio(duration_s, voiced=voiced))

    async def _answer(self, events: list[Event]) -> None:
        for event in events:
            if isinstance(event, SpeechStarted):
                if self._vad_events:
                    await self._send(
                        {"type": "SpeechStarted", "channel": [0], "timestamp": round(event.at_s, 3)}
                    )
            elif isinstance(event, UtteranceEnd):
                if self._utterance_end:
                    await self._send(
                        {
                            "type": "UtteranceEnd",
                            "channel": [0, 1],
                            "last_word_end": round(event.last_word_end_s, 3),
                        }
                    )
            else:
                if event.text:
                    self._emu.finals_sent.append(event)
                    if self._interim_results:
                        await self._send(
                            self._results(event.text, event.start_s, event.end_s, final=False)
                        )
                await self._send(
                    self._results(
                        event.text,
                        event.start_s,
                        event.end_s,
                        final=True,
                        speech_final=event.speech_final,
                        from_finalize=event.from_finalize,
                    )
                )

    async def _idle_watchdog(self) -> None:
        """End a heard utterance when audio stops flowing altogether."""
        while True:
            await asyncio.sleep(0.1)
            idle_after = self._emu.idle_endpoint_s
            if idle_after is not None and time.monotonic() - self._last_audio_at >= idle_after:
                await self._answer(self._transcriber.idle())

    def _results(
        self,
        transcript: str,
        start_s: float,
        end_s: float,
        *,
        final: bool,
        speech_final: bool = False,
        from_finalize: bool = False,
    ) -> dict[str, Any]:
        return {
            "type": "Results",
            "channel_index": [0, 1],
            "duration": round(end_s - start_s, 3),
            "start": round(start_s, 3),
            "is_final": final,
            "speech_final": speech_final,
            "from_finalize": from_finalize,
            "channel": {"alternatives": [_alternative(transcript, start_s, end_s)]},
            "metadata": {
                "request_id": self._request_id,
                "model_info": MODEL_INFO[MODEL_UUID],
                "model_uuid": MODEL_UUID,
            },
        }

    def _metadata(self) -> dict[str, Any]:
        return {
            "type": "Metadata",
            "transaction_key": "deprecated",
            "request_id": self._request_id,
            "sha256": hashlib.sha256(self._request_id.encode()).hexdigest(),
            "created": datetime.now(UTC).isoformat(),
            "duration": round(self._transcriber.clock_s, 3),
            "channels": self._channels,
            "models": [MODEL_UUID],
            "model_info": MODEL_INFO,
        }

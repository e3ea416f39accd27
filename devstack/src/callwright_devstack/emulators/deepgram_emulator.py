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

A turn is heard on loudness only: at least `min_voiced_ms` of chunks whose RMS reaches
`silence_rms_threshold`, ended by `endpoint_silence_ms` of quieter audio, a `Finalize`,
a `CloseStream`, or `idle_endpoint_s` of wall-clock time without any audio. Only a heard
turn gets the scripted transcript; silence never does.
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
from collections.abc import Sequence
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

    `transcript` is what every heard turn "said": one string, or one per turn (the last
    one repeats). Records: `transcripts_sent` (final transcripts, in order),
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
        endpoint_silence_ms: int = 300,
        idle_endpoint_s: float | None = 1.0,
    ) -> None:
        super().__init__()
        self.transcript = transcript
        self.require_key = require_key
        self.silence_rms_threshold = silence_rms_threshold
        self.min_voiced_ms = min_voiced_ms
        self.endpoint_silence_ms = endpoint_silence_ms
        self.idle_endpoint_s = idle_endpoint_s
        self.transcripts_sent: list[str] = []
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

    def _next_transcript(self) -> str:
        if isinstance(self.transcript, str):
            text = self.transcript
        else:
            text = self.transcript[min(len(self.transcripts_sent), len(self.transcript) - 1)]
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


class _LiveStream:
    """One streaming connection: its clock (seconds of audio received) and current turn."""

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
        self._clock_s = 0.0  # audio received on this stream
        self._last_audio_at = time.monotonic()
        self._reset_turn()

    def _reset_turn(self) -> None:
        self._voiced_ms = 0.0
        self._turn_start_s: float | None = None  # first voiced audio of the turn
        self._turn_end_s = 0.0  # end of the last voiced chunk
        self._trailing_silence_ms = 0.0
        self._heard = False  # enough voiced audio to be speech

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
                        await self._end_turn(from_finalize=True)
                    elif control.get("type") == "CloseStream":
                        await self._end_turn(from_finalize=True)
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
        start_s = self._clock_s
        self._clock_s += duration_s
        self._last_audio_at = time.monotonic()
        self._emu.audio_seconds_received += duration_s
        if voiced:
            self._emu.voiced_seconds_received += duration_s
            if self._turn_start_s is None:
                self._turn_start_s = start_s
            self._voiced_ms += duration_s * 1000
            self._turn_end_s = self._clock_s
            self._trailing_silence_ms = 0.0
            if not self._heard and self._voiced_ms >= self._emu.min_voiced_ms:
                await self._speech_heard()
            return
        if self._turn_start_s is None:
            return
        self._trailing_silence_ms += duration_s * 1000
        if self._trailing_silence_ms >= self._emu.endpoint_silence_ms:
            if self._heard:
                await self._end_turn(from_finalize=False)
            else:  # a blip too short to be speech
                self._reset_turn()

    async def _speech_heard(self) -> None:
        self._heard = True
        assert self._turn_start_s is not None
        if self._vad_events:
            await self._send(
                {"type": "SpeechStarted", "channel": [0], "timestamp": round(self._turn_start_s, 3)}
            )

    async def _end_turn(self, *, from_finalize: bool) -> None:
        """Answer the current turn: interim + final transcript if it was speech."""
        heard, start_s, end_s = self._heard, self._turn_start_s, self._turn_end_s
        self._reset_turn()
        if not heard or start_s is None:
            if from_finalize:
                await self._send(self._results("", self._clock_s, self._clock_s, final=True))
            return
        transcript = self._emu._next_transcript()
        if self._interim_results:
            await self._send(self._results(transcript, start_s, end_s, final=False))
        await self._send(
            self._results(
                transcript,
                start_s,
                end_s,
                final=True,
                speech_final=True,
                from_finalize=from_finalize,
            )
        )
        if self._utterance_end:
            await self._send(
                {"type": "UtteranceEnd", "channel": [0, 1], "last_word_end": round(end_s, 3)}
            )

    async def _idle_watchdog(self) -> None:
        """End a heard turn when audio stops flowing altogether."""
        while True:
            await asyncio.sleep(0.1)
            idle_after = self._emu.idle_endpoint_s
            if (
                idle_after is not None
                and self._heard
                and time.monotonic() - self._last_audio_at >= idle_after
            ):
                await self._end_turn(from_finalize=False)

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
            "duration": round(self._clock_s, 3),
            "channels": self._channels,
            "models": [MODEL_UUID],
            "model_info": MODEL_INFO,
        }

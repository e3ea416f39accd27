"""What the streaming voice emulators share: the audio of a text, paced as a vendor sends
it, with each character's place in time, and the record of what was asked.

A vendor's first audio comes `first_byte_delay_s` after the text (200 ms by default, as
the benchmarks' OpenAI voice), then the rest faster than real time (`speedup` times), in
100 ms chunks: what a streaming service does, and what makes a test's timing honest.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypedDict

from aiohttp import ClientConnectionResetError, WSMsgType, web

from ._audio import chunked, text_to_speech_pcm
from ._server import EmulatorServer

FIRST_BYTE_DELAY_S = 0.2
SPEEDUP = 4.0
CHUNK_MS = 100


@dataclass(frozen=True, slots=True)
class SpeechRequest:
    """One thing an emulated voice was asked to say: a WebSocket context (all its text) or
    an HTTP request; `query` is the request's query string, `key` the key it carried."""

    transport: str
    voice: str
    model: str
    text: str
    query: dict[str, str] = field(default_factory=dict)
    key: str | None = None


@dataclass(frozen=True, slots=True)
class SpeechChunk:
    """A piece of audio and the characters that start in it, each with its start and
    duration in ms from the start of the context (or request)."""

    pcm: bytes
    chars: list[str]
    starts_ms: list[int]
    durations_ms: list[int]


@dataclass
class Pacing:
    first_byte_delay_s: float = FIRST_BYTE_DELAY_S
    speedup: float = SPEEDUP

    async def speak(
        self, text: str, *, sample_rate: int, offset_ms: float = 0.0, first: bool = True
    ) -> AsyncIterator[SpeechChunk]:
        """`text` as chunks, the first after the first-byte delay when `first` (a later
        text of the same context has its delay too, shorter: a fifth of it)."""
        pcm = text_to_speech_pcm(text, sample_rate=sample_rate)
        duration_ms = len(pcm) / 2 / sample_rate * 1000
        per_char_ms = duration_ms / max(len(text), 1)
        chunk_bytes = sample_rate * 2 * CHUNK_MS // 1000
        await asyncio.sleep(self.first_byte_delay_s if first else self.first_byte_delay_s / 5)
        for index, piece in enumerate(chunked(pcm, chunk_bytes)):
            if index:
                await asyncio.sleep(CHUNK_MS / 1000 / self.speedup)
            lo, hi = index * CHUNK_MS, (index + 1) * CHUNK_MS
            chars = [i for i in range(len(text)) if lo <= i * per_char_ms < hi]
            yield SpeechChunk(
                piece,
                [text[i] for i in chars],
                [round(offset_ms + i * per_char_ms) for i in chars],
                [max(1, round(per_char_ms)) for _ in chars],
            )


class VoiceOptions(TypedDict, total=False):
    """How a voice emulator is made (`VoiceEmulator`'s keywords)."""

    require_key: str | None
    first_byte_delay_s: float
    speedup: float


class VoiceEmulator(EmulatorServer):
    """A streaming voice vendor's emulator: the key it requires (None: any), how it paces
    its audio, and what it was asked to say (`requests`, in order)."""

    def __init__(
        self,
        *,
        require_key: str | None = None,
        first_byte_delay_s: float = FIRST_BYTE_DELAY_S,
        speedup: float = SPEEDUP,
    ) -> None:
        super().__init__()
        self.require_key = require_key
        self.pacing = Pacing(first_byte_delay_s, speedup)
        self.requests: list[SpeechRequest] = []

    async def stream_pcm(
        self, request: web.Request, text: str, *, sample_rate: int, content_type: str
    ) -> web.StreamResponse:
        """An HTTP answer streaming `text` as raw PCM16, paced; the caller may hang up."""
        response = web.StreamResponse(headers={"Content-Type": content_type})
        await response.prepare(request)
        try:
            async for chunk in self.pacing.speak(text, sample_rate=sample_rate):
                await response.write(chunk.pcm)
            await response.write_eof()
        except ClientConnectionResetError:
            pass  # the worker cut the speech short
        return response


class JsonSocket:
    """A WebSocket's JSON messages, sent one at a time: several contexts speak at once."""

    def __init__(self, ws: web.WebSocketResponse) -> None:
        self.ws = ws
        self._lock = asyncio.Lock()

    async def send(self, message: dict[str, Any]) -> None:
        async with self._lock:
            if not self.ws.closed:
                await self.ws.send_str(json.dumps(message))


async def quietly(speaking: Awaitable[None]) -> None:
    """Speak until the socket goes away: a closed connection ends the speech, no more."""
    with contextlib.suppress(ConnectionError):
        await speaking


async def cancel_all(tasks: Iterable[asyncio.Task[None] | None]) -> None:
    """Stop the contexts still speaking when their socket closes, and wait for each."""
    for task in tasks:
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, ConnectionError):
                await task


async def json_messages(ws: web.WebSocketResponse) -> AsyncIterator[dict[str, Any]]:
    """The JSON text messages a client sends, until it closes (binary ones are ignored)."""
    async for msg in ws:
        if msg.type is WSMsgType.TEXT:
            message: dict[str, Any] = json.loads(msg.data)
            yield message

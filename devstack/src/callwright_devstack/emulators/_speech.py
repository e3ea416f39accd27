"""What the streaming voice emulators share: the audio of a text, paced as a vendor sends
it, with each character's place in time, and the record of what was asked.

A vendor's first audio comes `first_byte_delay_s` after the text (200 ms by default, as
the benchmarks' OpenAI voice), then the rest faster than real time (`speedup` times), in
100 ms chunks: what a streaming service does, and what makes a test's timing honest.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from ._audio import chunked, text_to_speech_pcm

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

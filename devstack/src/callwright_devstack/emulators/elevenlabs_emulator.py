"""An ElevenLabs text-to-speech emulator: the multi-context WebSocket and the HTTP stream.

Writer: this module, in the wire format of `api.elevenlabs.io/v1`. Reader:
`livekit.plugins.elevenlabs.TTS` (1.8.9) given `base_url=ElevenLabsEmulator.base_url`; it
turns http into ws and sends the key in `xi-api-key`.

- `GET /v1/text-to-speech/{voice_id}/multi-stream-input?model_id&output_format&...`
  (WebSocket): JSON `{"text", "context_id", "flush"?, "voice_settings"?}` (a context's
  first message, `text: " "`, opens it), `{"context_id", "close_context": true}`,
  `{"close_socket": true}`, `{"context_id", "keep_alive": true}`. The buffered text is
  spoken on a flush or when its context closes: messages `{"audio": <base64 PCM16>,
  "normalizedAlignment", "alignment", "context_id"}`, then, once a closed context has
  said everything, `{"isFinal": true, "context_id"}`.
- `POST /v1/text-to-speech/{voice_id}/stream?output_format=...` with `{"text",
  "model_id", ...}`: the audio as one streamed body (`audio/pcm`).

Only `pcm_<rate>` output formats are served (the worker asks for `pcm_24000`); any other
is a 400, as an unsupported format is at the service. A missing or wrong key is a 401
before the WebSocket opens. Audio comes as `_speech.Pacing` sends it.
"""

from __future__ import annotations

import asyncio
import base64
from dataclasses import dataclass, field
from typing import Any, Unpack

from aiohttp import web

from ._speech import (
    JsonSocket,
    SpeechChunk,
    SpeechRequest,
    VoiceEmulator,
    VoiceOptions,
    cancel_all,
    json_messages,
    quietly,
)

KEY_HEADER = "xi-api-key"


def _error(status: int, code: str, message: str) -> web.Response:
    return web.json_response({"detail": {"status": code, "message": message}}, status=status)


def _sample_rate(output_format: str) -> int | None:
    encoding, _, rate = output_format.partition("_")
    return int(rate) if encoding == "pcm" and rate.isdigit() else None


@dataclass
class _Context:
    id: str
    buffer: str = ""
    said: list[str] = field(default_factory=list)
    queue: asyncio.Queue[str | None] = field(default_factory=asyncio.Queue)
    offset_ms: float = 0.0
    task: asyncio.Task[None] | None = None


class ElevenLabsEmulator(VoiceEmulator):
    """ElevenLabs voices on `http://127.0.0.1:PORT/v1`.

    `requests` holds what each WebSocket context (once final) and each HTTP request asked
    for, in order; `connections` the query of each WebSocket opened.
    """

    def __init__(self, **voice: Unpack[VoiceOptions]) -> None:
        super().__init__(**voice)
        self.connections: list[dict[str, str]] = []

    @property
    def base_url(self) -> str:
        return f"{self.origin}/v1"

    def _routes(self) -> list[web.RouteDef]:
        return [
            web.get("/v1/text-to-speech/{voice_id}/multi-stream-input", self._multi_stream),
            web.post("/v1/text-to-speech/{voice_id}/stream", self._stream),
        ]

    def _denied(self, request: web.Request) -> web.Response | None:
        key = request.headers.get(KEY_HEADER)
        if self.require_key is not None and key != self.require_key:
            return _error(401, "invalid_api_key", "Invalid API key")
        rate = _sample_rate(request.query.get("output_format", "mp3_44100_128"))
        if rate is None:
            return _error(400, "invalid_output_format", "This emulator serves pcm_* only")
        return None

    async def _stream(self, request: web.Request) -> web.StreamResponse:
        if (denied := self._denied(request)) is not None:
            return denied
        body: dict[str, Any] = await request.json()
        text = str(body.get("text", "")).strip()
        if not text:
            return _error(400, "invalid_text", "text must not be empty")
        query = dict(request.query)
        rate = _sample_rate(query["output_format"]) or 0
        self.requests.append(
            SpeechRequest(
                "http",
                request.match_info["voice_id"],
                str(body.get("model_id", "")),
                text,
                query,
                request.headers.get(KEY_HEADER),
            )
        )
        return await self.stream_pcm(request, text, sample_rate=rate, content_type="audio/pcm")

    async def _multi_stream(self, request: web.Request) -> web.StreamResponse:
        if (denied := self._denied(request)) is not None:
            return denied
        query = dict(request.query)
        rate = _sample_rate(query.get("output_format", "")) or 0
        voice = request.match_info["voice_id"]
        key = request.headers.get(KEY_HEADER)
        self.connections.append(query)
        ws = web.WebSocketResponse(heartbeat=None)
        await ws.prepare(request)
        send = JsonSocket(ws).send
        contexts: dict[str, _Context] = {}

        async def speak(ctx: _Context) -> None:
            first = True
            while (text := await ctx.queue.get()) is not None:
                async for chunk in self.pacing.speak(
                    text, sample_rate=rate, offset_ms=ctx.offset_ms, first=first
                ):
                    await send(_audio_message(ctx.id, chunk))
                    ctx.offset_ms += len(chunk.pcm) / 2 / rate * 1000
                first = False
            self.requests.append(
                SpeechRequest(
                    "websocket", voice, query.get("model_id", ""), " ".join(ctx.said), query, key
                )
            )
            await send({"isFinal": True, "context_id": ctx.id})
            contexts.pop(ctx.id, None)

        def flush(ctx: _Context) -> None:
            text, ctx.buffer = ctx.buffer.strip(), ""
            if text:
                ctx.said.append(text)
                ctx.queue.put_nowait(text)

        with self._tracked(ws):
            try:
                async for data in json_messages(ws):
                    if data.get("close_socket"):
                        break
                    context_id = str(data.get("context_id") or "default")
                    ctx = contexts.get(context_id)
                    if ctx is None:
                        if data.get("close_context"):
                            continue
                        ctx = contexts[context_id] = _Context(context_id)
                        ctx.task = asyncio.create_task(quietly(speak(ctx)))
                    if isinstance(text := data.get("text"), str):
                        ctx.buffer += text
                    if data.get("flush"):
                        flush(ctx)
                    if data.get("close_context"):
                        flush(ctx)
                        ctx.queue.put_nowait(None)
            finally:
                await cancel_all([ctx.task for ctx in contexts.values()])
                await ws.close()
        return ws


def _audio_message(context_id: str, chunk: SpeechChunk) -> dict[str, Any]:
    alignment = {
        "chars": chunk.chars,
        "charStartTimesMs": chunk.starts_ms,
        "charDurationsMs": chunk.durations_ms,
    }
    return {
        "audio": base64.b64encode(chunk.pcm).decode(),
        "normalizedAlignment": alignment if chunk.chars else None,
        "alignment": alignment if chunk.chars else None,
        "context_id": context_id,
    }

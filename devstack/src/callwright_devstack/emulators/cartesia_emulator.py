"""A Cartesia text-to-speech emulator: the WebSocket with contexts, and `/tts/bytes`.

Writer: this module, in the wire format of `api.cartesia.ai`. Reader:
`livekit.plugins.cartesia.TTS` (1.8.9) given `base_url=CartesiaEmulator.base_url`; it turns
http into ws and sends the key in `X-API-Key` (the service also takes `?api_key=`).

- `GET /tts/websocket?cartesia_version=...` (WebSocket): JSON requests `{"model_id",
  "voice": {"mode": "id", "id"}, "output_format": {"container": "raw", "encoding":
  "pcm_s16le", "sample_rate"}, "language", "add_timestamps", "context_id", "transcript",
  "continue"}`; `{"context_id", "cancel": true}`. Each transcript of a context is spoken
  in order: `{"type": "chunk", "data": <base64 PCM16>, "done": false, "status_code": 206,
  "step_time", "context_id"}`, with `add_timestamps` `{"type": "timestamps",
  "word_timestamps": {"words", "start", "end"}, ...}` (seconds from the context's start);
  after the one with `continue: false`, `{"type": "done", "done": true, "status_code":
  200, "context_id"}`. A request the service would refuse (no model or voice, an output
  format other than raw pcm_s16le) is `{"type": "error", "done": true, "status_code":
  400, "error", "context_id"}`.
- `POST /tts/bytes` (header `Cartesia-Version`): the same request without `context_id`
  and `continue`, answered with the raw audio.

A missing or wrong key is a 401 before the WebSocket opens. Audio comes as
`_speech.Pacing` sends it.
"""

from __future__ import annotations

import asyncio
import base64
from dataclasses import dataclass, field
from typing import Any, Unpack

from aiohttp import web

from ._speech import (
    JsonSocket,
    SpeechRequest,
    VoiceEmulator,
    VoiceOptions,
    cancel_all,
    json_messages,
    quietly,
)

KEY_HEADER = "X-API-Key"
VERSION_HEADER = "Cartesia-Version"


def _refusal(body: dict[str, Any]) -> str | None:
    """Why the service would refuse a request, or None."""
    if not body.get("model_id"):
        return "model_id is required"
    voice = body.get("voice")
    if not isinstance(voice, dict) or not (voice.get("id") or voice.get("embedding")):
        return "voice is required"
    fmt = body.get("output_format")
    if not isinstance(fmt, dict) or not isinstance(fmt.get("sample_rate"), int):
        return "output_format.sample_rate is required"
    if fmt.get("container") != "raw" or fmt.get("encoding") != "pcm_s16le":
        return "this emulator serves raw pcm_s16le only"
    return None


def _voice(body: dict[str, Any]) -> str:
    voice = body.get("voice") or {}
    return str(voice.get("id") or "embedding")


@dataclass
class _Context:
    id: str
    model: str
    voice: str
    sample_rate: int
    timestamps: bool
    said: list[str] = field(default_factory=list)
    queue: asyncio.Queue[str | None] = field(default_factory=asyncio.Queue)
    task: asyncio.Task[None] | None = None


class CartesiaEmulator(VoiceEmulator):
    """Cartesia voices on `http://127.0.0.1:PORT`.

    `requests` holds what each WebSocket context (once done) and each `/tts/bytes` request
    asked for, in order; `versions` the `cartesia_version` of each WebSocket opened.
    """

    def __init__(self, **voice: Unpack[VoiceOptions]) -> None:
        super().__init__(**voice)
        self.versions: list[str] = []

    @property
    def base_url(self) -> str:
        return self.origin

    def _routes(self) -> list[web.RouteDef]:
        return [
            web.get("/tts/websocket", self._websocket),
            web.post("/tts/bytes", self._bytes),
        ]

    def _key(self, request: web.Request) -> str | None:
        return request.headers.get(KEY_HEADER) or request.query.get("api_key")

    def _denied(self, request: web.Request, version: str | None) -> web.Response | None:
        if self.require_key is not None and self._key(request) != self.require_key:
            return web.json_response({"error": "Invalid API key"}, status=401)
        if not version:
            return web.json_response({"error": "Cartesia-Version is required"}, status=400)
        return None

    async def _bytes(self, request: web.Request) -> web.StreamResponse:
        version = request.headers.get(VERSION_HEADER)
        if (denied := self._denied(request, version)) is not None:
            return denied
        body: dict[str, Any] = await request.json()
        text = str(body.get("transcript", "")).strip()
        if (why := _refusal(body)) is not None or not text:
            return web.json_response({"error": why or "transcript is empty"}, status=400)
        self.requests.append(
            SpeechRequest(
                "http", _voice(body), str(body["model_id"]), text, dict(request.query),
                self._key(request),
            )
        )  # fmt: skip
        rate = int(body["output_format"]["sample_rate"])
        return await self.stream_pcm(
            request, text, sample_rate=rate, content_type="application/octet-stream"
        )

    async def _websocket(self, request: web.Request) -> web.StreamResponse:
        version = request.query.get("cartesia_version") or request.headers.get(VERSION_HEADER)
        if (denied := self._denied(request, version)) is not None:
            return denied
        self.versions.append(str(version))
        key = self._key(request)
        ws = web.WebSocketResponse(heartbeat=None)
        await ws.prepare(request)
        send = JsonSocket(ws).send
        contexts: dict[str, _Context] = {}

        async def speak(ctx: _Context) -> None:
            offset_s, first = 0.0, True
            while (text := await ctx.queue.get()) is not None:
                words: list[str] = []
                starts: list[float] = []
                async for chunk in self.pacing.speak(
                    text, sample_rate=ctx.sample_rate, offset_ms=offset_s * 1000, first=first
                ):
                    if first:
                        step_ms = self.pacing.first_byte_delay_s * 1000
                    else:
                        step_ms = 100 / self.pacing.speedup
                    first = False
                    await send(
                        {
                            "type": "chunk", "data": base64.b64encode(chunk.pcm).decode(),
                            "done": False, "status_code": 206, "step_time": step_ms,
                            "context_id": ctx.id,
                        }
                    )  # fmt: skip
                    offset_s += len(chunk.pcm) / 2 / ctx.sample_rate
                    starts += [ms / 1000 for ms in chunk.starts_ms]
                if ctx.timestamps:
                    words, begins, ends = _word_times(text, starts, offset_s)
                    await send(
                        {
                            "type": "timestamps", "done": False, "status_code": 206,
                            "context_id": ctx.id,
                            "word_timestamps": {"words": words, "start": begins, "end": ends},
                        }
                    )  # fmt: skip
            self.requests.append(
                SpeechRequest(
                    "websocket", ctx.voice, ctx.model, " ".join(ctx.said),
                    {"cartesia_version": str(version)}, key,
                )
            )  # fmt: skip
            await send({"type": "done", "done": True, "status_code": 200, "context_id": ctx.id})
            contexts.pop(ctx.id, None)

        with self._tracked(ws):
            try:
                async for data in json_messages(ws):
                    context_id = str(data.get("context_id") or "")
                    ctx = contexts.get(context_id)
                    if data.get("cancel"):
                        if ctx is not None and ctx.task is not None:
                            ctx.task.cancel()
                            contexts.pop(context_id, None)
                        continue
                    if ctx is None:
                        if (why := _refusal(data)) is not None:
                            await send(
                                {
                                    "type": "error", "done": True, "status_code": 400,
                                    "error": why, "context_id": context_id,
                                }
                            )  # fmt: skip
                            continue
                        ctx = contexts[context_id] = _Context(
                            context_id,
                            str(data["model_id"]),
                            _voice(data),
                            int(data["output_format"]["sample_rate"]),
                            bool(data.get("add_timestamps")),
                        )
                        ctx.task = asyncio.create_task(quietly(speak(ctx)))
                    if text := str(data.get("transcript") or "").strip():
                        ctx.said.append(text)
                        ctx.queue.put_nowait(text)
                    if not data.get("continue", False):
                        ctx.queue.put_nowait(None)
            finally:
                await cancel_all([ctx.task for ctx in contexts.values()])
                await ws.close()
        return ws


def _word_times(
    text: str, char_starts: list[float], end_s: float
) -> tuple[list[str], list[float], list[float]]:
    """Each word of `text` with its start and end in seconds, from its characters'."""
    words: list[str] = []
    begins: list[float] = []
    index = 0
    for word in text.split():
        at = text.index(word, index)
        index = at + len(word)
        words.append(word)
        begins.append(round(char_starts[min(at, len(char_starts) - 1)], 3))
    ends = [*begins[1:], round(end_s, 3)]
    return words, begins, ends

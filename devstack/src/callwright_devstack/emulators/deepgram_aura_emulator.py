"""A Deepgram Aura text-to-speech emulator: the streaming WebSocket and the REST endpoint.

Writer: this module, in the wire format of `api.deepgram.com/v1/speak`. Reader:
`livekit.plugins.deepgram.TTS` (1.8.9) given `base_url=DeepgramAuraEmulator.speak_url`; it
turns http into ws and sends `Authorization: Token <api_key>`.

- `GET /v1/speak?model&encoding&sample_rate` (WebSocket): on opening, `{"type":
  "Metadata", ...}`; text `{"type": "Speak", "text"}` is buffered, `{"type": "Flush"}`
  speaks it as binary linear16 frames followed by `{"type": "Flushed", "sequence_id"}`,
  `{"type": "Clear"}` drops it (`{"type": "Cleared", ...}`), `{"type": "Close"}` closes.
- `POST /v1/speak?model&encoding&sample_rate&container=none` with `{"text"}`: the raw
  audio.

Only `encoding=linear16` is served (what the plugin asks for); any other is a 400. A
missing or wrong key is a 401 before the WebSocket opens. Audio comes as
`_speech.Pacing` sends it.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

from aiohttp import web

from ._speech import SpeechRequest, VoiceEmulator, cancel_all, json_messages, quietly

MODEL_UUID = "ad2b7f4e-4e4a-4c3a-9a43-0c5f1b7f2d10"


def _key(request: web.Request) -> str | None:
    scheme, _, key = request.headers.get("Authorization", "").partition(" ")
    return key.strip() if scheme.lower() == "token" and key.strip() else None


def _error(status: int, code: str, message: str) -> web.Response:
    return web.json_response({"err_code": code, "err_msg": message}, status=status)


class DeepgramAuraEmulator(VoiceEmulator):
    """Aura voices on `http://127.0.0.1:PORT/v1/speak`.

    `requests` holds each flushed WebSocket utterance and each REST request, in order.
    """

    @property
    def base_url(self) -> str:
        """The API root a `deepgram` provider names (`…/v1`)."""
        return f"{self.origin}/v1"

    @property
    def speak_url(self) -> str:
        return f"{self.origin}/v1/speak"

    def _routes(self) -> list[web.RouteDef]:
        return [web.get("/v1/speak", self._websocket), web.post("/v1/speak", self._rest)]

    def _denied(self, request: web.Request) -> web.Response | None:
        if self.require_key is not None and _key(request) != self.require_key:
            return _error(401, "INVALID_AUTH", "Invalid credentials.")
        if request.query.get("encoding", "linear16") != "linear16":
            return _error(400, "UNSUPPORTED_ENCODING", "This emulator serves linear16 only")
        if not request.query.get("model"):
            return _error(400, "INVALID_QUERY_PARAMETER", "model is required")
        return None

    def _record(self, request: web.Request, text: str, transport: str) -> None:
        model = request.query.get("model", "")
        self.requests.append(
            SpeechRequest(transport, model, model, text, dict(request.query), _key(request))
        )

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        if (denied := self._denied(request)) is not None:
            return denied
        body: dict[str, Any] = await request.json()
        text = str(body.get("text", "")).strip()
        if not text:
            return _error(400, "INVALID_TEXT", "text must not be empty")
        self._record(request, text, "http")
        rate = int(request.query.get("sample_rate", "24000"))
        return await self.stream_pcm(request, text, sample_rate=rate, content_type="audio/l16")

    async def _websocket(self, request: web.Request) -> web.StreamResponse:
        if (denied := self._denied(request)) is not None:
            return denied
        rate = int(request.query.get("sample_rate", "24000"))
        ws = web.WebSocketResponse(heartbeat=None)
        await ws.prepare(request)
        model = request.query["model"]
        await ws.send_str(
            json.dumps(
                {
                    "type": "Metadata",
                    "request_id": str(uuid.uuid4()),
                    "model_name": model,
                    "model_version": "2025-04-07.0",
                    "model_uuid": MODEL_UUID,
                }
            )
        )
        buffer: list[str] = []
        sequence = 0
        # Flushes are spoken in order, each while the next text is buffered.
        queue: asyncio.Queue[str | None] = asyncio.Queue()

        async def speak() -> None:
            nonlocal sequence
            while (text := await queue.get()) is not None:
                if text:
                    async for chunk in self.pacing.speak(text, sample_rate=rate):
                        await ws.send_bytes(chunk.pcm)
                    self._record(request, text, "websocket")
                await ws.send_str(json.dumps({"type": "Flushed", "sequence_id": sequence}))
                sequence += 1

        speaker = asyncio.create_task(quietly(speak()))
        with self._tracked(ws):
            try:
                async for data in json_messages(ws):
                    kind = data.get("type")
                    if kind == "Speak":
                        buffer.append(str(data.get("text", "")))
                    elif kind == "Flush":
                        queue.put_nowait(" ".join("".join(buffer).split()))
                        buffer.clear()
                    elif kind == "Clear":
                        buffer.clear()
                        await ws.send_str(json.dumps({"type": "Cleared", "sequence_id": sequence}))
                    elif kind == "Close":
                        queue.put_nowait(None)
                        await speaker
                        break
            except ConnectionError:
                pass
            finally:
                await cancel_all([speaker])
                await ws.close()
        return ws

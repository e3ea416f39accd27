"""An OpenAI Realtime API emulator (GA event names) on a WebSocket.

Writer: this module, in the wire format of `wss://api.openai.com/v1/realtime`. Reader:
`livekit.plugins.openai.realtime.RealtimeModel` (1.8.9), whose engine is
`livekit.agents.llm._realtime.openai`. Given `base_url=OpenAIRealtimeEmulator.base_url`
it connects to `ws://127.0.0.1:PORT/v1/realtime?model=<model>` with
`Authorization: Bearer <api_key>`.

Client events handled: `session.update`, `input_audio_buffer.append` / `.commit` /
`.clear`, `conversation.item.create` / `.delete` / `.truncate`, `response.create`,
`response.cancel`. Audio in and out is 24 kHz mono PCM16, base64.

Server VAD is emulated on loudness: once `min_speech_ms` of non-silent audio has arrived,
`input_audio_buffer.speech_started`; after `silence_duration_ms` of silence,
`speech_stopped`, `committed`, the user item (`conversation.item.added` / `.done`), its
scripted transcription (`conversation.item.input_audio_transcription.delta` /
`.completed`) and, when the turn detection says `create_response`, a response. Silence
alone never produces a turn. A response streams `response.created`,
`response.output_item.added`, `conversation.item.added`, `response.content_part.added`,
`response.output_audio_transcript.delta` + `response.output_audio.delta` (or
`response.output_text.delta` for a text-only session), their `.done` events,
`response.content_part.done`, `response.output_item.done`, `conversation.item.done` and
`response.done` with usage.

Function calling: the session's `tools` come from `session.update`; a reply policy that
returns a `FunctionCall` gets a response whose output is a `function_call` item
(`response.output_item.added` with empty arguments, `conversation.item.added`,
`response.function_call_arguments.delta` / `.done`, `response.output_item.done` with
the arguments, `conversation.item.done`, `response.done`). The client answers with
`conversation.item.create` of a `function_call_output` and a `response.create`, whose
reply the policy words from the conversation items (the output among them). A
`response.create` whose `instructions` say "Say exactly this to the user, and nothing
else: …" (the worker's greeting, goodbye and tool messages) is answered with those words.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
import re
import time
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from aiohttp import WSMsgType, web

from ._audio import chunked, rms, text_to_speech_pcm
from ._server import EmulatorServer
from ._tools import FunctionCall
from .openai_emulator import DEFAULT_REPLY, approximate_tokens, unauthorized

SAMPLE_RATE = 24000
BYTES_PER_MS = SAMPLE_RATE * 2 // 1000
AUDIO_DELTA_BYTES = BYTES_PER_MS * 100  # 100 ms per response.output_audio.delta
DEFAULT_USER_TRANSCRIPT = "hello can you hear me"

logger = logging.getLogger(__name__)

ConversationItems = list[dict[str, Any]]
RealtimeReplyFn = Callable[[ConversationItems], "str | FunctionCall"]
# What the worker asks a realtime model when it must say exact words.
SAY_EXACTLY = re.compile(r"Say exactly this to the user, and nothing else: (.+)", re.DOTALL)


def _id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:20]}"


def _merge_session(current: dict[str, Any], update: dict[str, Any]) -> None:
    """Apply a `session.update`: `audio`, `audio.input`, `audio.output` merge, the rest replace."""
    for key, value in update.items():
        if key == "audio" and isinstance(value, dict):
            audio = current.setdefault("audio", {})
            for side, config in value.items():
                if side in ("input", "output") and isinstance(config, dict):
                    audio.setdefault(side, {}).update(config)
                else:
                    audio[side] = config
        else:
            current[key] = value


def _error(code: str, message: str, *, event_id: str | None) -> dict[str, Any]:
    return {
        "type": "error",
        "event_id": _id("event"),
        "error": {
            "type": "invalid_request_error",
            "code": code,
            "message": message,
            "param": None,
            "event_id": event_id,
        },
    }


class OpenAIRealtimeEmulator(EmulatorServer):
    """The Realtime API on `ws://127.0.0.1:PORT/v1/realtime`; `base_url` is `http://…/v1`.

    `reply` is the assistant's words, or a function of the conversation items returning
    words or a `FunctionCall`; `user_transcript` is what the user "said": one string, or
    one per turn (the last one repeats). `client_events` records every client event
    received (audio payloads included); `user_transcripts_sent` / `replies_sent` /
    `function_calls_sent` what the emulator answered, `tool_outputs` the
    `function_call_output` items the client created.
    """

    def __init__(
        self,
        *,
        reply: str | RealtimeReplyFn = DEFAULT_REPLY,
        user_transcript: str | Sequence[str] = DEFAULT_USER_TRANSCRIPT,
        require_key: str | None = None,
        first_audio_delay_s: float = 0.0,
        silence_rms_threshold: float = 500.0,
        min_speech_ms: int = 200,
        silence_duration_ms: int = 500,
    ) -> None:
        super().__init__()
        self.reply = reply
        self.user_transcript = user_transcript
        self.require_key = require_key
        self.first_audio_delay_s = first_audio_delay_s
        self.silence_rms_threshold = silence_rms_threshold
        self.min_speech_ms = min_speech_ms
        self.silence_duration_ms = silence_duration_ms
        self.client_events: list[dict[str, Any]] = []
        self.connection_queries: list[dict[str, str]] = []
        self.user_transcripts_sent: list[str] = []
        self.replies_sent: list[str] = []
        self.function_calls_sent: list[dict[str, Any]] = []
        self.tool_outputs: list[dict[str, Any]] = []
        self.audio_seconds_received = 0.0
        self.voiced_seconds_received = 0.0

    @property
    def base_url(self) -> str:
        return f"{self.origin}/v1"

    def _routes(self) -> list[web.RouteDef]:
        return [web.get("/v1/realtime", self._realtime)]

    def _next_user_transcript(self) -> str:
        if isinstance(self.user_transcript, str):
            return self.user_transcript
        index = min(len(self.user_transcripts_sent), len(self.user_transcript) - 1)
        return self.user_transcript[index]

    def _reply_for(self, items: ConversationItems, instructions: str | None) -> str | FunctionCall:
        if instructions and (match := SAY_EXACTLY.search(instructions)):
            return match.group(1).strip()
        return self.reply(items) if callable(self.reply) else self.reply

    async def _realtime(self, request: web.Request) -> web.StreamResponse:
        if (denied := unauthorized(request, self.require_key)) is not None:
            return denied
        self.connection_queries.append(dict(request.query))
        ws = web.WebSocketResponse(heartbeat=None)
        await ws.prepare(request)
        model = request.query.get("model", "gpt-realtime")
        with self._tracked(ws):
            await _RealtimeConnection(self, ws, model=model).run()
        return ws


class _RealtimeConnection:
    """One client's session: its config, conversation, input buffer and response."""

    def __init__(self, emulator: OpenAIRealtimeEmulator, ws: web.WebSocketResponse, *, model: str):
        self._emu = emulator
        self._ws = ws
        self._send_lock = asyncio.Lock()
        self._conversation_id = _id("conv")
        self._session: dict[str, Any] = {
            "type": "realtime",
            "object": "realtime.session",
            "id": _id("sess"),
            "model": model,
            "output_modalities": ["audio"],
            "instructions": "",
            "tools": [],
            "tool_choice": "auto",
            "max_output_tokens": "inf",
            "tracing": None,
            "prompt": None,
            "truncation": "auto",
            "include": None,
            "expires_at": int(time.time()) + 3600,
            "audio": {
                "input": {
                    "format": {"type": "audio/pcm", "rate": SAMPLE_RATE},
                    "transcription": None,
                    "noise_reduction": None,
                    "turn_detection": {
                        "type": "server_vad",
                        "threshold": 0.5,
                        "prefix_padding_ms": 300,
                        "silence_duration_ms": 500,
                        "idle_timeout_ms": None,
                        "create_response": True,
                        "interrupt_response": True,
                    },
                },
                "output": {
                    "format": {"type": "audio/pcm", "rate": SAMPLE_RATE},
                    "voice": "alloy",
                    "speed": 1.0,
                },
            },
        }
        self._items: ConversationItems = []
        # input audio buffer and the emulated server VAD
        self._buffer_ms = 0.0
        self._buffer_voiced_ms = 0.0
        self._stream_ms = 0.0  # all audio appended on this connection
        self._speech_item_id: str | None = None  # set while the VAD hears speech
        self._voiced_ms = 0.0  # voiced audio in the current candidate turn
        self._speech_start_ms = 0.0
        self._trailing_silence_ms = 0.0
        # the response being streamed
        self._response_task: asyncio.Task[None] | None = None
        self._response: dict[str, Any] | None = None
        self._response_item: dict[str, Any] | None = None

    async def run(self) -> None:
        await self._send({"type": "session.created", "session": self._session})
        try:
            async for msg in self._ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                event: dict[str, Any] = json.loads(msg.data)
                self._emu.client_events.append(event)
                await self._handle(event)
        finally:
            if self._response_task is not None:
                self._response_task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._response_task

    async def _send(self, event: dict[str, Any]) -> None:
        event = {"event_id": _id("event"), **event}
        async with self._send_lock:
            if not self._ws.closed:
                await self._ws.send_str(json.dumps(event))

    # -- client events -----------------------------------------------------------------

    async def _handle(self, event: dict[str, Any]) -> None:
        kind = event.get("type")
        event_id = event.get("event_id")
        if kind == "session.update":
            _merge_session(self._session, event.get("session") or {})
            await self._send({"type": "session.updated", "session": self._session})
        elif kind == "input_audio_buffer.append":
            await self._append_audio(base64.b64decode(event.get("audio", "")))
        elif kind == "input_audio_buffer.commit":
            await self._commit(event_id)
        elif kind == "input_audio_buffer.clear":
            self._clear_buffer()
            await self._send({"type": "input_audio_buffer.cleared"})
        elif kind == "conversation.item.create":
            await self._create_item(event)
        elif kind == "conversation.item.delete":
            await self._delete_item(event)
        elif kind == "conversation.item.truncate":
            await self._send(
                {
                    "type": "conversation.item.truncated",
                    "item_id": event.get("item_id"),
                    "content_index": event.get("content_index", 0),
                    "audio_end_ms": event.get("audio_end_ms", 0),
                }
            )
        elif kind == "response.create":
            await self._create_response(event.get("response") or {}, event_id)
        elif kind == "response.cancel":
            if not await self._cancel_response("client_cancelled"):
                await self._send(
                    _error(
                        "response_cancel_not_active",
                        "Cancellation failed: no active response found",
                        event_id=event_id,
                    )
                )
        else:
            await self._send(
                _error("invalid_event", f"Unsupported event type '{kind}'", event_id=event_id)
            )

    # -- input audio and VAD -----------------------------------------------------------

    def _turn_detection(self) -> dict[str, Any] | None:
        detection = self._session.get("audio", {}).get("input", {}).get("turn_detection")
        return detection if isinstance(detection, dict) else None

    def _clear_buffer(self) -> None:
        self._buffer_ms = 0.0
        self._buffer_voiced_ms = 0.0
        self._speech_item_id = None
        self._voiced_ms = 0.0
        self._trailing_silence_ms = 0.0

    async def _append_audio(self, pcm: bytes) -> None:
        duration_ms = len(pcm) / BYTES_PER_MS
        voiced = rms(pcm) >= self._emu.silence_rms_threshold
        self._emu.audio_seconds_received += duration_ms / 1000
        start_ms = self._stream_ms
        self._stream_ms += duration_ms
        self._buffer_ms += duration_ms
        if voiced:
            self._emu.voiced_seconds_received += duration_ms / 1000
            self._buffer_voiced_ms += duration_ms

        detection = self._turn_detection()
        if detection is None:
            return
        if voiced:
            if self._voiced_ms == 0.0:
                self._speech_start_ms = start_ms
            self._voiced_ms += duration_ms
            self._trailing_silence_ms = 0.0
            if self._speech_item_id is None and self._voiced_ms >= self._emu.min_speech_ms:
                await self._speech_started(detection)
            return
        if self._voiced_ms == 0.0:
            return
        self._trailing_silence_ms += duration_ms
        if self._trailing_silence_ms < self._end_of_turn_silence_ms(detection):
            return
        if self._speech_item_id is None:  # a blip too short to be speech
            self._voiced_ms = 0.0
            self._trailing_silence_ms = 0.0
            return
        item_id = self._speech_item_id
        await self._send(
            {
                "type": "input_audio_buffer.speech_stopped",
                "audio_end_ms": int(self._stream_ms - self._trailing_silence_ms),
                "item_id": item_id,
            }
        )
        await self._commit_user_turn(item_id, has_speech=True)
        if detection.get("create_response", True) and self._response_task is None:
            await self._create_response({}, None)

    def _end_of_turn_silence_ms(self, detection: dict[str, Any]) -> float:
        """server_vad's own `silence_duration_ms`; the emulator's for semantic_vad."""
        configured = detection.get("silence_duration_ms")
        if detection.get("type") == "server_vad" and isinstance(configured, int | float):
            return float(configured)
        return float(self._emu.silence_duration_ms)

    async def _speech_started(self, detection: dict[str, Any]) -> None:
        self._speech_item_id = _id("item")
        await self._send(
            {
                "type": "input_audio_buffer.speech_started",
                "audio_start_ms": int(self._speech_start_ms),
                "item_id": self._speech_item_id,
            }
        )
        if detection.get("interrupt_response", True):
            await self._cancel_response("turn_detected")

    async def _commit(self, event_id: str | None) -> None:
        if self._buffer_ms < 100:
            await self._send(
                _error(
                    "input_audio_buffer_commit_empty",
                    "Error committing input audio buffer: buffer too small. Expected at least "
                    f"100ms of audio, but buffer only has {self._buffer_ms:.2f}ms of audio.",
                    event_id=event_id,
                )
            )
            return
        has_speech = self._buffer_voiced_ms >= self._emu.min_speech_ms
        await self._commit_user_turn(self._speech_item_id or _id("item"), has_speech=has_speech)

    async def _commit_user_turn(self, item_id: str, *, has_speech: bool) -> None:
        """Commit the buffer as a user item; only heard speech gets the scripted transcript."""
        self._clear_buffer()
        previous_item_id = self._items[-1]["id"] if self._items else None
        await self._send(
            {
                "type": "input_audio_buffer.committed",
                "previous_item_id": previous_item_id,
                "item_id": item_id,
            }
        )
        item: dict[str, Any] = {
            "id": item_id,
            "type": "message",
            "object": "realtime.item",
            "status": "completed",
            "role": "user",
            "content": [{"type": "input_audio", "transcript": None}],
        }
        self._items.append(item)
        await self._send(
            {"type": "conversation.item.added", "previous_item_id": previous_item_id, "item": item}
        )
        await self._send(
            {"type": "conversation.item.done", "previous_item_id": previous_item_id, "item": item}
        )
        if self._session["audio"]["input"].get("transcription") is None:
            return
        transcript = self._emu._next_user_transcript() if has_speech else ""
        if has_speech:
            self._emu.user_transcripts_sent.append(transcript)
        item["content"][0]["transcript"] = transcript
        common = {"item_id": item_id, "content_index": 0}
        if transcript:
            await self._send(
                {
                    "type": "conversation.item.input_audio_transcription.delta",
                    **common,
                    "delta": transcript,
                }
            )
        tokens = approximate_tokens(transcript)
        await self._send(
            {
                "type": "conversation.item.input_audio_transcription.completed",
                **common,
                "transcript": transcript,
                "logprobs": None,
                "usage": {
                    "type": "tokens",
                    "input_tokens": 20,
                    "input_token_details": {"text_tokens": 0, "audio_tokens": 20},
                    "output_tokens": tokens,
                    "total_tokens": 20 + tokens,
                },
            }
        )

    # -- conversation items ------------------------------------------------------------

    async def _create_item(self, event: dict[str, Any]) -> None:
        item = dict(event.get("item") or {})
        item.setdefault("id", _id("item"))
        item.setdefault("object", "realtime.item")
        item.setdefault("status", "completed")
        if any(existing["id"] == item["id"] for existing in self._items):
            await self._send(
                _error(
                    "item_create_duplicate_item_id",
                    f"Item with id '{item['id']}' already exists.",
                    event_id=event.get("event_id"),
                )
            )
            return
        previous = event.get("previous_item_id")
        if previous == "root":
            index = 0
        elif previous is not None:
            index = next(
                (i + 1 for i, existing in enumerate(self._items) if existing["id"] == previous),
                len(self._items),
            )
        else:
            index = len(self._items)
        self._items.insert(index, item)
        if item.get("type") == "function_call_output":
            self._emu.tool_outputs.append(item)
        previous_item_id = self._items[index - 1]["id"] if index > 0 else None
        for kind in ("conversation.item.added", "conversation.item.done"):
            await self._send({"type": kind, "previous_item_id": previous_item_id, "item": item})

    async def _delete_item(self, event: dict[str, Any]) -> None:
        item_id = event.get("item_id")
        for index, existing in enumerate(self._items):
            if existing["id"] == item_id:
                del self._items[index]
                await self._send({"type": "conversation.item.deleted", "item_id": item_id})
                return
        await self._send(
            _error(
                "item_delete_invalid_item_id",
                f"Item with item_id not found: {item_id}",
                event_id=event.get("event_id"),
            )
        )

    # -- responses ---------------------------------------------------------------------

    async def _create_response(self, params: dict[str, Any], event_id: str | None) -> None:
        if self._response_task is not None:
            await self._send(
                _error(
                    "conversation_already_has_active_response",
                    "Conversation already has an active response in progress.",
                    event_id=event_id,
                )
            )
            return
        modalities = params.get("output_modalities") or self._session.get("output_modalities")
        output = self._session["audio"]["output"]
        self._response = {
            "object": "realtime.response",
            "id": _id("resp"),
            "status": "in_progress",
            "status_details": None,
            "output": [],
            "conversation_id": self._conversation_id,
            "output_modalities": list(modalities or ["audio"]),
            "max_output_tokens": params.get("max_output_tokens", "inf"),
            "audio": {"output": {"format": output["format"], "voice": output.get("voice")}},
            "usage": None,
            "metadata": params.get("metadata"),
        }
        await self._send({"type": "response.created", "response": self._response})
        in_conversation = params.get("conversation", "auto") != "none"
        instructions = params.get("instructions")
        self._response_task = asyncio.create_task(
            self._stream_response(in_conversation, instructions)
        )

    async def _stream_response(self, in_conversation: bool, instructions: str | None) -> None:
        try:
            answer = self._emu._reply_for(list(self._items), instructions)
            if isinstance(answer, FunctionCall):
                await self._stream_function_call(answer, in_conversation)
            else:
                await self._stream_response_events(answer, in_conversation)
        except Exception:
            logger.exception("realtime emulator failed to stream a response")
            details = {"type": "failed", "error": {"type": "server_error", "code": None}}
            await self._finish_response("failed", details)

    async def _stream_function_call(self, call: FunctionCall, in_conversation: bool) -> None:
        """A response whose one output is a `function_call` item, arguments streamed."""
        assert self._response is not None
        response = self._response
        arguments = json.dumps(call.args)
        item: dict[str, Any] = {
            "id": _id("item"),
            "type": "function_call",
            "object": "realtime.item",
            "status": "in_progress",
            "call_id": _id("call"),
            "name": call.name,
            "arguments": "",
        }
        self._response_item = item
        where = {"response_id": response["id"], "output_index": 0}
        await self._send({"type": "response.output_item.added", **where, "item": item})
        previous_item_id = self._items[-1]["id"] if self._items else None
        if in_conversation:
            self._items.append(item)
            await self._send(
                {
                    "type": "conversation.item.added",
                    "previous_item_id": previous_item_id,
                    "item": item,
                }
            )
        call_where = {**where, "item_id": item["id"], "call_id": item["call_id"]}
        for delta in re.findall(r".{1,16}", arguments, re.DOTALL):
            await self._send(
                {"type": "response.function_call_arguments.delta", **call_where, "delta": delta}
            )
        await self._send(
            {
                "type": "response.function_call_arguments.done",
                **call_where,
                "name": call.name,
                "arguments": arguments,
            }
        )
        item.update(status="completed", arguments=arguments)
        self._emu.function_calls_sent.append(
            {"call_id": item["call_id"], "name": call.name, "arguments": call.args}
        )
        await self._send({"type": "response.output_item.done", **where, "item": item})
        if in_conversation:
            await self._send(
                {
                    "type": "conversation.item.done",
                    "previous_item_id": previous_item_id,
                    "item": item,
                }
            )
        await self._finish_response(
            "completed", None, output_tokens=(approximate_tokens(arguments), 0)
        )

    async def _stream_response_events(self, text: str, in_conversation: bool) -> None:
        assert self._response is not None
        response = self._response
        audio = "audio" in response["output_modalities"]
        item: dict[str, Any] = {
            "id": _id("item"),
            "type": "message",
            "object": "realtime.item",
            "status": "in_progress",
            "role": "assistant",
            "content": [],
        }
        self._response_item = item
        where = {"response_id": response["id"], "output_index": 0}
        await self._send({"type": "response.output_item.added", **where, "item": item})
        if in_conversation:
            previous_item_id = self._items[-1]["id"] if self._items else None
            self._items.append(item)
            await self._send(
                {
                    "type": "conversation.item.added",
                    "previous_item_id": previous_item_id,
                    "item": item,
                }
            )
        else:
            previous_item_id = None
        part_where = {**where, "item_id": item["id"], "content_index": 0}
        empty_part = {"type": "audio", "transcript": ""} if audio else {"type": "text", "text": ""}
        await self._send({"type": "response.content_part.added", **part_where, "part": empty_part})
        await asyncio.sleep(self._emu.first_audio_delay_s)

        words = re.findall(r"\s*\S+", text) or [text]
        if audio:
            pcm = text_to_speech_pcm(text, sample_rate=SAMPLE_RATE)
            pieces = chunked(pcm, AUDIO_DELTA_BYTES)
            for i, piece in enumerate(pieces):
                # the transcript runs a little ahead of the audio, as OpenAI's does
                for word in words[
                    i * len(words) // len(pieces) : (i + 1) * len(words) // len(pieces)
                ]:
                    await self._send(
                        {
                            "type": "response.output_audio_transcript.delta",
                            **part_where,
                            "delta": word,
                        }
                    )
                delta = base64.b64encode(piece).decode()
                await self._send(
                    {"type": "response.output_audio.delta", **part_where, "delta": delta}
                )
                await asyncio.sleep(0)
            await self._send({"type": "response.output_audio.done", **part_where})
            await self._send(
                {"type": "response.output_audio_transcript.done", **part_where, "transcript": text}
            )
            part = {"type": "audio", "transcript": text}
            item["content"] = [{"type": "output_audio", "transcript": text}]
        else:
            pcm = b""
            for word in words:
                await self._send(
                    {"type": "response.output_text.delta", **part_where, "delta": word}
                )
            await self._send({"type": "response.output_text.done", **part_where, "text": text})
            part = {"type": "text", "text": text}
            item["content"] = [{"type": "output_text", "text": text}]
        await self._send({"type": "response.content_part.done", **part_where, "part": part})
        item["status"] = "completed"
        self._emu.replies_sent.append(text)
        await self._send({"type": "response.output_item.done", **where, "item": item})
        if in_conversation:
            await self._send(
                {
                    "type": "conversation.item.done",
                    "previous_item_id": previous_item_id,
                    "item": item,
                }
            )
        audio_tokens = len(pcm) // BYTES_PER_MS // 50  # about one token per 50 ms of audio
        text_tokens = approximate_tokens(text)
        await self._finish_response("completed", None, output_tokens=(text_tokens, audio_tokens))

    async def _finish_response(
        self,
        status: str,
        status_details: dict[str, Any] | None,
        *,
        output_tokens: tuple[int, int] = (0, 0),
    ) -> None:
        response, item = self._response, self._response_item
        self._response, self._response_item, self._response_task = None, None, None
        if response is None:
            return
        input_text = sum(
            approximate_tokens(json.dumps(existing.get("content", []))) for existing in self._items
        )
        text_out, audio_out = output_tokens
        response.update(
            status=status,
            status_details=status_details,
            output=[item] if item is not None else [],
            usage={
                "total_tokens": input_text + text_out + audio_out,
                "input_tokens": input_text,
                "output_tokens": text_out + audio_out,
                "input_token_details": {
                    "text_tokens": input_text,
                    "audio_tokens": 0,
                    "image_tokens": 0,
                    "cached_tokens": 0,
                    "cached_tokens_details": {
                        "text_tokens": 0,
                        "audio_tokens": 0,
                        "image_tokens": 0,
                    },
                },
                "output_token_details": {"text_tokens": text_out, "audio_tokens": audio_out},
            },
        )
        await self._send({"type": "response.done", "response": response})

    async def _cancel_response(self, reason: str) -> bool:
        """Stop the streaming response, if any, and report it `cancelled`."""
        task = self._response_task
        if task is None:
            return False
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        if self._response is None:  # it finished before the cancellation landed
            return False
        if self._response_item is not None:
            self._response_item["status"] = "incomplete"
        await self._finish_response("cancelled", {"type": "cancelled", "reason": reason})
        return True

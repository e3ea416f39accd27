"""An OpenAI REST API emulator: chat completions, text-to-speech and transcriptions.

Writer: this module, in the wire format of api.openai.com. Readers: the `openai` SDK as
driven by `livekit.plugins.openai.LLM` and `livekit.plugins.openai.TTS` (1.8.9), pointed at
`OpenAIEmulator.base_url`.

- `POST /v1/chat/completions`: non-streaming JSON, or `stream: true` SSE chunks
  (`chat.completion.chunk`), a usage-only chunk when `stream_options.include_usage`,
  then `data: [DONE]`. Function calling: when the request declares `tools` (and
  `tool_choice` is not `"none"`), `tool_policy(messages, tools)` may answer with tool
  calls instead of text (`message.tool_calls`; streamed as `delta.tool_calls` pieces,
  `finish_reason: "tool_calls"`); when the last message is a `tool` result, the reply is
  `after_tool(result)`, which contains it.
- `POST /v1/audio/speech`: 24 kHz mono PCM16 of a speech-like tone, 60 ms a character.
  With `response_format: "pcm"` and `stream_format: "sse"` it answers OpenAI's SSE
  (`speech.audio.delta` / `speech.audio.done`); otherwise raw bytes declared as
  `Content-Type: audio/pcm`, which the plugin decodes whatever format it asked for.
- `POST /v1/audio/transcriptions` (multipart, a WAV `file`, as `livekit.plugins.openai.STT`
  sends each utterance the VAD cut, and speaches or faster-whisper-server answer):
  `{"text": transcript}` when the audio is not silent, `{"text": ""}` otherwise.

`chat_status`, when set, makes chat completions answer that HTTP status with an OpenAI
error body (an outage, for fallback tests).

Structured output (a post-call analysis): a request with `response_format: json_schema`
is answered by `structured_replies` in order while any are left (scripted valid or invalid
JSON text), then by `structured_reply(schema)`, by default `example_of(schema)`: a value
that fits the schema. Such requests are also kept in `structured_requests`.
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import BodyPartReader, ClientConnectionResetError, web

from ._audio import chunked, rms, text_to_speech_pcm
from ._server import EmulatorServer, bearer_key

if TYPE_CHECKING:
    from .openai_realtime_emulator import OpenAIRealtimeEmulator

DEFAULT_REPLY = "Hello! I am the callwright test agent."
TTS_SAMPLE_RATE = 24000
TTS_CHUNK_BYTES = TTS_SAMPLE_RATE * 2 // 10  # 100 ms of PCM16 mono

ChatMessages = list[dict[str, Any]]
ReplyFn = Callable[[ChatMessages], str]


def example_of(schema: dict[str, Any]) -> Any:
    """A value that fits a JSON schema of the tools' subset (the first of an `enum`)."""
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object":
        return {name: example_of(sub) for name, sub in (schema.get("properties") or {}).items()}
    if kind == "array":
        return [example_of(schema.get("items") or {"type": "string"})] * schema.get("minItems", 1)
    if kind == "integer":
        return max(1, schema.get("minimum", 1))
    if kind == "number":
        return float(max(1, schema.get("minimum", 1)))
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    return "x" * max(1, schema.get("minLength", 7)) if "minLength" in schema else "example"


@dataclass(frozen=True)
class ToolCallPlan:
    """One function call the emulated model makes."""

    name: str
    arguments: dict[str, Any] = field(default_factory=dict)
    call_id: str = field(default_factory=lambda: f"call_{uuid.uuid4().hex[:24]}")


# (messages, declared tools) → the calls to make now, or None to answer in text.
ToolPolicy = Callable[[ChatMessages, list[dict[str, Any]]], Sequence[ToolCallPlan] | None]


def declared_names(tools: list[dict[str, Any]]) -> set[str]:
    return {str((t.get("function") or {}).get("name")) for t in tools}


def call_tool_when(pattern: str, name: str, arguments: dict[str, Any] | None = None) -> ToolPolicy:
    """A policy: when the last message is the user's and matches `pattern` (a regex,
    case-insensitive) and the request declares tool `name`, call it with `arguments`."""

    def policy(messages: ChatMessages, tools: list[dict[str, Any]]) -> list[ToolCallPlan] | None:
        last = messages[-1] if messages else {}
        if last.get("role") != "user" or name not in declared_names(tools):
            return None
        if not re.search(pattern, _message_text(last), re.IGNORECASE):
            return None
        return [ToolCallPlan(name, dict(arguments or {}))]

    return policy


def said_after_tool(result: str) -> str:
    return f"Here is what I found: {result}"


def openai_error(status: int, *, message: str, type_: str, code: str | None) -> web.Response:
    """OpenAI's error body: `{"error": {"message", "type", "param", "code"}}`."""
    body = {"error": {"message": message, "type": type_, "param": None, "code": code}}
    return web.json_response(body, status=status)


def unauthorized(request: web.Request, require_key: str | None) -> web.Response | None:
    """A 401 in OpenAI's shape when `require_key` is set and the bearer key differs."""
    if require_key is None or bearer_key(request) == require_key:
        return None
    if bearer_key(request) is None:
        message = "You didn't provide an API key."
    else:
        message = "Incorrect API key provided."
    return openai_error(401, message=message, type_="invalid_request_error", code="invalid_api_key")


def approximate_tokens(text: str) -> int:
    """A token count good enough for usage fields: about four characters a token."""
    return max(1, (len(text) + 3) // 4) if text else 0


def _message_text(message: dict[str, Any]) -> str:
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    return ""


def _text_deltas(text: str) -> list[str]:
    """`text` in the pieces a model streams: each word with its leading whitespace."""
    return re.findall(r"\s*\S+", text) or [text]


def _request_id() -> dict[str, str]:
    """OpenAI's `x-request-id` header, which the SDK exposes as `request_id`."""
    return {"x-request-id": f"req_{uuid.uuid4().hex}"}


def _sse(payload: dict[str, Any] | str) -> bytes:
    data = payload if isinstance(payload, str) else json.dumps(payload)
    return f"data: {data}\n\n".encode()


class OpenAIEmulator(EmulatorServer):
    """Chat completions and speech on `http://127.0.0.1:PORT/v1`.

    `reply` is the assistant's text, or a function of the request's `messages`.
    `chat_requests` / `speech_requests` hold every request body, in order.
    """

    def __init__(
        self,
        *,
        reply: str | ReplyFn = DEFAULT_REPLY,
        require_key: str | None = None,
        first_token_delay_s: float = 0.0,
        token_delay_s: float = 0.0,
        tts_first_byte_delay_s: float = 0.0,
        realtime: OpenAIRealtimeEmulator | None = None,
        tool_policy: ToolPolicy | None = None,
        after_tool: Callable[[str], str] = said_after_tool,
        transcript: str = "hello can you hear me",
    ) -> None:
        super().__init__()
        self.transcript = transcript
        self.chat_status: int | None = None
        self.transcription_requests: list[dict[str, Any]] = []
        # Settable by a test at any time, like `reply`.
        self.tool_policy = tool_policy
        self.after_tool = after_tool
        self.tool_calls_made: list[ToolCallPlan] = []
        # Between two streamed chat pieces: a slow model, so that a test can act mid-reply.
        self.token_delay_s = token_delay_s
        self.realtime = realtime
        self.reply = reply
        self.require_key = require_key
        self.first_token_delay_s = first_token_delay_s
        self.tts_first_byte_delay_s = tts_first_byte_delay_s
        self.chat_requests: list[dict[str, Any]] = []
        self.speech_requests: list[dict[str, Any]] = []
        self.replies_sent: list[str] = []
        self.structured_replies: list[str] = []
        self.structured_reply: Callable[[dict[str, Any]], str] = lambda schema: json.dumps(
            example_of(schema)
        )
        self.structured_requests: list[dict[str, Any]] = []

    @property
    def base_url(self) -> str:
        return f"{self.origin}/v1"

    def _routes(self) -> list[web.RouteDef]:
        routes = [
            web.post("/v1/chat/completions", self._chat_completions),
            web.post("/v1/audio/speech", self._speech),
            web.get("/v1/models", self._models),
            web.post("/v1/audio/transcriptions", self._transcriptions),
        ]
        # One host for every OpenAI API, as api.openai.com is: the worker has one
        # OPENAI_BASE_URL for its LLM, TTS and Realtime models.
        if self.realtime is not None:
            routes += self.realtime._routes()
        return routes

    async def _models(self, request: web.Request) -> web.Response:
        """The models list `callwright doctor` reads to test the key."""
        if (denied := unauthorized(request, self.require_key)) is not None:
            return denied
        models = ("gpt-4o-mini", "gpt-4o-mini-tts", "gpt-realtime")
        data = [{"id": m, "object": "model", "created": 0, "owned_by": "system"} for m in models]
        return web.json_response({"object": "list", "data": data})

    def _reply_for(self, messages: ChatMessages) -> str:
        if messages and messages[-1].get("role") == "tool":
            return self.after_tool(_message_text(messages[-1]))
        return self.reply(messages) if callable(self.reply) else self.reply

    def _calls_for(self, body: dict[str, Any], messages: ChatMessages) -> list[ToolCallPlan]:
        tools = body.get("tools") or []
        if not tools or body.get("tool_choice") == "none" or self.tool_policy is None:
            return []
        return list(self.tool_policy(messages, tools) or [])

    async def _chat_completions(self, request: web.Request) -> web.StreamResponse:
        if (denied := unauthorized(request, self.require_key)) is not None:
            return denied
        try:
            body: dict[str, Any] = await request.json()
        except ConnectionResetError:  # the worker dropped the request while sending it
            return web.Response(status=499)
        self.chat_requests.append(body)
        if self.chat_status is not None:
            return openai_error(
                self.chat_status, message="emulated outage", type_="server_error", code=None
            )
        messages: ChatMessages = body.get("messages") or []
        structured = (body.get("response_format") or {}).get("json_schema")
        calls = [] if structured else self._calls_for(body, messages)
        self.tool_calls_made += calls
        if structured:
            self.structured_requests.append(body)
            text = (
                self.structured_replies.pop(0)
                if self.structured_replies
                else self.structured_reply(structured.get("schema") or {})
            )
        else:
            text = "" if calls else self._reply_for(messages)
        if not calls:
            self.replies_sent.append(text)
        wire_calls = [
            {
                "id": call.call_id,
                "type": "function",
                "function": {"name": call.name, "arguments": json.dumps(call.arguments)},
            }
            for call in calls
        ]

        completion_id = f"chatcmpl-{uuid.uuid4().hex[:24]}"
        created = int(time.time())
        model = str(body.get("model", "gpt-4o-mini"))
        prompt_tokens = sum(approximate_tokens(_message_text(m)) for m in messages)
        completion_tokens = approximate_tokens(text or json.dumps(wire_calls))
        usage = {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
            "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
            "completion_tokens_details": {
                "reasoning_tokens": 0,
                "audio_tokens": 0,
                "accepted_prediction_tokens": 0,
                "rejected_prediction_tokens": 0,
            },
        }

        if not body.get("stream"):
            await asyncio.sleep(self.first_token_delay_s)
            return web.json_response(
                {
                    "id": completion_id,
                    "object": "chat.completion",
                    "created": created,
                    "model": model,
                    "choices": [
                        {
                            "index": 0,
                            "message": {
                                "role": "assistant",
                                "content": None if calls else text,
                                "refusal": None,
                                "annotations": [],
                                **({"tool_calls": wire_calls} if calls else {}),
                            },
                            "logprobs": None,
                            "finish_reason": "tool_calls" if calls else "stop",
                        }
                    ],
                    "usage": usage,
                    "service_tier": "default",
                    "system_fingerprint": "fp_emulator",
                },
                headers=_request_id(),
            )

        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))

        def chunk(choices: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
            payload: dict[str, Any] = {
                "id": completion_id,
                "object": "chat.completion.chunk",
                "created": created,
                "model": model,
                "service_tier": "default",
                "system_fingerprint": "fp_emulator",
                "choices": choices,
            }
            if include_usage:
                payload["usage"] = None
            payload.update(extra)
            return payload

        def choice(delta: dict[str, Any], finish_reason: str | None = None) -> dict[str, Any]:
            return {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}

        response = web.StreamResponse(
            headers={
                "Content-Type": "text/event-stream; charset=utf-8",
                "Cache-Control": "no-cache",
                **_request_id(),
            }
        )
        try:
            await response.prepare(request)
            await asyncio.sleep(self.first_token_delay_s)
            if calls:
                await self._stream_calls(response, wire_calls, chunk, choice)
            else:
                first = {"role": "assistant", "content": "", "refusal": None}
                await response.write(_sse(chunk([choice(first)])))
                for index, piece in enumerate(_text_deltas(text)):
                    if index and self.token_delay_s:
                        await asyncio.sleep(self.token_delay_s)
                    await response.write(_sse(chunk([choice({"content": piece})])))
            await response.write(_sse(chunk([choice({}, "tool_calls" if calls else "stop")])))
            if include_usage:
                await response.write(_sse(chunk([], usage=usage)))
            await response.write(_sse("[DONE]"))
            await response.write_eof()
        except ClientConnectionResetError:
            pass  # the worker dropped the answer (one prepared early, then superseded)
        return response

    async def _stream_calls(
        self,
        response: web.StreamResponse,
        wire_calls: list[dict[str, Any]],
        chunk: Callable[..., dict[str, Any]],
        choice: Callable[..., dict[str, Any]],
    ) -> None:
        """OpenAI's pieces: per call, its id and name with empty arguments, then the
        arguments' JSON in a few fragments."""
        for index, call in enumerate(wire_calls):
            head = {
                "index": index,
                "id": call["id"],
                "type": "function",
                "function": {"name": call["function"]["name"], "arguments": ""},
            }
            delta: dict[str, Any] = {"tool_calls": [head]}
            if index == 0:
                delta = {"role": "assistant", "content": None, "refusal": None, **delta}
            await response.write(_sse(chunk([choice(delta)])))
            arguments = call["function"]["arguments"]
            step = max(1, len(arguments) // 3)
            for start in range(0, len(arguments), step):
                piece = {"index": index, "function": {"arguments": arguments[start : start + step]}}
                await response.write(_sse(chunk([choice({"tool_calls": [piece]})])))

    async def _transcriptions(self, request: web.Request) -> web.Response:
        if (denied := unauthorized(request, self.require_key)) is not None:
            return denied
        fields: dict[str, Any] = {}
        audio = b""
        async for part in await request.multipart():
            if not isinstance(part, BodyPartReader):
                continue
            if part.name == "file":
                audio = await part.read()
            elif part.name:
                fields[part.name] = await part.text()
        # PCM16 mono after the 44-byte header of the plugin's WAV (its rate at byte 24).
        pcm = audio[44:]
        rate = int.from_bytes(audio[24:28], "little") if len(audio) >= 44 else 0
        fields["seconds"] = len(pcm) / 2 / rate if rate else 0.0
        self.transcription_requests.append(fields)
        text = self.transcript if pcm and rms(pcm) > 300 else ""
        return web.json_response({"text": text}, headers=_request_id())

    async def _speech(self, request: web.Request) -> web.StreamResponse:
        if (denied := unauthorized(request, self.require_key)) is not None:
            return denied
        body: dict[str, Any] = await request.json()
        self.speech_requests.append(body)
        text = str(body.get("input", ""))
        if not text:
            return openai_error(
                400, message="Input is empty.", type_="invalid_request_error", code=None
            )
        pcm = text_to_speech_pcm(text, sample_rate=TTS_SAMPLE_RATE)
        sse = body.get("response_format") == "pcm" and body.get("stream_format") == "sse"

        response = web.StreamResponse(
            headers={"Content-Type": "text/event-stream" if sse else "audio/pcm", **_request_id()}
        )
        await response.prepare(request)
        try:
            await asyncio.sleep(self.tts_first_byte_delay_s)
            for piece in chunked(pcm, TTS_CHUNK_BYTES):
                if sse:
                    delta = {
                        "type": "speech.audio.delta",
                        "audio": base64.b64encode(piece).decode(),
                    }
                    await response.write(_sse(delta))
                else:
                    await response.write(piece)
            if sse:
                input_tokens = approximate_tokens(text)
                output_tokens = len(pcm) // 2 // 240  # about one token per 10 ms of audio
                usage = {
                    "input_tokens": input_tokens,
                    "output_tokens": output_tokens,
                    "total_tokens": input_tokens + output_tokens,
                }
                await response.write(_sse({"type": "speech.audio.done", "usage": usage}))
            await response.write_eof()
        except ClientConnectionResetError:
            pass  # the worker cut the speech short (an interruption, the call ending)
        return response

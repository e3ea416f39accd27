"""A Gemini Live API emulator (`BidiGenerateContent`) on a TLS WebSocket.

Writer: this module, in the wire format of
`wss://generativelanguage.googleapis.com/ws/google.ai.generativelanguage.<version>.GenerativeService.BidiGenerateContent`.
Reader: google-genai 3.6.1's `AsyncLive.connect`, driven by livekit-plugins-google 1.8.9's
`google.realtime.RealtimeModel` (see ../shared/research/gemini-live-protocol.md for the
protocol and its traps). The SDK always dials `wss://`, so the emulator serves TLS with a
throwaway certificate for IP 127.0.0.1 made at construction; a client trusts it through
`SSL_CERT_FILE=<ca_bundle>` (certifi's roots plus that certificate).

Client messages: `setup` (first, once per connection), `client_content` (turns; only
`turnComplete: true` asks for a reply), `realtime_input` (`audio` or `mediaChunks`, PCM16
at the rate its mime type says, URL-safe base64) and `tool_response`. Top-level keys are
snake_case and nested ones mixed: every key is looked up camelCase, then snake_case.

Server messages, JSON in binary frames like the real server's: `setupComplete`; per
reply, `serverContent.inputTranscription` first when the reply answers heard speech,
then 100 ms `modelTurn` audio chunks (24 kHz PCM16) interleaved with
`outputTranscription` words, `generationComplete`, and `turnComplete` carrying
`usageMetadata`; then `sessionResumptionUpdate` with a new handle. A reply may instead be
a `toolCall`; the `tool_response` that answers it gets the spoken follow-up.

Voice activity detection is on loudness: at least `min_speech_ms` of non-silent audio,
then `silence_duration_ms` of silence, is a user turn; silence alone never is.

Provider limits, on a short clock for tests: with `go_away_after_s` a connection gets
`goAway` that long after its setup (at the next moment no reply streams and no one speaks) and is
closed `go_away_grace_s` later; a `setup` carrying a handle resumes its session, the
conversation included. With `session_audio_limit_s` a session that did not ask for
`contextWindowCompression` is closed (1011) once it has received that much audio, as
Google's sessions without compression end after about 15 minutes of audio.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import datetime
import ipaddress
import json
import logging
import re
import shutil
import ssl
import tempfile
import uuid
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import certifi
from aiohttp import WSMsgType, web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ._audio import chunked, rms, text_to_speech_pcm
from ._server import HOST, EmulatorServer
from ._tools import FunctionCall
from .openai_emulator import DEFAULT_REPLY, approximate_tokens

OUTPUT_RATE = 24000  # the plugin plays every chunk as 24 kHz mono, whatever its mime type says
DEFAULT_INPUT_RATE = 16000
AUDIO_CHUNK_BYTES = OUTPUT_RATE * 2 // 10  # 100 ms a modelTurn: far below the 1 MiB frame limit
AUDIO_TOKENS_PER_SECOND = 32  # what Gemini counts for a second of audio
VAD_WINDOW_MS = 10
DEFAULT_USER_TRANSCRIPT = "hello can you hear me"
SERVICE_PATH = re.compile(r"/ws/google\.ai\.generativelanguage\.[^/]+\.GenerativeService\.(\w+)$")
# What the worker asks a realtime model when it must say exact words (greeting, goodbye).
SAY_EXACTLY = re.compile(r"Say exactly this to the user, and nothing else: (.+)", re.DOTALL)

logger = logging.getLogger(__name__)

Turns = list[dict[str, Any]]


GeminiReplyFn = Callable[[Turns], "str | FunctionCall"]


def _get(obj: dict[str, Any], camel: str) -> Any:
    """`obj[camel]`, else its snake_case spelling (the SDK sends both)."""
    if camel in obj:
        return obj[camel]
    return obj.get(re.sub(r"(?<!^)([A-Z])", r"_\1", camel).lower())


def _turn_text(turn: dict[str, Any]) -> str:
    parts = _get(turn, "parts") or []
    return "".join(str(part.get("text", "")) for part in parts if isinstance(part, dict))


def said_exactly(turns: Turns) -> str | None:
    """The words of a "Say exactly this" instruction among the newest turns, if any."""
    for turn in reversed(turns[-3:]):
        if match := SAY_EXACTLY.search(_turn_text(turn)):
            return match.group(1).strip()
    return None


def _self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """A certificate for IP 127.0.0.1 and its key, as PEM files in `directory`."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "callwright gemini emulator")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(HOST))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "emulator.pem", directory / "emulator.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@dataclass
class _Session:
    """What a resumption handle restores: the conversation and the audio it has taken."""

    id: str
    turns: Turns = field(default_factory=list)
    audio_s: float = 0.0
    compressed: bool = False
    handles: int = 0
    expired: bool = False


class GeminiLiveEmulator(EmulatorServer):
    """The Live API on `wss://127.0.0.1:PORT/ws/…BidiGenerateContent`; `base_url` is
    `https://127.0.0.1:PORT`, `ca_bundle` the CA file a client must trust.

    `reply` is the model's words, or a function of the session's turns returning words or
    a `FunctionCall`; an instruction to say exact words (the worker's greeting and
    goodbye) is obeyed instead. `user_transcript` is what the user "said": one string, or
    one per turn (the last one repeats). Everything received and sent is recorded for
    tests: `setups`, `client_messages` (audio left out), `tool_responses`,
    `user_transcripts_sent`, `replies_sent`, `go_aways_sent`, `resumed_setups`.
    """

    def __init__(
        self,
        *,
        reply: str | GeminiReplyFn = DEFAULT_REPLY,
        user_transcript: str | Sequence[str] = DEFAULT_USER_TRANSCRIPT,
        require_key: str | None = None,
        silence_rms_threshold: float = 500.0,
        min_speech_ms: int = 200,
        silence_duration_ms: int = 500,
        go_away_after_s: float | None = None,
        go_away_grace_s: float = 1.0,
        session_audio_limit_s: float | None = None,
    ) -> None:
        super().__init__()
        self.reply = reply
        self.user_transcript = user_transcript
        self.require_key = require_key
        self.silence_rms_threshold = silence_rms_threshold
        self.min_speech_ms = min_speech_ms
        self.silence_duration_ms = silence_duration_ms
        self.go_away_after_s = go_away_after_s
        self.go_away_grace_s = go_away_grace_s
        self.session_audio_limit_s = session_audio_limit_s
        directory = Path(tempfile.mkdtemp(prefix="gemini-emulator-"))
        # Quietly, unlike TemporaryDirectory, whose implicit cleanup warns.
        weakref.finalize(self, shutil.rmtree, directory, ignore_errors=True)
        self._cert_path, self._key_path = _self_signed_certificate(directory)
        self.ca_bundle = directory / "ca-bundle.pem"
        self.ca_bundle.write_bytes(
            Path(certifi.where()).read_bytes() + b"\n" + self._cert_path.read_bytes()
        )
        self._sessions: dict[str, _Session] = {}  # by resumption handle
        self.paths: list[str] = []
        self.api_keys: list[str | None] = []
        self.setups: list[dict[str, Any]] = []
        self.resumed_setups = 0
        self.client_messages: list[dict[str, Any]] = []
        self.tool_responses: list[dict[str, Any]] = []
        self.user_transcripts_sent: list[str] = []
        self.replies_sent: list[str] = []
        self.go_aways_sent = 0
        self.audio_seconds_received = 0.0
        self.voiced_seconds_received = 0.0

    @property
    def base_url(self) -> str:
        return f"https://{HOST}:{self.port}"

    @property
    def certificate(self) -> Path:
        return self._cert_path

    def client_ssl_context(self) -> ssl.SSLContext:
        """A client context trusting only this emulator (for in-process clients)."""
        return ssl.create_default_context(cafile=str(self._cert_path))

    def _ssl_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self._cert_path, self._key_path)
        return context

    def _routes(self) -> list[web.RouteDef]:
        # Any API version, and `//ws/…` from a base URL with a trailing slash.
        return [web.get("/{path:.*}", self._live)]

    def _next_user_transcript(self) -> str:
        if isinstance(self.user_transcript, str):
            return self.user_transcript
        index = min(len(self.user_transcripts_sent), len(self.user_transcript) - 1)
        return self.user_transcript[index]

    def _reply_for(self, turns: Turns) -> str | FunctionCall:
        if (words := said_exactly(turns)) is not None:
            return words
        return self.reply(list(turns)) if callable(self.reply) else self.reply

    def _new_handle(self, session: _Session) -> str:
        session.handles += 1
        handle = f"{session.id}-{session.handles}"
        self._sessions[handle] = session
        return handle

    async def _live(self, request: web.Request) -> web.StreamResponse:
        match = SERVICE_PATH.search(request.path)
        if match is None or match.group(1) not in (
            "BidiGenerateContent",
            "BidiGenerateContentConstrained",
        ):
            return web.json_response(
                {"error": {"code": 404, "message": "Not found", "status": "NOT_FOUND"}},
                status=404,
            )
        self.paths.append(request.path)
        key = request.headers.get("x-goog-api-key")
        self.api_keys.append(key)
        ws = web.WebSocketResponse(heartbeat=None, max_msg_size=16 * 2**20)
        await ws.prepare(request)
        with self._tracked(ws):
            await _LiveConnection(self, ws, key_ok=self.require_key in (None, key)).run()
        return ws


class _LiveConnection:
    """One WebSocket: its setup, the session it serves, its VAD and the streaming reply."""

    def __init__(
        self, emulator: GeminiLiveEmulator, ws: web.WebSocketResponse, *, key_ok: bool
    ) -> None:
        self._emu = emulator
        self._ws = ws
        self._key_ok = key_ok
        self._send_lock = asyncio.Lock()
        self._session: _Session | None = None
        self._resumable = False
        self._tasks: set[asyncio.Task[None]] = set()
        self._closer: asyncio.Task[None] | None = None  # left to finish its close
        self._reply_task: asyncio.Task[None] | None = None
        self._idle = asyncio.Event()
        self._idle.set()
        self._pending_call: FunctionCall | None = None
        # voice activity detection over the input stream
        self._turn_audio_s = 0.0
        self._voiced_ms = 0.0
        self._trailing_silence_ms = 0.0
        self._remainder = b""

    async def run(self) -> None:
        try:
            async for msg in self._ws:
                if msg.type not in (WSMsgType.TEXT, WSMsgType.BINARY):
                    continue
                message: dict[str, Any] = json.loads(msg.data)
                if not await self._handle(message):
                    break
        finally:
            for task in [*self._tasks, *([self._reply_task] if self._reply_task else [])]:
                if task is not self._closer:
                    task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    async def _send(self, message: dict[str, Any]) -> None:
        async with self._send_lock:
            if not self._ws.closed:
                await self._ws.send_bytes(json.dumps(message).encode())

    async def _close(self, code: int, reason: str) -> None:
        await self._ws.close(code=code, message=reason.encode())

    def _spawn(self, coro: Any) -> None:
        task: asyncio.Task[None] = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- client messages -----------------------------------------------------------------

    async def _handle(self, message: dict[str, Any]) -> bool:
        """Act on one client message; False once the connection is closed."""
        if "setup" in message:
            return await self._setup(message["setup"])
        if self._session is None:
            await self._close(1007, "the first message must be setup")
            return False
        if (realtime := _get(message, "realtimeInput")) is not None:
            return await self._realtime_input(realtime)
        self._emu.client_messages.append(message)
        if (content := _get(message, "clientContent")) is not None:
            turns = _get(content, "turns") or []
            self._session.turns.extend(turn for turn in turns if isinstance(turn, dict))
            if _get(content, "turnComplete"):
                self._start_reply(heard=None)
        elif (response := _get(message, "toolResponse")) is not None:
            await self._tool_response(response)
        return True

    async def _setup(self, setup: dict[str, Any]) -> bool:
        self._emu.setups.append(setup)
        if not self._key_ok:
            await self._close(1008, "API key not valid. Please pass a valid API key.")
            return False
        if self._session is not None:
            await self._close(1007, "setup must be sent only once")
            return False
        resumption = _get(setup, "sessionResumption")
        self._resumable = isinstance(resumption, dict)
        handle = _get(resumption, "handle") if self._resumable else None
        if handle:
            session = self._emu._sessions.get(handle)
            if session is None or session.expired:
                await self._close(1008, "session resumption handle is invalid or expired")
                return False
            self._emu.resumed_setups += 1
        else:
            session = _Session(id=f"session-{uuid.uuid4().hex[:12]}")
        session.compressed = _get(setup, "contextWindowCompression") is not None
        self._session = session
        await self._send({"setupComplete": {}})
        if self._emu.go_away_after_s is not None:
            self._spawn(self._go_away(self._emu.go_away_after_s))
        return True

    async def _realtime_input(self, realtime: dict[str, Any]) -> bool:
        blobs = [_get(realtime, "audio"), *(_get(realtime, "mediaChunks") or [])]
        for blob in blobs:
            if not isinstance(blob, dict) or not str(_get(blob, "mimeType") or "").startswith(
                "audio/pcm"
            ):
                continue
            rate_match = re.search(r"rate=(\d+)", str(_get(blob, "mimeType")))
            rate = int(rate_match.group(1)) if rate_match else DEFAULT_INPUT_RATE
            # URL-safe base64 (what the SDK sends); urlsafe_b64decode also takes the standard one.
            pcm = base64.urlsafe_b64decode(str(_get(blob, "data") or ""))
            if not await self._hear(pcm, rate):
                return False
        return True

    async def _hear(self, pcm: bytes, rate: int) -> bool:
        assert self._session is not None
        window = rate * 2 * VAD_WINDOW_MS // 1000
        data = self._remainder + pcm
        usable = len(data) - len(data) % window
        self._remainder = data[usable:]
        for start in range(0, usable, window):
            voiced = rms(data[start : start + window]) >= self._emu.silence_rms_threshold
            seconds = VAD_WINDOW_MS / 1000
            self._emu.audio_seconds_received += seconds
            self._session.audio_s += seconds
            self._turn_audio_s += seconds
            if voiced:
                self._emu.voiced_seconds_received += seconds
                self._voiced_ms += VAD_WINDOW_MS
                self._trailing_silence_ms = 0.0
            elif self._voiced_ms:
                self._trailing_silence_ms += VAD_WINDOW_MS
                if self._trailing_silence_ms >= self._emu.silence_duration_ms:
                    heard = self._voiced_ms >= self._emu.min_speech_ms
                    self._voiced_ms = self._trailing_silence_ms = 0.0
                    if heard:  # shorter is a blip, not speech
                        self._start_reply(heard=self._emu._next_user_transcript())
        limit = self._emu.session_audio_limit_s
        if limit is not None and not self._session.compressed and self._session.audio_s > limit:
            self._session.expired = True
            await self._close(1011, "session exceeded its audio duration limit")
            return False
        return True

    async def _tool_response(self, response: dict[str, Any]) -> None:
        assert self._session is not None
        self._emu.tool_responses.append(response)
        for answer in _get(response, "functionResponses") or []:
            self._session.turns.append({"role": "user", "parts": [{"functionResponse": answer}]})
        if self._pending_call is not None:
            self._pending_call = None
            # The server speaks the follow-up by itself: the client sends no turnComplete.
            self._start_reply(heard=None)

    # -- replies -------------------------------------------------------------------------

    def _start_reply(self, *, heard: str | None) -> None:
        previous = self._reply_task
        self._idle.clear()
        self._reply_task = asyncio.create_task(self._reply(heard, after=previous))

    async def _reply(self, heard: str | None, *, after: asyncio.Task[None] | None) -> None:
        if after is not None:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await after
        try:
            await self._stream_reply(heard)
        except Exception:
            logger.exception("gemini emulator failed to stream a reply")
        finally:
            if self._reply_task is asyncio.current_task():
                self._reply_task = None
                self._idle.set()

    async def _stream_reply(self, heard: str | None) -> None:
        assert self._session is not None
        session = self._session
        audio_in_tokens = round(self._turn_audio_s * AUDIO_TOKENS_PER_SECOND)
        self._turn_audio_s = 0.0
        if heard is not None:
            self._emu.user_transcripts_sent.append(heard)
            # First: it opens the server-initiated generation the reply belongs to.
            await self._send({"serverContent": {"inputTranscription": {"text": f" {heard}"}}})
            session.turns.append({"role": "user", "parts": [{"text": heard}]})
        answer = self._emu._reply_for(session.turns)
        context_tokens = sum(approximate_tokens(json.dumps(turn)) for turn in session.turns)
        if isinstance(answer, FunctionCall):
            call_id = f"call-{uuid.uuid4().hex[:8]}"
            self._pending_call = answer
            session.turns.append(
                {
                    "role": "model",
                    "parts": [{"functionCall": {"name": answer.name, "args": answer.args}}],
                }
            )
            await self._send(
                {
                    "toolCall": {
                        "functionCalls": [{"id": call_id, "name": answer.name, "args": answer.args}]
                    }
                }
            )
            return
        pcm = text_to_speech_pcm(answer, sample_rate=OUTPUT_RATE)
        pieces = chunked(pcm, AUDIO_CHUNK_BYTES)
        words = re.findall(r"\s*\S+", answer) or [answer]
        for i, piece in enumerate(pieces):
            audio = {
                "mimeType": f"audio/pcm;rate={OUTPUT_RATE}",
                "data": base64.b64encode(piece).decode(),
            }
            await self._send(
                {
                    "serverContent": {
                        "modelTurn": {"role": "model", "parts": [{"inlineData": audio}]}
                    }
                }
            )
            said = "".join(
                words[i * len(words) // len(pieces) : (i + 1) * len(words) // len(pieces)]
            )
            if said:
                await self._send({"serverContent": {"outputTranscription": {"text": said}}})
            await asyncio.sleep(0)
        session.turns.append({"role": "model", "parts": [{"text": answer}]})
        self._emu.replies_sent.append(answer)
        await self._send({"serverContent": {"generationComplete": True}})
        audio_out_tokens = round(len(pcm) / (OUTPUT_RATE * 2) * AUDIO_TOKENS_PER_SECOND)
        text_out_tokens = approximate_tokens(answer)
        prompt = context_tokens + audio_in_tokens
        output = audio_out_tokens + text_out_tokens
        await self._send(
            {
                "serverContent": {"turnComplete": True},
                "usageMetadata": {
                    "promptTokenCount": prompt,
                    "responseTokenCount": output,
                    "totalTokenCount": prompt + output,
                    "promptTokensDetails": [
                        {"modality": "TEXT", "tokenCount": context_tokens},
                        {"modality": "AUDIO", "tokenCount": audio_in_tokens},
                    ],
                    "responseTokensDetails": [
                        {"modality": "TEXT", "tokenCount": text_out_tokens},
                        {"modality": "AUDIO", "tokenCount": audio_out_tokens},
                    ],
                },
            }
        )
        if self._resumable:
            handle = self._emu._new_handle(session)
            await self._send({"sessionResumptionUpdate": {"newHandle": handle, "resumable": True}})

    # -- provider limits -----------------------------------------------------------------

    async def _go_away(self, after_s: float) -> None:
        await asyncio.sleep(after_s)
        # The emulated server recycles at a quiet moment: no reply streaming, nobody
        # speaking, so a test's turn is never cut in half.
        while True:
            await self._idle.wait()
            if not self._voiced_ms:
                break
            await asyncio.sleep(0.05)
        grace = self._emu.go_away_grace_s
        await self._send({"goAway": {"timeLeft": f"{grace:g}s"}})
        self._emu.go_aways_sent += 1
        await asyncio.sleep(grace)
        self._closer = asyncio.current_task()
        await self._close(1000, "connection lifetime reached")

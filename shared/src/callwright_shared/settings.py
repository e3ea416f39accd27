"""Settings shared by the issuer, the worker and the CLI.

Read from the environment or a `.env` file, with the names .env.example lists. Nothing here is
read at import time: each process builds one `CallwrightSettings()` at start-up and passes
it down (tests pass their own).
"""

from __future__ import annotations

import ipaddress
import math
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import AliasChoices, BeforeValidator, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEV_API_KEY = "devkey"
# `livekit-server --dev` uses the secret "secret"; PyJWT warns about keys shorter than
# 32 bytes, so callwright's own development config (livekit.yaml) uses this longer one.
DEV_API_SECRET = "callwright-dev-secret-0123456789abcdef"
_PLACEHOLDER_SECRETS = {"secret", DEV_API_SECRET, "change-me", ""}


def _env(name: str) -> AliasChoices:
    return AliasChoices(name, name.lower())


def _split_names(value: object) -> object:
    """`a, b,c` in the environment; a list or tuple when given in code."""
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    return value


# A comma-separated list of names (NoDecode: not parsed as JSON by pydantic-settings).
_NameList = Annotated[tuple[str, ...], NoDecode, BeforeValidator(_split_names)]


def _split_seconds(value: object) -> object:
    """`5, 300,1800` in the environment; a list or tuple when given in code."""
    if isinstance(value, str):
        return tuple(float(part) for part in value.split(",") if part.strip())
    return value


# A comma-separated list of positive durations in seconds.
_SecondsList = Annotated[
    tuple[Annotated[float, Field(gt=0, allow_inf_nan=False)], ...],
    NoDecode,
    BeforeValidator(_split_seconds),
]
_TRUE = ("true", "1", "yes", "on")
_FALSE = ("false", "0", "no", "off")


def _allow_private(value: object) -> object:
    """`true`, `false`, or comma-separated CIDRs (`10.8.0.0/16, fd12::/48`) in the
    environment; a bool or a sequence of networks when given in code. An empty list is
    false. A host address with bits past its prefix (`10.0.0.1/8`) is refused."""
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        value = [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list | tuple):
        return tuple(ipaddress.ip_network(n) for n in value) or False
    return value


# The outbound policy's "allow private" (callwright_shared.outbound.AllowPrivate): false
# (none), true (RFC 1918, loopback, unique local) or the operator's own networks.
_AllowPrivate = Annotated[
    bool | tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...],
    NoDecode,
    BeforeValidator(_allow_private),
]
_OPENAI_TTS_VOICES = (
    "alloy", "ash", "ballad", "coral", "echo", "fable", "nova", "onyx", "sage", "shimmer", "verse",
)  # fmt: skip
_OPENAI_REALTIME_VOICES = (
    "alloy", "ash", "ballad", "coral", "echo", "sage", "shimmer", "verse", "marin", "cedar",
)  # fmt: skip


def _env_value(value: object) -> str:
    """A setting's value as the environment spells it (what its validators read back)."""
    if isinstance(value, SecretStr):
        value = value.get_secret_value()
    if value is None:
        return ""  # empty is "not set": env_ignore_empty
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple | list):
        return ",".join(_env_value(item) for item in value)
    return str(value)


class EnvSettings(BaseSettings):
    """Settings that can write their own environment: what a process started with
    `to_env()` reads back as these same settings (the reverse of the field aliases)."""

    def to_env(self, *fields: str) -> dict[str, str]:
        """Each field (all of them unless named) under the first name of its alias."""
        env: dict[str, str] = {}
        for name, info in type(self).model_fields.items():
            if fields and name not in fields:
                continue
            alias = info.validation_alias
            if not isinstance(alias, AliasChoices) or not isinstance(alias.choices[0], str):
                raise TypeError(f"{type(self).__name__}.{name} has no environment name")
            env[alias.choices[0]] = _env_value(getattr(self, name))
        return env


class CallwrightSettings(EnvSettings):
    """Every setting callwright reads. Provider endpoints and keys live only here."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
        # `OPENAI_BASE_URL=` in a .env means "not set", not "the empty URL".
        env_ignore_empty=True,
    )

    environment: Literal["dev", "test", "production"] = Field(
        "dev", validation_alias=_env("CALLWRIGHT_ENV")
    )
    database_url: str = Field(
        "sqlite+aiosqlite:///./callwright.db", validation_alias=_env("DATABASE_URL")
    )

    livekit_url: str = Field("ws://127.0.0.1:7880", validation_alias=_env("LIVEKIT_URL"))
    livekit_public_url: str | None = Field(None, validation_alias=_env("LIVEKIT_PUBLIC_URL"))
    livekit_api_key: str = Field(DEV_API_KEY, validation_alias=_env("LIVEKIT_API_KEY"))
    livekit_api_secret: SecretStr = Field(
        SecretStr(DEV_API_SECRET), validation_alias=_env("LIVEKIT_API_SECRET")
    )
    livekit_agent_name: str = Field(
        "callwright-agent", min_length=1, validation_alias=_env("LIVEKIT_AGENT_NAME")
    )

    openai_api_key: SecretStr | None = Field(None, validation_alias=_env("OPENAI_API_KEY"))
    openai_base_url: str | None = Field(None, validation_alias=_env("OPENAI_BASE_URL"))
    deepgram_api_key: SecretStr | None = Field(None, validation_alias=_env("DEEPGRAM_API_KEY"))
    deepgram_base_url: str | None = Field(None, validation_alias=_env("DEEPGRAM_BASE_URL"))
    google_api_key: SecretStr | None = Field(None, validation_alias=_env("GOOGLE_API_KEY"))
    google_base_url: str | None = Field(None, validation_alias=_env("GOOGLE_BASE_URL"))
    elevenlabs_api_key: SecretStr | None = Field(None, validation_alias=_env("ELEVENLABS_API_KEY"))
    elevenlabs_base_url: str | None = Field(None, validation_alias=_env("ELEVENLABS_BASE_URL"))
    cartesia_api_key: SecretStr | None = Field(None, validation_alias=_env("CARTESIA_API_KEY"))
    cartesia_base_url: str | None = Field(None, validation_alias=_env("CARTESIA_BASE_URL"))
    # The operator's model providers (callwright_shared.agents.registry); without it,
    # the built-ins above with the CALLWRIGHT_ALLOWED_* lists.
    providers_file: str | None = Field(None, validation_alias=_env("CALLWRIGHT_PROVIDERS_FILE"))

    token_ttl_seconds: int = Field(
        3600, gt=0, le=24 * 3600, validation_alias=_env("CALLWRIGHT_TOKEN_TTL_SECONDS")
    )
    join_window_seconds: float = Field(
        120.0, gt=0, validation_alias=_env("CALLWRIGHT_JOIN_WINDOW_SECONDS")
    )
    # LiveKit closes a room this long after it empties / after the last participant left.
    room_empty_timeout_seconds: int = Field(
        150, gt=0, validation_alias=_env("CALLWRIGHT_ROOM_EMPTY_TIMEOUT_SECONDS")
    )
    room_departure_timeout_seconds: int = Field(
        10, gt=0, validation_alias=_env("CALLWRIGHT_ROOM_DEPARTURE_TIMEOUT_SECONDS")
    )
    livekit_timeout_seconds: float = Field(
        5.0, gt=0, validation_alias=_env("CALLWRIGHT_LIVEKIT_TIMEOUT_SECONDS")
    )

    # The issuer's reconciler (callwright_issuer.loops.reconciler): how often it runs (0 turns it
    # off), and how long a worker may go without a heartbeat before its session is closed.
    reconcile_interval_seconds: float = Field(
        15.0, ge=0, validation_alias=_env("CALLWRIGHT_RECONCILE_INTERVAL_SECONDS")
    )
    worker_heartbeat_grace_seconds: float = Field(
        30.0, gt=0, validation_alias=_env("CALLWRIGHT_WORKER_HEARTBEAT_GRACE_SECONDS")
    )
    # The issuer's re-dispatcher (callwright_issuer.loops.redispatcher): how often it looks for
    # voice sessions no worker took (0 turns it off), and how long after a dispatch it
    # dispatches again. Self-hosted LiveKit drops a job when no worker is available.
    redispatch_interval_seconds: float = Field(
        2.0, ge=0, validation_alias=_env("CALLWRIGHT_REDISPATCH_INTERVAL_SECONDS")
    )
    redispatch_after_seconds: float = Field(
        4.0, gt=0, validation_alias=_env("CALLWRIGHT_REDISPATCH_AFTER_SECONDS")
    )
    # Chat sessions: how long one stays open (its `expires_at`), and the LLM call's timeout.
    chat_session_ttl_seconds: int = Field(
        3600, gt=0, le=7 * 24 * 3600, validation_alias=_env("CALLWRIGHT_CHAT_SESSION_TTL_SECONDS")
    )
    llm_timeout_seconds: float = Field(
        60.0, gt=0, validation_alias=_env("CALLWRIGHT_LLM_TIMEOUT_SECONDS")
    )

    issuer_host: str = Field("127.0.0.1", validation_alias=_env("CALLWRIGHT_ISSUER_HOST"))
    issuer_port: int = Field(8000, validation_alias=_env("CALLWRIGHT_ISSUER_PORT"))
    worker_port: int = Field(8081, validation_alias=_env("CALLWRIGHT_WORKER_PORT"))
    worker_drain_timeout_seconds: int = Field(
        1800, gt=0, validation_alias=_env("CALLWRIGHT_WORKER_DRAIN_TIMEOUT_SECONDS")
    )
    # Jobs one worker process accepts before it reports itself full. Capacity is explicit
    # rather than livekit-agents' CPU-load default, which misfires on shared hosts.
    worker_max_jobs: int = Field(16, gt=0, validation_alias=_env("CALLWRIGHT_WORKER_MAX_JOBS"))
    # Job processes kept started and warm (Silero loaded) in `dev` and `start` alike, so
    # a call does not wait for a process start; more start on demand up to max jobs.
    worker_idle_processes: int = Field(
        2, ge=0, validation_alias=_env("CALLWRIGHT_WORKER_IDLE_PROCESSES")
    )
    # A burst of calls starts several job processes at once on few cores.
    worker_process_start_timeout_seconds: float = Field(
        60.0, gt=0, validation_alias=_env("CALLWRIGHT_WORKER_PROCESS_START_TIMEOUT_SECONDS")
    )
    # A user who leaves mid-call (a reload, a network switch, a second tab, a closed tab)
    # may come back this long with a fresh token; time away is not charged. 20 s covers a
    # reload and livekit-client's own reconnect attempts; each second away holds a slot.
    rejoin_grace_seconds: float = Field(
        20.0, ge=0, validation_alias=_env("CALLWRIGHT_REJOIN_GRACE_SECONDS")
    )
    # A job accepted while its worker is half full or more waits this long for the user
    # (not the whole join window): unjoined sessions cannot pin a busy worker's slots.
    worker_busy_join_window_seconds: float = Field(
        30.0, gt=0, validation_alias=_env("CALLWRIGHT_WORKER_BUSY_JOIN_WINDOW_SECONDS")
    )
    # When set, the worker writes this file once it has registered with LiveKit (the dev
    # runner waits for it before it says it is ready).
    worker_ready_file: str | None = Field(
        None, validation_alias=_env("CALLWRIGHT_WORKER_READY_FILE")
    )
    # --- operational endpoints ---
    # /metrics answers only `Authorization: Bearer <token>` when a token is set; with none,
    # it is served outside production only. /docs, /redoc and /openapi.json are served
    # when CALLWRIGHT_API_DOCS says so, by default outside production only.
    metrics_token: SecretStr | None = Field(None, validation_alias=_env("CALLWRIGHT_METRICS_TOKEN"))
    api_docs: bool | None = Field(None, validation_alias=_env("CALLWRIGHT_API_DOCS"))
    # --- end operational endpoints ---
    # The operator API (/v1/admin/…) answers `Authorization: Bearer <this>`; unset, it
    # answers 404 everywhere (docs/decisions.md#operator-api).
    operator_token: SecretStr | None = Field(
        None, validation_alias=_env("CALLWRIGHT_OPERATOR_TOKEN")
    )
    # --- chat and tenant limits ---
    # What the LLM sees of a chat's history: its newest turns within both bounds (older
    # turns stay in the transcript); and how many messages one chat session takes.
    chat_history_max_turns: int = Field(
        40, gt=0, validation_alias=_env("CALLWRIGHT_CHAT_HISTORY_MAX_TURNS")
    )
    chat_history_max_chars: int = Field(
        60_000, gt=0, validation_alias=_env("CALLWRIGHT_CHAT_HISTORY_MAX_CHARS")
    )
    chat_max_messages_per_session: int = Field(
        200, gt=0, validation_alias=_env("CALLWRIGHT_CHAT_MAX_MESSAGES_PER_SESSION")
    )
    # A reply being written re-reads its session's state at most this often, so it stops
    # within about this long after End Session (on any issuer).
    chat_stream_check_seconds: float = Field(
        0.25, gt=0, validation_alias=_env("CALLWRIGHT_CHAT_STREAM_CHECK_SECONDS")
    )
    # Open sessions of an organization the operator gave no limit (`admin set-concurrency`);
    # 0: no limit. About half of one worker's CALLWRIGHT_WORKER_MAX_JOBS (16), so one
    # organization cannot fill the default single-worker stack on its own
    # (docs/security.md#default-concurrency-half-a-worker).
    default_max_concurrent_sessions: int = Field(
        8, ge=0, validation_alias=_env("CALLWRIGHT_DEFAULT_MAX_CONCURRENT_SESSIONS")
    )
    # Session creations per API key, counted in the database (across every issuer): a
    # burst, refilled at a steady rate. A burst of 0 turns the limit off. Rejoin tokens
    # (`POST /v1/sessions/{id}/token`) have a bucket of their own at the same rate.
    session_create_burst: int = Field(
        20, ge=0, validation_alias=_env("CALLWRIGHT_SESSION_CREATE_BURST")
    )
    session_create_per_second: float = Field(
        5.0, gt=0, validation_alias=_env("CALLWRIGHT_SESSION_CREATE_PER_SECOND")
    )
    # Reads of lists and stats per API key (GET /v1/sessions, /v1/agents,
    # /v1/agents/{id}/stats), counted in the database: a burst, then a steady rate; 0 off.
    read_burst: int = Field(60, ge=0, validation_alias=_env("CALLWRIGHT_READ_BURST"))
    read_per_second: float = Field(10.0, gt=0, validation_alias=_env("CALLWRIGHT_READ_PER_SECOND"))
    # The reconciler ends a voice call this long past its time limit (the worker enforces
    # the limit itself; this is the backstop when it did not).
    voice_overrun_margin_seconds: float = Field(
        60.0, gt=0, validation_alias=_env("CALLWRIGHT_VOICE_OVERRUN_MARGIN_SECONDS")
    )
    # --- end chat and tenant limits ---
    # --- operator pricing ---
    # Prices are the operator's: these defaults apply to every agent that has no
    # per-organization or per-agent price set with `callwright admin set-price`
    # (callwright_shared.billing.pricing). Nonzero so that no call is free by accident. A pipeline
    # minute keeps the built-in price agents had before prices became the operator's; a
    # realtime minute costs four times that, as speech-to-speech audio tokens cost several
    # times a Deepgram + gpt-4o-mini + gpt-4o-mini-tts minute.
    price_pipeline_credits_per_minute: int = Field(
        10,
        ge=0,
        le=1_000_000,
        validation_alias=_env("CALLWRIGHT_PRICE_PIPELINE_CREDITS_PER_MINUTE"),
    )
    price_realtime_credits_per_minute: int = Field(
        40,
        ge=0,
        le=1_000_000,
        validation_alias=_env("CALLWRIGHT_PRICE_REALTIME_CREDITS_PER_MINUTE"),
    )
    price_chat_credits_per_message: int = Field(
        1, ge=0, le=1_000_000, validation_alias=_env("CALLWRIGHT_PRICE_CHAT_CREDITS_PER_MESSAGE")
    )
    # What a tenant's agent may choose, comma-separated in the environment. The
    # built-in defaults of callwright_shared.agents.definitions are in each list.
    allowed_stt_models: _NameList = Field(
        ("nova-3", "nova-2"), validation_alias=_env("CALLWRIGHT_ALLOWED_STT_MODELS")
    )
    allowed_llm_models: _NameList = Field(
        ("gpt-4o-mini", "gpt-4.1-mini", "gpt-4.1-nano"),
        validation_alias=_env("CALLWRIGHT_ALLOWED_LLM_MODELS"),
    )
    allowed_tts_models: _NameList = Field(
        ("gpt-4o-mini-tts", "tts-1"), validation_alias=_env("CALLWRIGHT_ALLOWED_TTS_MODELS")
    )
    allowed_tts_voices: _NameList = Field(
        _OPENAI_TTS_VOICES, validation_alias=_env("CALLWRIGHT_ALLOWED_TTS_VOICES")
    )
    allowed_realtime_providers: _NameList = Field(
        ("openai", "gemini"), validation_alias=_env("CALLWRIGHT_ALLOWED_REALTIME_PROVIDERS")
    )
    allowed_openai_realtime_models: _NameList = Field(
        ("gpt-realtime", "gpt-realtime-mini"),
        validation_alias=_env("CALLWRIGHT_ALLOWED_OPENAI_REALTIME_MODELS"),
    )
    allowed_openai_realtime_voices: _NameList = Field(
        _OPENAI_REALTIME_VOICES, validation_alias=_env("CALLWRIGHT_ALLOWED_OPENAI_REALTIME_VOICES")
    )
    allowed_gemini_live_models: _NameList = Field(
        ("gemini-2.5-flash-native-audio-preview-12-2025", "gemini-3.1-flash-live-preview"),
        validation_alias=_env("CALLWRIGHT_ALLOWED_GEMINI_LIVE_MODELS"),
    )
    allowed_gemini_live_voices: _NameList = Field(
        ("Puck", "Charon", "Kore", "Fenrir", "Aoede", "Leda", "Orus", "Zephyr"),
        validation_alias=_env("CALLWRIGHT_ALLOWED_GEMINI_LIVE_VOICES"),
    )
    # --- end operator pricing ---
    # --- outbound webhooks ---
    # Outbound webhooks refuse private, loopback and link-local
    # addresses unless this is true, or a list of the networks allowed
    # (callwright_shared.outbound, docs/security.md#outbound-address-policy).
    outbound_allow_private: _AllowPrivate = Field(
        False, validation_alias=_env("CALLWRIGHT_OUTBOUND_ALLOW_PRIVATE")
    )
    # The issuer's webhook dispatcher (callwright_issuer.outbound_webhooks.dispatcher): how often it
    # looks for due deliveries (0 turns it off), one request's time limit, and how long a
    # claimed delivery stays claimed (longer than the timeout: an issuer that died while
    # sending loses its claim after this and another one sends again).
    webhook_dispatch_interval_seconds: float = Field(
        1.0, ge=0, validation_alias=_env("CALLWRIGHT_WEBHOOK_DISPATCH_INTERVAL_SECONDS")
    )
    webhook_timeout_seconds: float = Field(
        10.0, gt=0, le=60, validation_alias=_env("CALLWRIGHT_WEBHOOK_TIMEOUT_SECONDS")
    )
    webhook_lease_seconds: float = Field(
        60.0, gt=0, validation_alias=_env("CALLWRIGHT_WEBHOOK_LEASE_SECONDS")
    )
    # Seconds between a failed attempt and the next one (each ±10 % jitter), comma-separated;
    # after the last one the delivery is `failed`. The default spans about 23.6 hours.
    webhook_retry_schedule_seconds: _SecondsList = Field(
        (5.0, 300.0, 1800.0, 7200.0, 18000.0, 28800.0, 28800.0),
        validation_alias=_env("CALLWRIGHT_WEBHOOK_RETRY_SCHEDULE_SECONDS"),
    )
    # An endpoint is disabled after this many deliveries in a row ended `failed`.
    webhook_disable_after_failures: int = Field(
        5, gt=0, validation_alias=_env("CALLWRIGHT_WEBHOOK_DISABLE_AFTER_FAILURES")
    )
    # After a secret rotation, the previous secret also signs for this long.
    webhook_secret_overlap_seconds: int = Field(
        86400, ge=0, validation_alias=_env("CALLWRIGHT_WEBHOOK_SECRET_OVERLAP_SECONDS")
    )

    # Limits one organization cannot pass (docs/security.md#fair-webhook-dispatch):
    # its endpoints, its test events a minute, and the endpoints one issuer sends to at once.
    webhook_endpoints_per_org: int = Field(
        16, gt=0, validation_alias=_env("CALLWRIGHT_WEBHOOK_ENDPOINTS_PER_ORG")
    )
    webhook_test_events_per_minute: int = Field(
        10, gt=0, validation_alias=_env("CALLWRIGHT_WEBHOOK_TEST_EVENTS_PER_MINUTE")
    )
    webhook_concurrency: int = Field(
        64, gt=0, validation_alias=_env("CALLWRIGHT_WEBHOOK_CONCURRENCY")
    )
    # Webhook messages, their deliveries and attempts are deleted this many days after the
    # delivery ended (0 keeps them for ever): a message holds the whole session's answer.
    webhook_retention_days: float = Field(
        30.0, ge=0, validation_alias=_env("CALLWRIGHT_WEBHOOK_RETENTION_DAYS")
    )

    @model_validator(mode="after")
    def _lease_outlasts_a_request(self) -> CallwrightSettings:
        # A lease shorter than a request would let a second issuer send it meanwhile.
        if self.webhook_lease_seconds <= self.webhook_timeout_seconds:
            raise ValueError(
                "CALLWRIGHT_WEBHOOK_LEASE_SECONDS must be longer than "
                "CALLWRIGHT_WEBHOOK_TIMEOUT_SECONDS"
            )
        return self

    # --- end outbound webhooks ---
    # --- call records ---
    # How often the issuer observes the calls settled since its last look in its
    # Prometheus turn-latency histograms and end-reason counters
    # (callwright_issuer.loops.call_metrics; 0 turns it off).
    call_metrics_interval_seconds: float = Field(
        15.0, ge=0, validation_alias=_env("CALLWRIGHT_CALL_METRICS_INTERVAL_SECONDS")
    )
    # --- end call records ---
    # --- tools ---
    # Agent tools may call private and loopback addresses (and plain http) only when
    # this is true, or on the networks it lists: separate from
    # CALLWRIGHT_OUTBOUND_ALLOW_PRIVATE, so an operator can allow a webhook receiver on the
    # internal network without letting any tenant's agent reach it (callwright_shared.tools).
    tools_allow_private_networks: _AllowPrivate = Field(
        False, validation_alias=_env("CALLWRIGHT_TOOLS_ALLOW_PRIVATE_NETWORKS")
    )
    # Tool rounds one chat message may run before the model must answer in words.
    chat_max_tool_rounds: int = Field(
        3, ge=1, le=10, validation_alias=_env("CALLWRIGHT_CHAT_MAX_TOOL_ROUNDS")
    )
    # --- end tools ---
    # --- density ---
    # The cost of each call in the worker (docs/benchmarks.md); none of these changes what
    # a caller hears or sees. The rate the worker decodes the caller's audio at (pipeline
    # calls; Deepgram is sent 16 kHz, so 16000 spares two resamplers), and the caller's
    # audio frame size.
    worker_input_sample_rate: int = Field(
        16000, validation_alias=_env("CALLWRIGHT_WORKER_INPUT_SAMPLE_RATE")
    )
    worker_input_frame_ms: int = Field(
        50, ge=10, le=100, validation_alias=_env("CALLWRIGHT_WORKER_INPUT_FRAME_MS")
    )
    # The worker's own automatic gain control on the caller's audio (browsers and phones
    # already apply theirs before sending).
    worker_input_auto_gain_control: bool = Field(
        False, validation_alias=_env("CALLWRIGHT_WORKER_INPUT_AUTO_GAIN_CONTROL")
    )
    # Silero VAD's inference rate: 8000 halves its input, at the same 32 ms cadence.
    worker_vad_sample_rate: int = Field(
        16000, validation_alias=_env("CALLWRIGHT_WORKER_VAD_SAMPLE_RATE")
    )
    # The agent's transcript shown word by word in step with its voice (True) or each
    # sentence at once as the model writes it (False: visible to the caller).
    worker_sync_transcription: bool = Field(
        True, validation_alias=_env("CALLWRIGHT_WORKER_SYNC_TRANSCRIPTION")
    )
    # The job processes' event loop: every audio frame of a call passes through it.
    worker_event_loop: Literal["asyncio", "uvloop"] = Field(
        "asyncio", validation_alias=_env("CALLWRIGHT_WORKER_EVENT_LOOP")
    )

    @model_validator(mode="after")
    def _supported_sample_rates(self) -> CallwrightSettings:
        # Checked here, not when a job process loads the VAD (it would fail every call).
        # Below 16 kHz the STT would hear less than it is sent today.
        if self.worker_input_sample_rate not in (16000, 24000, 48000):
            raise ValueError("CALLWRIGHT_WORKER_INPUT_SAMPLE_RATE must be 16000, 24000 or 48000")
        if self.worker_vad_sample_rate not in (8000, 16000):
            raise ValueError("CALLWRIGHT_WORKER_VAD_SAMPLE_RATE must be 8000 or 16000")
        return self

    # --- end density ---
    # --- turn taking ---
    # The longest endpointing wait an agent may ask for (turn_taking.max_delay), seconds.
    turn_max_delay_limit_s: float = Field(
        3.0, gt=0, le=30, validation_alias=_env("CALLWRIGHT_TURN_MAX_DELAY_LIMIT_S")
    )
    # The silence after which Silero VAD reports the end of speech, for every call of a
    # worker. It is a floor under every agent's endpointing wait, so it stays below the
    # shortest one (docs/decisions.md#turn-taking-defaults).
    worker_vad_min_silence_s: float = Field(
        0.3, ge=0.05, le=2.0, validation_alias=_env("CALLWRIGHT_WORKER_VAD_MIN_SILENCE_S")
    )
    # --- end turn taking ---
    log_level: str = Field("INFO", validation_alias=_env("CALLWRIGHT_LOG_LEVEL"))

    @property
    def room_departure_timeout(self) -> int:
        """What the issuer asks LiveKit for: a room left with only its agent in it stays
        open through a user's absence (the rejoin grace) plus a margin, or LiveKit would
        close it under the waiting agent."""
        return max(self.room_departure_timeout_seconds, math.ceil(self.rejoin_grace_seconds) + 10)

    @property
    def client_livekit_url(self) -> str:
        """The URL handed to browsers: the public one when set."""
        return self.livekit_public_url or self.livekit_url

    @property
    def livekit_http_url(self) -> str:
        """LiveKit's Twirp API lives on the same port as the WebSocket, over HTTP."""
        url = self.livekit_url
        if url.startswith("ws://"):
            return "http://" + url.removeprefix("ws://")
        if url.startswith("wss://"):
            return "https://" + url.removeprefix("wss://")
        return url

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> CallwrightSettings:
        if (
            self.environment == "production"
            and self.livekit_api_secret.get_secret_value() in _PLACEHOLDER_SECRETS
        ):
            raise ValueError("LIVEKIT_API_SECRET is a development placeholder; set a real one")
        if len(self.livekit_api_secret.get_secret_value()) < 32 and self.environment != "dev":
            raise ValueError("LIVEKIT_API_SECRET must be at least 32 characters")
        # A deployment that forgot CALLWRIGHT_ENV=production must not sign tokens and accept
        # webhooks with a secret published in this repository: outside tests, a placeholder
        # secret is only for a LiveKit on this machine (`make run`).
        if (
            self.environment == "dev"
            and self.livekit_api_secret.get_secret_value() in _PLACEHOLDER_SECRETS
            and not _is_loopback_url(self.livekit_url)
        ):
            raise ValueError(
                "LIVEKIT_API_SECRET is the published development secret but LIVEKIT_URL is "
                "not on this machine; set a real secret (and CALLWRIGHT_ENV=production)"
            )
        return self

    @model_validator(mode="after")
    def _refuse_placeholder_operator_token(self) -> CallwrightSettings:
        token = self.operator_token.get_secret_value() if self.operator_token else None
        weak = token is not None and (token in _PLACEHOLDER_SECRETS or len(token) < 32)
        if weak and self.environment == "production":
            raise ValueError(
                "CALLWRIGHT_OPERATOR_TOKEN is a placeholder or shorter than 32 "
                "characters; set a random one (e.g. `openssl rand -hex 32`)"
            )
        return self


def _is_loopback_url(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False

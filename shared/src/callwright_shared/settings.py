"""The settings of the issuer and the worker, in typed sections.

Each section is one concern (LiveKit, providers, the issuer's loops, the worker's capacity,
...); each service's class is the sections it reads (`IssuerSettings`, `WorkerSettings`),
and `CallwrightSettings` is both, for the CLI and the dev stack
(docs/decisions.md#settings-sections). Read from the environment or a `.env` file, with the
names .env.example lists (generated from these classes by `make env-example`). Nothing here
is read at import time: each process builds its settings once at start-up and passes them
down (tests pass their own).
"""

from __future__ import annotations

import ipaddress
import math
from typing import Annotated, Literal, Self
from urllib.parse import urlsplit

from pydantic import AliasChoices, BeforeValidator, Field, JsonValue, SecretStr, model_validator
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
    `to_env()` reads back as these same settings (the reverse of the field aliases).
    Every class of settings reads the environment and `.env` the same way."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
        # `OPENAI_BASE_URL=` in a .env means "not set", not "the empty URL".
        env_ignore_empty=True,
    )

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


# What the generated .env.example shows as a live, empty line for the operator to fill in
# (the rest are commented defaults): a field's `json_schema_extra`.
FILL_IN: dict[str, JsonValue] = {"env_example": "fill_in"}


def only_read_by(*services: str) -> dict[str, JsonValue]:
    """A field of a section that only some of the services taking the section read (the
    generated .env.example says so; docker-compose.yml passes it to those alone)."""
    return {"readers": list(services)}


# A section is one concern's settings; sections are composed by inheritance into one class
# per service (docs/decisions.md#settings-sections), each reading the same environment. The
# deployment's kind is on the root, as every service checks its secrets against it (and a
# base shared by some sections only would leave the union without one method order).
class Section(EnvSettings):
    """Which kind of deployment this is."""

    environment: Literal["dev", "test", "production"] = Field(
        "dev",
        validation_alias=_env("CALLWRIGHT_ENV"),
        description="dev, test or production: production refuses development secrets; dev "
        "accepts them only with a LiveKit on this machine (LIVEKIT_URL on 127.0.0.1 or "
        "localhost). docker compose sets production.",
    )


class DatabaseSettings(Section):
    """The database (docker compose sets its own Postgres)."""

    database_url: str = Field(
        "sqlite+aiosqlite:///./callwright.db",
        validation_alias=_env("DATABASE_URL"),
        description="A SQLite file, or Postgres: "
        "postgresql+asyncpg://user:password@host:5432/callwright.",
    )


class LiveKitSettings(Section):
    """LiveKit: where it is, the key pair, and the agent's name."""

    livekit_url: str = Field(
        "ws://127.0.0.1:7880",
        validation_alias=_env("LIVEKIT_URL"),
        description="LiveKit for the issuer and the worker (WebSocket; its API is the same "
        "host over HTTP).",
    )
    livekit_public_url: str | None = Field(
        None,
        validation_alias=_env("LIVEKIT_PUBLIC_URL"),
        description="The LiveKit URL browsers connect to (returned as `livekit_url`); unset, "
        "LIVEKIT_URL. Compose defaults it to ws://localhost:7880; for other machines "
        "wss://<LIVEKIT_DOMAIN> behind the `tls` profile.",
        examples=["wss://livekit.example.com"],
    )
    livekit_api_key: str = Field(
        DEV_API_KEY,
        validation_alias=_env("LIVEKIT_API_KEY"),
        description="The API key name (compose default: callwright, as in livekit.yaml; "
        "`make run`: devkey).",
    )
    livekit_api_secret: SecretStr = Field(
        SecretStr(DEV_API_SECRET),
        validation_alias=_env("LIVEKIT_API_SECRET"),
        description="The API secret, 32+ characters (openssl rand -hex 32); required by docker "
        "compose, which gives the same pair to LiveKit, the issuer and the worker. Unset, "
        "the development secret (only for a LiveKit on this machine).",
    )
    livekit_agent_name: str = Field(
        "callwright-agent",
        min_length=1,
        validation_alias=_env("LIVEKIT_AGENT_NAME"),
        description="The name the worker registers under and the issuer dispatches to.",
    )

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
    def _refuse_placeholder_secrets(self) -> Self:
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


class ProviderSettings(Section):
    """Speech and language providers, and what a tenant's agent may choose. Provider
    endpoints and keys live only here. An empty key = not configured: agents that need the
    provider end their calls with `provider_error` and tell the user so."""

    openai_api_key: SecretStr | None = Field(
        None,
        validation_alias=_env("OPENAI_API_KEY"),
        description="OpenAI's key (LLM, voices, realtime).",
        json_schema_extra=FILL_IN,
    )
    openai_base_url: str | None = Field(
        None,
        validation_alias=_env("OPENAI_BASE_URL"),
        description="Another endpoint speaking OpenAI's protocol (an operator setting only: "
        "an agent cannot choose its endpoint).",
        examples=["https://api.openai.com/v1"],
    )
    deepgram_api_key: SecretStr | None = Field(
        None,
        validation_alias=_env("DEEPGRAM_API_KEY"),
        description="Deepgram's key (speech to text).",
        json_schema_extra=FILL_IN,
    )
    deepgram_base_url: str | None = Field(
        None,
        validation_alias=_env("DEEPGRAM_BASE_URL"),
        description="Another endpoint speaking Deepgram's protocol (a proxy).",
        examples=["https://api.deepgram.com/v1/listen"],
    )
    google_api_key: SecretStr | None = Field(
        None,
        validation_alias=_env("GOOGLE_API_KEY"),
        description="Google's key (Gemini Live).",
        json_schema_extra=FILL_IN,
    )
    google_base_url: str | None = Field(
        None,
        validation_alias=_env("GOOGLE_BASE_URL"),
        description="Another endpoint speaking Gemini's protocol (a gateway).",
    )
    elevenlabs_api_key: SecretStr | None = Field(
        None,
        validation_alias=_env("ELEVENLABS_API_KEY"),
        description="ElevenLabs' key: its voices exist once it is set.",
    )
    elevenlabs_base_url: str | None = Field(
        None, validation_alias=_env("ELEVENLABS_BASE_URL"), description="ElevenLabs' endpoint."
    )
    cartesia_api_key: SecretStr | None = Field(
        None,
        validation_alias=_env("CARTESIA_API_KEY"),
        description="Cartesia's key: its voices exist once it is set.",
    )
    cartesia_base_url: str | None = Field(
        None, validation_alias=_env("CARTESIA_BASE_URL"), description="Cartesia's endpoint."
    )
    # The operator's model providers (callwright_shared.agents.registry); without it,
    # the built-ins above with the CALLWRIGHT_ALLOWED_* lists.
    providers_file: str | None = Field(
        None,
        validation_alias=_env("CALLWRIGHT_PROVIDERS_FILE"),
        description="The operator's model providers, YAML or JSON (docs/providers.md): when "
        "set, its providers are the only ones; without it, the built-ins above with the "
        "CALLWRIGHT_ALLOWED_* lists. Mount it into the issuer and the worker.",
        examples=["/etc/callwright/providers.yaml"],
    )
    # What a tenant's agent may choose, comma-separated in the environment. The
    # built-in defaults of callwright_shared.agents.definitions are in each list.
    allowed_stt_models: _NameList = Field(
        ("nova-3", "nova-2"),
        validation_alias=_env("CALLWRIGHT_ALLOWED_STT_MODELS"),
        description="Speech-to-text models an agent may choose (comma-separated).",
    )
    allowed_llm_models: _NameList = Field(
        ("gpt-4o-mini", "gpt-4.1-mini", "gpt-4.1-nano"),
        validation_alias=_env("CALLWRIGHT_ALLOWED_LLM_MODELS"),
        description="LLMs an agent may choose.",
    )
    allowed_tts_models: _NameList = Field(
        ("gpt-4o-mini-tts", "tts-1"),
        validation_alias=_env("CALLWRIGHT_ALLOWED_TTS_MODELS"),
        description="Text-to-speech models an agent may choose.",
    )
    allowed_tts_voices: _NameList = Field(
        _OPENAI_TTS_VOICES,
        validation_alias=_env("CALLWRIGHT_ALLOWED_TTS_VOICES"),
        description="Text-to-speech voices an agent may choose.",
    )
    allowed_realtime_providers: _NameList = Field(
        ("openai", "gemini"),
        validation_alias=_env("CALLWRIGHT_ALLOWED_REALTIME_PROVIDERS"),
        description="Realtime (speech-to-speech) providers an agent may choose.",
    )
    allowed_openai_realtime_models: _NameList = Field(
        ("gpt-realtime", "gpt-realtime-mini"),
        validation_alias=_env("CALLWRIGHT_ALLOWED_OPENAI_REALTIME_MODELS"),
        description="OpenAI realtime models an agent may choose.",
    )
    allowed_openai_realtime_voices: _NameList = Field(
        _OPENAI_REALTIME_VOICES,
        validation_alias=_env("CALLWRIGHT_ALLOWED_OPENAI_REALTIME_VOICES"),
        description="OpenAI realtime voices an agent may choose.",
    )
    allowed_gemini_live_models: _NameList = Field(
        ("gemini-2.5-flash-native-audio-preview-12-2025", "gemini-3.1-flash-live-preview"),
        validation_alias=_env("CALLWRIGHT_ALLOWED_GEMINI_LIVE_MODELS"),
        description="Gemini Live models an agent may choose.",
    )
    allowed_gemini_live_voices: _NameList = Field(
        ("Puck", "Charon", "Kore", "Fenrir", "Aoede", "Leda", "Orus", "Zephyr"),
        validation_alias=_env("CALLWRIGHT_ALLOWED_GEMINI_LIVE_VOICES"),
        description="Gemini Live voices an agent may choose.",
    )


class TurnTakingSettings(Section):
    """The operator's bound on agents' turn taking."""

    turn_max_delay_limit_s: float = Field(
        3.0,
        gt=0,
        le=30,
        validation_alias=_env("CALLWRIGHT_TURN_MAX_DELAY_LIMIT_S"),
        description="The longest endpointing wait (s) an agent's turn_taking.max_delay may "
        "ask for; the worker keeps saved agents within it.",
    )


class ToolSettings(Section):
    """Agent tools."""

    # Separate from CALLWRIGHT_OUTBOUND_ALLOW_PRIVATE, so an operator can allow a webhook
    # receiver on the internal network without letting any tenant's agent reach it
    # (callwright_shared.tools).
    tools_allow_private_networks: _AllowPrivate = Field(
        False,
        validation_alias=_env("CALLWRIGHT_TOOLS_ALLOW_PRIVATE_NETWORKS"),
        description="Agent tools may call private and loopback addresses, and plain http "
        "URLs, only when this is true, or on the comma-separated networks listed "
        "(10.8.0.0/16,fd12::/48). Separate from CALLWRIGHT_OUTBOUND_ALLOW_PRIVATE: every "
        "tenant's agents could use it.",
    )


class AgentSettings(ProviderSettings, TurnTakingSettings, ToolSettings):
    """What agents may use: checked by the issuer when an agent is saved, built by the
    worker when it runs."""


class PricingSettings(Section):
    """Default prices, the operator's. They apply to every agent without a
    per-organization or per-agent price (`callwright admin set-price`; docs/deploy.md,
    "Prices and models"); a tenant's API key can neither set nor lower a price."""

    # Nonzero so that no call is free by accident. A pipeline minute keeps the built-in
    # price agents had before prices became the operator's; a realtime minute costs four
    # times that, as speech-to-speech audio tokens cost several times a Deepgram +
    # gpt-4o-mini + gpt-4o-mini-tts minute.
    price_pipeline_credits_per_minute: int = Field(
        10,
        ge=0,
        le=1_000_000,
        validation_alias=_env("CALLWRIGHT_PRICE_PIPELINE_CREDITS_PER_MINUTE"),
        description="Credits a minute of a pipeline (STT, LLM, TTS) call.",
    )
    price_realtime_credits_per_minute: int = Field(
        40,
        ge=0,
        le=1_000_000,
        validation_alias=_env("CALLWRIGHT_PRICE_REALTIME_CREDITS_PER_MINUTE"),
        description="Credits a minute of a realtime (speech-to-speech) call.",
    )
    price_chat_credits_per_message: int = Field(
        1,
        ge=0,
        le=1_000_000,
        validation_alias=_env("CALLWRIGHT_PRICE_CHAT_CREDITS_PER_MESSAGE"),
        description="Credits a chat message.",
        json_schema_extra=only_read_by("issuer"),
    )


class CallTimingSettings(Section):
    """A voice call's waits, which the issuer and the worker both keep."""

    join_window_seconds: float = Field(
        120.0,
        gt=0,
        validation_alias=_env("CALLWRIGHT_JOIN_WINDOW_SECONDS"),
        description="How long the worker waits for the user to join before ending with "
        "`user_not_joined`.",
    )
    # 20 s covers a reload and livekit-client's own reconnect attempts; each second away
    # holds a slot.
    rejoin_grace_seconds: float = Field(
        20.0,
        ge=0,
        validation_alias=_env("CALLWRIGHT_REJOIN_GRACE_SECONDS"),
        description="A user who leaves mid-call (a reload, a network switch, a closed tab) "
        "may rejoin within this many seconds with a fresh token; time away is free.",
    )
    worker_heartbeat_grace_seconds: float = Field(
        30.0,
        gt=0,
        validation_alias=_env("CALLWRIGHT_WORKER_HEARTBEAT_GRACE_SECONDS"),
        description="How long a worker may go without a heartbeat before the reconciler "
        "closes its session.",
    )


class RoomSettings(CallTimingSettings):
    """The rooms and tokens the issuer asks LiveKit for."""

    token_ttl_seconds: int = Field(
        3600,
        gt=0,
        le=24 * 3600,
        validation_alias=_env("CALLWRIGHT_TOKEN_TTL_SECONDS"),
        description="Lifetime of the participant token a voice session returns.",
    )
    room_empty_timeout_seconds: int = Field(
        150,
        gt=0,
        validation_alias=_env("CALLWRIGHT_ROOM_EMPTY_TIMEOUT_SECONDS"),
        description="LiveKit closes a room this long after it empties.",
    )
    room_departure_timeout_seconds: int = Field(
        10,
        gt=0,
        validation_alias=_env("CALLWRIGHT_ROOM_DEPARTURE_TIMEOUT_SECONDS"),
        description="LiveKit closes a room this long after the last participant left (at "
        "least the rejoin grace plus 10 s).",
    )
    livekit_timeout_seconds: float = Field(
        5.0,
        gt=0,
        validation_alias=_env("CALLWRIGHT_LIVEKIT_TIMEOUT_SECONDS"),
        description="Timeout of the issuer's calls to LiveKit's API.",
    )

    @property
    def room_departure_timeout(self) -> int:
        """What the issuer asks LiveKit for: a room left with only its agent in it stays
        open through a user's absence (the rejoin grace) plus a margin, or LiveKit would
        close it under the waiting agent."""
        return max(self.room_departure_timeout_seconds, math.ceil(self.rejoin_grace_seconds) + 10)


class IssuerServerSettings(Section):
    """The issuer's HTTP server and its operational endpoints."""

    issuer_host: str = Field(
        "127.0.0.1",
        validation_alias=_env("CALLWRIGHT_ISSUER_HOST"),
        description="The address the issuer listens on.",
    )
    issuer_port: int = Field(
        8000, validation_alias=_env("CALLWRIGHT_ISSUER_PORT"), description="The issuer's port."
    )
    log_level: str = Field(
        "INFO", validation_alias=_env("CALLWRIGHT_LOG_LEVEL"), description="The issuer's log level."
    )
    metrics_token: SecretStr | None = Field(
        None,
        validation_alias=_env("CALLWRIGHT_METRICS_TOKEN"),
        description="The issuer's /metrics: with a token, only for `Authorization: Bearer "
        "<token>`; without one, served outside production only.",
    )
    api_docs: bool | None = Field(
        None,
        validation_alias=_env("CALLWRIGHT_API_DOCS"),
        description="Serve the API reference (/docs, /redoc, /openapi.json); unset, outside "
        "production only.",
    )
    operator_token: SecretStr | None = Field(
        None,
        validation_alias=_env("CALLWRIGHT_OPERATOR_TOKEN"),
        description="The operator API (/v1/admin/..., docs/operator.md): on with a token of "
        "at least 32 characters (openssl rand -hex 32) for `Authorization: Bearer <token>`; "
        "unset, 404 (docs/decisions.md#operator-api).",
    )

    @model_validator(mode="after")
    def _refuse_placeholder_operator_token(self) -> Self:
        token = self.operator_token.get_secret_value() if self.operator_token else None
        weak = token is not None and (token in _PLACEHOLDER_SECRETS or len(token) < 32)
        if weak and self.environment == "production":
            raise ValueError(
                "CALLWRIGHT_OPERATOR_TOKEN is a placeholder or shorter than 32 "
                "characters; set a random one (e.g. `openssl rand -hex 32`)"
            )
        return self


class IssuerLoopSettings(Section):
    """The issuer's background loops (callwright_issuer.loops); an interval of 0 turns a
    loop off."""

    reconcile_interval_seconds: float = Field(
        15.0,
        ge=0,
        validation_alias=_env("CALLWRIGHT_RECONCILE_INTERVAL_SECONDS"),
        description="How often the reconciler closes sessions whose worker or room is gone.",
    )
    voice_overrun_margin_seconds: float = Field(
        60.0,
        gt=0,
        validation_alias=_env("CALLWRIGHT_VOICE_OVERRUN_MARGIN_SECONDS"),
        description="The reconciler ends a voice call this long past its time limit (the "
        "worker enforces the limit itself; this is the backstop).",
    )
    # Self-hosted LiveKit drops a job when no worker is available.
    redispatch_interval_seconds: float = Field(
        2.0,
        ge=0,
        validation_alias=_env("CALLWRIGHT_REDISPATCH_INTERVAL_SECONDS"),
        description="How often the re-dispatcher looks for voice sessions no worker took.",
    )
    redispatch_after_seconds: float = Field(
        4.0,
        gt=0,
        validation_alias=_env("CALLWRIGHT_REDISPATCH_AFTER_SECONDS"),
        description="How long after a dispatch the re-dispatcher dispatches the agent again.",
    )
    call_metrics_interval_seconds: float = Field(
        15.0,
        ge=0,
        validation_alias=_env("CALLWRIGHT_CALL_METRICS_INTERVAL_SECONDS"),
        description="How often the issuer adds the calls settled since its last look to its "
        "/metrics turn-latency histograms and end-reason counters.",
    )


class ChatSettings(Section):
    """Chat sessions."""

    chat_session_ttl_seconds: int = Field(
        3600,
        gt=0,
        le=7 * 24 * 3600,
        validation_alias=_env("CALLWRIGHT_CHAT_SESSION_TTL_SECONDS"),
        description="How long a chat session stays open (its `expires_at`).",
    )
    llm_timeout_seconds: float = Field(
        60.0,
        gt=0,
        validation_alias=_env("CALLWRIGHT_LLM_TIMEOUT_SECONDS"),
        description="A chat reply's LLM call timeout.",
    )
    chat_history_max_turns: int = Field(
        40,
        gt=0,
        validation_alias=_env("CALLWRIGHT_CHAT_HISTORY_MAX_TURNS"),
        description="What the LLM sees of a chat's history: its newest turns, at most this "
        "many (older turns stay in the transcript).",
    )
    chat_history_max_chars: int = Field(
        60_000,
        gt=0,
        validation_alias=_env("CALLWRIGHT_CHAT_HISTORY_MAX_CHARS"),
        description="... and at most this many characters of them.",
    )
    chat_max_messages_per_session: int = Field(
        200,
        gt=0,
        validation_alias=_env("CALLWRIGHT_CHAT_MAX_MESSAGES_PER_SESSION"),
        description="Messages one chat session takes; the next is 409 `message_limit_reached`.",
    )
    chat_stream_check_seconds: float = Field(
        0.25,
        gt=0,
        validation_alias=_env("CALLWRIGHT_CHAT_STREAM_CHECK_SECONDS"),
        description="A reply being written re-reads its session this often: it stops within "
        "about this long after End Session, on any issuer.",
    )
    chat_max_tool_rounds: int = Field(
        3,
        ge=1,
        le=10,
        validation_alias=_env("CALLWRIGHT_CHAT_MAX_TOOL_ROUNDS"),
        description="Tool rounds one chat message may run before the model must answer in words.",
    )


class TenantLimitSettings(Section):
    """Limits per organization and per API key (docs/deploy.md, "Tenant and chat limits")."""

    # About half of one worker's CALLWRIGHT_WORKER_MAX_JOBS (16), so one organization
    # cannot fill the default single-worker stack on its own
    # (docs/security.md#default-concurrency-half-a-worker).
    default_max_concurrent_sessions: int = Field(
        8,
        ge=0,
        validation_alias=_env("CALLWRIGHT_DEFAULT_MAX_CONCURRENT_SESSIONS"),
        description="Open sessions (voice and chat) of an organization that `admin "
        "set-concurrency` gave no limit; 0 = no limit.",
    )
    session_create_burst: int = Field(
        20,
        ge=0,
        validation_alias=_env("CALLWRIGHT_SESSION_CREATE_BURST"),
        description="Session creations per API key, counted in the database (across every "
        "issuer): a burst, then the rate below; 429 `rate_limited` past it; 0 turns it off. "
        "Rejoin tokens have a bucket of their own at the same rate.",
    )
    session_create_per_second: float = Field(
        5.0,
        gt=0,
        validation_alias=_env("CALLWRIGHT_SESSION_CREATE_PER_SECOND"),
        description="The steady rate of session creations per API key.",
    )
    read_burst: int = Field(
        60,
        ge=0,
        validation_alias=_env("CALLWRIGHT_READ_BURST"),
        description="Reads of lists and stats per API key (GET /v1/sessions, /v1/agents, "
        "/v1/agents/{id}/stats), counted in the database: a burst, then the rate below; "
        "0 turns it off.",
    )
    read_per_second: float = Field(
        10.0,
        gt=0,
        validation_alias=_env("CALLWRIGHT_READ_PER_SECOND"),
        description="The steady rate of reads per API key.",
    )


class OutboundWebhookSettings(Section):
    """Webhooks to your backend: the issuer's dispatcher
    (callwright_issuer.outbound_webhooks)."""

    outbound_allow_private: _AllowPrivate = Field(
        False,
        validation_alias=_env("CALLWRIGHT_OUTBOUND_ALLOW_PRIVATE"),
        description="Webhook endpoints may be private and loopback addresses (RFC 1918, "
        "loopback, unique local) when true, or on the comma-separated networks listed "
        "(10.8.0.0/16,fd12::/48). Link-local (cloud metadata) is never reached; tools have "
        "their own switch (docs/security.md#outbound-address-policy).",
    )
    webhook_dispatch_interval_seconds: float = Field(
        1.0,
        ge=0,
        validation_alias=_env("CALLWRIGHT_WEBHOOK_DISPATCH_INTERVAL_SECONDS"),
        description="How often the dispatcher looks for due deliveries (0 = off).",
    )
    webhook_timeout_seconds: float = Field(
        10.0,
        gt=0,
        le=60,
        validation_alias=_env("CALLWRIGHT_WEBHOOK_TIMEOUT_SECONDS"),
        description="One request's time limit.",
    )
    # An issuer that died while sending loses its claim after this and another one sends.
    webhook_lease_seconds: float = Field(
        60.0,
        gt=0,
        validation_alias=_env("CALLWRIGHT_WEBHOOK_LEASE_SECONDS"),
        description="How long a claimed delivery stays claimed (longer than the timeout).",
    )
    webhook_retry_schedule_seconds: _SecondsList = Field(
        (5.0, 300.0, 1800.0, 7200.0, 18000.0, 28800.0, 28800.0),
        validation_alias=_env("CALLWRIGHT_WEBHOOK_RETRY_SCHEDULE_SECONDS"),
        description="Seconds before each retry (±10 % jitter; a 429/503 Retry-After is "
        "honoured); after the last one a delivery is `failed`. The default spans about 23.6 "
        "hours.",
    )
    webhook_disable_after_failures: int = Field(
        5,
        gt=0,
        validation_alias=_env("CALLWRIGHT_WEBHOOK_DISABLE_AFTER_FAILURES"),
        description="An endpoint is disabled after this many failed deliveries in a row.",
    )
    webhook_secret_overlap_seconds: int = Field(
        86400,
        ge=0,
        validation_alias=_env("CALLWRIGHT_WEBHOOK_SECRET_OVERLAP_SECONDS"),
        description="After a secret rotation, the previous secret also signs for this long.",
    )
    # Limits one organization cannot pass (docs/security.md#fair-webhook-dispatch).
    webhook_endpoints_per_org: int = Field(
        16,
        gt=0,
        validation_alias=_env("CALLWRIGHT_WEBHOOK_ENDPOINTS_PER_ORG"),
        description="Endpoints one organization may have.",
    )
    webhook_test_events_per_minute: int = Field(
        10,
        gt=0,
        validation_alias=_env("CALLWRIGHT_WEBHOOK_TEST_EVENTS_PER_MINUTE"),
        description="Test events one organization may send a minute (429 beyond).",
    )
    webhook_concurrency: int = Field(
        64,
        gt=0,
        validation_alias=_env("CALLWRIGHT_WEBHOOK_CONCURRENCY"),
        description="Endpoints one issuer sends to at once.",
    )
    # A message holds the whole session's answer.
    webhook_retention_days: float = Field(
        30.0,
        ge=0,
        validation_alias=_env("CALLWRIGHT_WEBHOOK_RETENTION_DAYS"),
        description="Days webhook messages, deliveries and attempts are kept after they end "
        "(0 = for ever).",
    )

    @model_validator(mode="after")
    def _lease_outlasts_a_request(self) -> Self:
        # A lease shorter than a request would let a second issuer send it meanwhile.
        if self.webhook_lease_seconds <= self.webhook_timeout_seconds:
            raise ValueError(
                "CALLWRIGHT_WEBHOOK_LEASE_SECONDS must be longer than "
                "CALLWRIGHT_WEBHOOK_TIMEOUT_SECONDS"
            )
        return self


class WorkerCapacitySettings(Section):
    """The worker process: its jobs, its job processes, and draining."""

    worker_port: int = Field(
        8081,
        validation_alias=_env("CALLWRIGHT_WORKER_PORT"),
        description="The worker's health endpoint (GET / → 200).",
    )
    # Capacity is explicit rather than livekit-agents' CPU-load default, which misfires
    # on shared hosts.
    worker_max_jobs: int = Field(
        16,
        gt=0,
        validation_alias=_env("CALLWRIGHT_WORKER_MAX_JOBS"),
        description="Jobs (calls) one worker accepts before it reports itself full.",
    )
    worker_idle_processes: int = Field(
        2,
        ge=0,
        validation_alias=_env("CALLWRIGHT_WORKER_IDLE_PROCESSES"),
        description="Job processes kept started and warm (Silero loaded) in dev and start "
        "alike, so a call does not wait for a process start.",
    )
    # A burst of calls starts several job processes at once on few cores.
    worker_process_start_timeout_seconds: float = Field(
        60.0,
        gt=0,
        validation_alias=_env("CALLWRIGHT_WORKER_PROCESS_START_TIMEOUT_SECONDS"),
        description="How long one job process may take to start.",
    )
    worker_busy_join_window_seconds: float = Field(
        30.0,
        gt=0,
        validation_alias=_env("CALLWRIGHT_WORKER_BUSY_JOIN_WINDOW_SECONDS"),
        description="A job accepted while its worker is half full waits this long for the "
        "user, not the whole join window, so sessions nobody joins cannot pin a busy worker.",
    )
    worker_ready_file: str | None = Field(
        None,
        validation_alias=_env("CALLWRIGHT_WORKER_READY_FILE"),
        description="A file the worker writes once it has registered with LiveKit (the dev "
        "runner waits for it).",
    )
    worker_drain_timeout_seconds: int = Field(
        1800,
        gt=0,
        validation_alias=_env("CALLWRIGHT_WORKER_DRAIN_TIMEOUT_SECONDS"),
        description="On SIGTERM a worker takes no new call and waits this long for its calls "
        "to end. docker-compose.yml pins it below the worker's stop_grace_period: change "
        "both together.",
    )
    worker_event_loop: Literal["asyncio", "uvloop"] = Field(
        "asyncio",
        validation_alias=_env("CALLWRIGHT_WORKER_EVENT_LOOP"),
        description="The job processes' event loop, asyncio or uvloop: every audio frame of "
        "a call passes through it.",
    )


class WorkerAudioSettings(Section):
    """How the worker hears the caller, and the cost of each call in it
    (docs/benchmarks.md, "Density")."""

    worker_input_sample_rate: int = Field(
        16000,
        validation_alias=_env("CALLWRIGHT_WORKER_INPUT_SAMPLE_RATE"),
        description="The rate pipeline calls decode the caller's audio at: 16000, 24000 or "
        "48000 (Deepgram is sent 16 kHz, so 16000 spares two resamplers).",
    )
    worker_input_frame_ms: int = Field(
        50,
        ge=10,
        le=100,
        validation_alias=_env("CALLWRIGHT_WORKER_INPUT_FRAME_MS"),
        description="The caller's audio frame size, in milliseconds.",
    )
    worker_input_auto_gain_control: bool = Field(
        False,
        validation_alias=_env("CALLWRIGHT_WORKER_INPUT_AUTO_GAIN_CONTROL"),
        description="The worker's own gain control on the caller's audio (browsers and "
        "phones already apply theirs).",
    )
    # The native one is half Silero's CPU with the same speech segments
    # (docs/decisions.md#native-vad).
    worker_vad: Literal["silero", "native"] = Field(
        "silero",
        validation_alias=_env("CALLWRIGHT_WORKER_VAD"),
        description="The voice activity detector of pipeline calls: `silero` (the Silero "
        "plugin's ONNX session) or `native` (the same kind of model in livekit-agents' "
        "local-inference library: no download, no LiveKit Cloud, 16 kHz only).",
    )
    worker_vad_sample_rate: int = Field(
        16000,
        validation_alias=_env("CALLWRIGHT_WORKER_VAD_SAMPLE_RATE"),
        description="Silero VAD's inference rate, 8000 or 16000 (8000 halves its input, at "
        "the same 32 ms cadence; the native VAD runs at 16000).",
    )
    # A floor under every agent's endpointing wait, so it stays below the shortest one
    # (docs/decisions.md#turn-taking-defaults).
    worker_vad_min_silence_s: float = Field(
        0.3,
        ge=0.05,
        le=2.0,
        validation_alias=_env("CALLWRIGHT_WORKER_VAD_MIN_SILENCE_S"),
        description="The silence (s) after which the VAD reports the end of speech, for "
        "every call of a worker: a floor under every agent's endpointing wait.",
    )
    worker_sync_transcription: bool = Field(
        True,
        validation_alias=_env("CALLWRIGHT_WORKER_SYNC_TRANSCRIPTION"),
        description="The agent's transcript word by word in step with its voice (false: "
        "each sentence at once as the model writes it).",
    )

    @model_validator(mode="after")
    def _supported_sample_rates(self) -> Self:
        # Checked here, not when a job process loads the VAD (it would fail every call).
        # Below 16 kHz the STT would hear less than it is sent today.
        if self.worker_input_sample_rate not in (16000, 24000, 48000):
            raise ValueError("CALLWRIGHT_WORKER_INPUT_SAMPLE_RATE must be 16000, 24000 or 48000")
        if self.worker_vad_sample_rate not in (8000, 16000):
            raise ValueError("CALLWRIGHT_WORKER_VAD_SAMPLE_RATE must be 8000 or 16000")
        return self


# One class per service: the sections it reads, in the same order in each (so that the
# union below has one method resolution order). Recordings are their own object
# (callwright_shared.recordings.settings).


class IssuerSettings(
    LiveKitSettings,
    DatabaseSettings,
    AgentSettings,
    PricingSettings,
    RoomSettings,
    IssuerServerSettings,
    IssuerLoopSettings,
    ChatSettings,
    TenantLimitSettings,
    OutboundWebhookSettings,
):
    """What the issuer (`callwright issuer`) reads."""


class WorkerSettings(
    LiveKitSettings,
    DatabaseSettings,
    AgentSettings,
    PricingSettings,
    CallTimingSettings,
    WorkerCapacitySettings,
    WorkerAudioSettings,
):
    """What the worker (`callwright worker`) reads."""


# Ignored: pydantic's mypy plugin gives each class its own typed `model_construct`
# (and renamed copies of it), so the two bases' copies differ by their fields; at run time
# the union is an ordinary model with every field of both.
class CallwrightSettings(IssuerSettings, WorkerSettings):  # type: ignore[misc]
    """Every setting of the issuer and the worker: for the CLI's other commands, the dev
    runner and tests, which start or stand in for both (`to_env()` hands each child process
    the same environment)."""


SERVICE_SETTINGS: dict[str, type[Section]] = {
    "issuer": IssuerSettings,
    "worker": WorkerSettings,
}


def _is_loopback_url(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False

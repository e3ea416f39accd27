"""SQLAlchemy 2 models. The schema itself is created by the Alembic migrations."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """`moment` in UTC; one without an offset is UTC (the API's rule for given times).
    OverflowError for a time at the calendar's edge that UTC cannot hold."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


_NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=_NAMING)
    type_annotation_map = {datetime: UtcDateTime, dict[str, Any]: JSON}


class Architecture(enum.StrEnum):
    PIPELINE = "pipeline"
    REALTIME = "realtime"
    TEXT = "text"


class SessionKind(enum.StrEnum):
    VOICE = "voice"
    CHAT = "chat"


class SessionStatus(enum.StrEnum):
    CREATED = "created"
    ACTIVE = "active"
    ENDED = "ended"
    FAILED = "failed"


class EndReason(enum.StrEnum):
    USER_LEFT = "user_left"
    AGENT_ENDED = "agent_ended"
    API_ENDED = "api_ended"
    MAX_DURATION_REACHED = "max_duration_reached"
    INSUFFICIENT_CREDITS = "insufficient_credits"
    USER_NOT_JOINED = "user_not_joined"
    WORKER_UNAVAILABLE = "worker_unavailable"
    PROVIDER_ERROR = "provider_error"
    LIVEKIT_UNAVAILABLE = "livekit_unavailable"
    INTERNAL_ERROR = "internal_error"


class LedgerKind(enum.StrEnum):
    GRANT = "grant"
    HOLD = "hold"
    CAPTURE = "capture"
    RELEASE = "release"


def _enum(cls: type[enum.StrEnum]) -> Enum:
    # Stored as plain strings: adding a value needs no ALTER TYPE on Postgres.
    return Enum(cls, native_enum=False, length=32, values_callable=lambda e: [m.value for m in e])


class Organization(Base):
    __tablename__ = "organizations"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # A cache of the ledger, kept in the same transaction as every ledger row:
    # balance = grants - captures; held = holds - captures - releases.
    balance: Mapped[int] = mapped_column(BigInteger, default=0)
    held: Mapped[int] = mapped_column(BigInteger, default=0)
    max_concurrent_sessions: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # The operator's prices for this organization (`admin set-price`); NULL = the default
    # of settings. Resolved by callwright_shared.billing.pricing.
    credits_per_minute: Mapped[int | None] = mapped_column(Integer, nullable=True)
    credits_per_message: Mapped[int | None] = mapped_column(Integer, nullable=True)
    credits_per_analysis: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # The `whsec_` secret that signs its agents' tool calls (callwright_shared.tools),
    # created on first use.
    tool_signing_secret: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set by the operator (`/v1/admin/organizations/{id}/suspend`): its keys are refused
    # with 403 and its live calls were ended. None: in good standing.
    suspended_at: Mapped[datetime | None] = mapped_column(nullable=True)


class User(Base):
    __tablename__ = "users"

    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApiKey(Base):
    __tablename__ = "api_keys"
    __table_args__ = (
        ForeignKeyConstraint(["org_id", "user_id"], ["users.org_id", "users.user_id"]),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    prefix: Mapped[str] = mapped_column(String(32), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), index=True)
    user_id: Mapped[str] = mapped_column(String(64))
    # `full`: every tenant route; `sessions`: create and end sessions, refresh tokens,
    # send chat messages (callwright_shared.tenants.api_keys.Scope).
    scope: Mapped[str] = mapped_column(String(16), default="full", server_default="full")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(nullable=True)


class Agent(Base):
    __tablename__ = "agents"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    architecture: Mapped[Architecture] = mapped_column(_enum(Architecture))
    # Every other field of the agent object, validated by
    # callwright_shared.agents.definitions.AgentConfig.
    config: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # The operator's per-agent prices (`admin set-price --agent`); NULL = the organization's.
    credits_per_minute: Mapped[int | None] = mapped_column(Integer, nullable=True)
    credits_per_message: Mapped[int | None] = mapped_column(Integer, nullable=True)
    credits_per_analysis: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(nullable=True)


class Session(Base):
    __tablename__ = "sessions"
    __table_args__ = (Index("ix_sessions_org_created", "org_id", "created_at", "id"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"))
    user_id: Mapped[str] = mapped_column(String(64))
    agent_id: Mapped[str] = mapped_column(ForeignKey("agents.id"))
    kind: Mapped[SessionKind] = mapped_column(_enum(SessionKind))
    # Unique: LiveKit's CreateRoom silently returns an existing room of the same name.
    room_name: Mapped[str | None] = mapped_column(String(200), unique=True, nullable=True)
    status: Mapped[SessionStatus] = mapped_column(_enum(SessionStatus), index=True)
    end_reason: Mapped[EndReason | None] = mapped_column(_enum(EndReason), nullable=True)
    credits_per_minute: Mapped[int] = mapped_column(Integer, default=0)
    credits_held: Mapped[int] = mapped_column(BigInteger, default=0)
    credits_charged: Mapped[int] = mapped_column(BigInteger, default=0)
    max_duration_seconds: Mapped[int] = mapped_column(Integer, default=0)
    limited_by_credits: Mapped[bool] = mapped_column(default=False)
    agent_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    request_metadata: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    usage: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    transcript: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, nullable=True)
    error_message: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(nullable=True)
    settled_at: Mapped[datetime | None] = mapped_column(nullable=True)
    # The worker's last heartbeat (callwright_shared.calls.heartbeats); the reconciler closes
    # an active session whose worker stopped beating.
    last_heartbeat_at: Mapped[datetime | None] = mapped_column(nullable=True)
    # Chat sessions: the price of one message, fixed when the session was created.
    credits_per_message: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Voice: the worker job that claimed the session (callwright_shared.dispatch_claims);
    # a second job dispatched for the same session finds it claimed and leaves.
    job_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # When the agent was last dispatched, and how often: the issuer's re-dispatcher
    # dispatches again when no worker took the job (self-hosted LiveKit never retries).
    dispatched_at: Mapped[datetime | None] = mapped_column(nullable=True)
    dispatch_count: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # End Session's reason, recorded before it deletes the room: whichever path then
    # settles (the worker, a webhook, the reconciler), the session ends `api_ended`.
    requested_end_reason: Mapped[EndReason | None] = mapped_column(_enum(EndReason), nullable=True)
    # Voice: since when the user has been out of the room mid-call (a dropped network, a
    # reload); the worker waits CALLWRIGHT_REJOIN_GRACE_SECONDS for them. None: present.
    away_since: Mapped[datetime | None] = mapped_column(nullable=True)
    # The configuration the session runs, resolved at creation (variables rendered,
    # overrides applied; callwright_shared.sessions.config). None: created before 0006.
    config: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    # The call's recording and the session's analysis (callwright_shared.recordings.models);
    # None: not recorded, not analysed.
    recording: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    analysis: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class LedgerEntry(Base):
    """Append-only: rows are inserted, never updated or deleted."""

    __tablename__ = "credit_ledger"
    # A grant's `reference` (the operator's invoice or payment id) makes it idempotent.
    __table_args__ = (UniqueConstraint("org_id", "reference", name="uq_credit_ledger_reference"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), index=True)
    session_id: Mapped[str | None] = mapped_column(ForeignKey("sessions.id"), nullable=True)
    kind: Mapped[LedgerKind] = mapped_column(_enum(LedgerKind))
    amount: Mapped[int] = mapped_column(BigInteger)
    reference: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditEntry(Base):
    """One operator action (callwright_shared.tenants.administration). Append-only.

    `details` holds what was asked and answered, never a secret (a key, a signing secret).
    """

    __tablename__ = "operator_audit"
    __table_args__ = (Index("ix_operator_audit_org", "org_id", "id"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    # `api` (the operator API) or `cli` (`callwright admin`).
    actor: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(64))
    org_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    target: Mapped[str | None] = mapped_column(String(100), nullable=True)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)


class WebhookEvent(Base):
    """LiveKit webhook events already handled, by their `event.id` (de-duplication)."""

    __tablename__ = "webhook_events"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    event: Mapped[str] = mapped_column(String(64))
    room_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    received_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class IdempotencyKey(Base):
    """An `Idempotency-Key` of a create call, scoped to the organization.

    `request_hash` fingerprints the endpoint, the user and the body; `response` is what
    the first request answered (without secrets: a voice replay re-mints its token), null
    while that request is still in flight.
    """

    __tablename__ = "idempotency_keys"

    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    session_id: Mapped[str] = mapped_column(ForeignKey("sessions.id"))
    response: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class WebhookEndpoint(Base):
    """A customer's URL for outbound lifecycle webhooks (callwright_shared.webhook_endpoints).

    The secrets sign Standard Webhooks signatures, so they are kept, not hashed; the
    previous secret still signs until `previous_secret_expires_at` (rotation).
    """

    __tablename__ = "webhook_endpoints"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), index=True)
    url: Mapped[str] = mapped_column(String(2048))
    events: Mapped[list[str]] = mapped_column(JSON)
    agent_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    description: Mapped[str | None] = mapped_column(String(500), nullable=True)
    enabled: Mapped[bool] = mapped_column(default=True)
    disabled_reason: Mapped[str | None] = mapped_column(String(300), nullable=True)
    secret: Mapped[str] = mapped_column(String(100))
    previous_secret: Mapped[str | None] = mapped_column(String(100), nullable=True)
    previous_secret_expires_at: Mapped[datetime | None] = mapped_column(nullable=True)
    # Deliveries that ended `failed` in a row; reset by a success.
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(nullable=True)


class WebhookMessage(Base):
    """One event of the outbox, written in the transaction of the state change it reports.

    `id` is the `webhook-id` header, the same on every attempt and redelivery; `payload`
    is the exact JSON body sent.
    """

    __tablename__ = "webhook_messages"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), index=True)
    type: Mapped[str] = mapped_column(String(64))
    session_id: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    payload: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class WebhookDelivery(Base):
    """One message to one endpoint; due when `pending` and `next_attempt_at` has come.

    A dispatcher claims it by moving `next_attempt_at` past its lease with its own
    `lease_token`; only that token records the attempt's outcome.
    """

    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"))
    message_id: Mapped[str] = mapped_column(ForeignKey("webhook_messages.id"))
    endpoint_id: Mapped[str] = mapped_column(ForeignKey("webhook_endpoints.id"), index=True)
    status: Mapped[DeliveryStatus] = mapped_column(_enum(DeliveryStatus))
    # Attempts since it was (re)queued: the position in the retry schedule.
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column()
    lease_token: Mapped[str | None] = mapped_column(String(40), nullable=True)
    last_status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(300), nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(nullable=True)


class WebhookAttempt(Base):
    """One HTTP request of a delivery, for the delivery log. Append-only."""

    __tablename__ = "webhook_attempts"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    delivery_id: Mapped[str] = mapped_column(ForeignKey("webhook_deliveries.id"), index=True)
    attempted_at: Mapped[datetime] = mapped_column(default=utcnow)
    status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    latency_ms: Mapped[int] = mapped_column(Integer)
    response_excerpt: Mapped[str | None] = mapped_column(Text, nullable=True)
    error: Mapped[str | None] = mapped_column(String(300), nullable=True)


class SessionAnalysis(Base):
    """The post-call analysis of one session (callwright_shared.analysis.queue): queued
    `pending` when a session whose agent asks for one settles, and run by the issuers'
    analysis loop. A loop claims it by moving `next_attempt_at` past its lease under its
    own `lease_token`; only that token records an attempt. `credits_held`: None until the
    price was held (once, before the first attempt). The answer shown to the customer is
    the session's `analysis`."""

    __tablename__ = "session_analyses"
    __table_args__ = (
        Index("ix_session_analyses_due", "status", "next_attempt_at"),
        Index("ix_session_analyses_org_completed", "org_id", "completed_at"),
    )

    session_id: Mapped[str] = mapped_column(ForeignKey("sessions.id"), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"))
    agent_id: Mapped[str] = mapped_column(String(32))
    # pending, succeeded, failed, skipped (callwright_shared.recordings.models.AnalysisStatus).
    status: Mapped[str] = mapped_column(String(32))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column()
    lease_token: Mapped[str | None] = mapped_column(String(40), nullable=True)
    credits_held: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    credits_charged: Mapped[int] = mapped_column(BigInteger, default=0)
    error: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(nullable=True)

"""The organization's webhook endpoints: their bodies, their secrets, their log.

An endpoint names a URL, the events it wants and optionally one agent. Its signing secret
(`whsec_` + 32 random bytes, base64: the Standard Webhooks format) is shown once, at
creation and at each rotation; after a rotation the previous secret also signs until
`previous_secret_expires_at`, so a receiver can switch without losing an event. Another
organization's endpoint or delivery is 404.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from callwright_shared import outbound
from callwright_shared.agents import definitions as agents
from callwright_shared.db.models import (
    DeliveryStatus,
    Organization,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookMessage,
    utcnow,
)
from callwright_shared.errors import (
    InvalidRequestError,
    NotFoundError,
    RateLimitedError,
    WebhookEndpointLimitError,
)
from callwright_shared.ids import (
    WEBHOOK_DELIVERY_ID_PATTERN,
    WEBHOOK_ENDPOINT_ID_PATTERN,
    new_webhook_endpoint_id,
)
from callwright_shared.sessions.outbox import SESSION_EVENTS, TEST_EVENT, SessionEvent
from callwright_shared.settings import IssuerSettings
from callwright_shared.text import SingleLine

_STRICT = ConfigDict(extra="forbid", strict=True)


def _distinct(value: list[SessionEvent] | None) -> list[SessionEvent] | None:
    if value is not None and len(set(value)) != len(value):
        raise PydanticCustomError("duplicate", "must not list an event twice")
    return value


class WebhookEndpointCreate(BaseModel):
    """The body of POST /v1/webhook-endpoints."""

    model_config = _STRICT

    url: SingleLine = Field(min_length=1, max_length=2048)
    events: list[SessionEvent] = Field(default_factory=lambda: list(SESSION_EVENTS), min_length=1)
    agent_id: SingleLine | None = Field(None, min_length=1, max_length=64)
    description: SingleLine | None = Field(None, max_length=500)
    enabled: bool = True

    _events = field_validator("events")(_distinct)


class WebhookEndpointUpdate(BaseModel):
    """The body of PATCH /v1/webhook-endpoints/{id}: any subset; `agent_id: null` clears the
    filter, `enabled: true` re-enables an endpoint that was disabled."""

    model_config = _STRICT

    url: SingleLine | None = Field(None, min_length=1, max_length=2048)
    events: list[SessionEvent] | None = Field(None, min_length=1)
    agent_id: SingleLine | None = Field(None, min_length=1, max_length=64)
    description: SingleLine | None = Field(None, max_length=500)
    enabled: bool | None = None

    _events = field_validator("events")(_distinct)


class WebhookEndpointPublic(BaseModel):
    id: str
    object: Literal["webhook_endpoint"] = "webhook_endpoint"
    url: str
    events: list[str]
    agent_id: str | None
    description: str | None
    enabled: bool
    # Why callwright disabled it (410 Gone, or failed deliveries in a row); None otherwise.
    disabled_reason: str | None
    previous_secret_expires_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: WebhookEndpoint) -> WebhookEndpointPublic:
        now = utcnow()
        overlap = row.previous_secret_expires_at
        return cls(
            id=row.id,
            url=row.url,
            events=list(row.events),
            agent_id=row.agent_id,
            description=row.description,
            enabled=row.enabled,
            disabled_reason=row.disabled_reason,
            previous_secret_expires_at=overlap if overlap is not None and overlap > now else None,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )


class WebhookEndpointWithSecret(WebhookEndpointPublic):
    """The answer of creation and rotation: the only time the secret is shown."""

    secret: str


class WebhookEndpointList(BaseModel):
    object: Literal["list"] = "list"
    data: list[WebhookEndpointPublic]
    has_more: bool


class DeletedWebhookEndpoint(BaseModel):
    id: str
    object: Literal["webhook_endpoint"] = "webhook_endpoint"
    deleted: bool = True


class AttemptPublic(BaseModel):
    attempted_at: datetime
    status_code: int | None
    latency_ms: int
    response_excerpt: str | None
    error: str | None


class DeliveryPublic(BaseModel):
    id: str
    object: Literal["webhook_delivery"] = "webhook_delivery"
    endpoint_id: str
    # The `webhook-id` header: the same on every attempt and redelivery.
    message_id: str
    event_type: str
    session_id: str | None
    status: DeliveryStatus
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    created_at: datetime
    completed_at: datetime | None
    attempts: list[AttemptPublic]


class DeliveryList(BaseModel):
    object: Literal["list"] = "list"
    data: list[DeliveryPublic]
    has_more: bool


async def _check_target(
    db: AsyncSession,
    *,
    org_id: str,
    url: str | None,
    agent_id: str | None,
    allow_private: outbound.AllowPrivate,
) -> None:
    if url is not None:
        outbound.check_url(url, allow_private=allow_private)
    if agent_id is not None:
        await agents.get_agent(db, org_id=org_id, agent_id=agent_id)


async def create_endpoint(
    db: AsyncSession, *, org_id: str, body: WebhookEndpointCreate, settings: IssuerSettings
) -> WebhookEndpoint:
    await _check_target(
        db,
        org_id=org_id,
        url=body.url,
        agent_id=body.agent_id,
        allow_private=settings.outbound_allow_private,
    )
    await _check_room(db, org_id=org_id, limit=settings.webhook_endpoints_per_org)
    now = utcnow()
    row = WebhookEndpoint(
        id=new_webhook_endpoint_id(),
        org_id=org_id,
        url=body.url,
        events=list(body.events),
        agent_id=body.agent_id,
        description=body.description,
        enabled=body.enabled,
        secret=outbound.new_signing_secret(),
        consecutive_failures=0,
        created_at=now,
        updated_at=now,
    )
    db.add(row)
    await db.flush()
    return row


async def _check_room(db: AsyncSession, *, org_id: str, limit: int) -> None:
    """At most `limit` live endpoints per organization: each one is a concurrent sender in
    every dispatcher pass. The organization's row is locked first (Postgres), so two
    creations at once cannot both take the last place."""
    await db.execute(select(Organization.id).where(Organization.id == org_id).with_for_update())
    count = await db.scalar(
        select(func.count())
        .select_from(WebhookEndpoint)
        .where(WebhookEndpoint.org_id == org_id, WebhookEndpoint.deleted_at.is_(None))
    )
    if (count or 0) >= limit:
        raise WebhookEndpointLimitError(
            f"This organization has {limit} webhook endpoints, the most allowed; delete one first.",
            param="url",
        )


async def check_test_rate(db: AsyncSession, *, org_id: str, settings: IssuerSettings) -> None:
    """At most CALLWRIGHT_WEBHOOK_TEST_EVENTS_PER_MINUTE test events per organization in
    any minute, counted in the database (every issuer sees the same count): each is sent
    inside its request."""
    limit = settings.webhook_test_events_per_minute
    since = utcnow() - timedelta(minutes=1)
    recent = (
        (
            await db.execute(
                select(WebhookMessage.created_at)
                .where(
                    WebhookMessage.org_id == org_id,
                    WebhookMessage.type == TEST_EVENT,
                    WebhookMessage.created_at > since,
                )
                .order_by(WebhookMessage.created_at.desc())
                .limit(limit)
            )
        )
        .scalars()
        .all()
    )
    if len(recent) >= limit:
        # The oldest of the last `limit` leaves the window first.
        wait = (recent[-1] - since).total_seconds()
        raise RateLimitedError(
            f"At most {limit} webhook test events a minute; retry after the delay in Retry-After.",
            retry_after_seconds=math.ceil(wait),
        )


async def get_endpoint(db: AsyncSession, *, org_id: str, endpoint_id: str) -> WebhookEndpoint:
    row = None
    if WEBHOOK_ENDPOINT_ID_PATTERN.fullmatch(endpoint_id):
        row = (
            await db.execute(
                select(WebhookEndpoint).where(
                    WebhookEndpoint.id == endpoint_id,
                    WebhookEndpoint.org_id == org_id,
                    WebhookEndpoint.deleted_at.is_(None),
                )
            )
        ).scalar_one_or_none()
    if row is None:
        raise NotFoundError(f"No webhook endpoint with id '{endpoint_id[:60]}'.")
    return row


async def list_endpoints(
    db: AsyncSession, *, org_id: str, limit: int, starting_after: str | None
) -> tuple[list[WebhookEndpoint], bool]:
    query = select(WebhookEndpoint).where(
        WebhookEndpoint.org_id == org_id, WebhookEndpoint.deleted_at.is_(None)
    )
    if starting_after is not None:
        cursor = await get_endpoint(db, org_id=org_id, endpoint_id=starting_after)
        query = query.where(
            or_(
                WebhookEndpoint.created_at < cursor.created_at,
                and_(
                    WebhookEndpoint.created_at == cursor.created_at,
                    WebhookEndpoint.id < cursor.id,
                ),
            )
        )
    query = query.order_by(WebhookEndpoint.created_at.desc(), WebhookEndpoint.id.desc())
    rows = list((await db.execute(query.limit(limit + 1))).scalars())
    return rows[:limit], len(rows) > limit


async def update_endpoint(
    db: AsyncSession,
    row: WebhookEndpoint,
    body: WebhookEndpointUpdate,
    settings: IssuerSettings,
) -> None:
    fields = body.model_fields_set
    for name in ("url", "events", "enabled"):
        if name in fields and getattr(body, name) is None:
            raise InvalidRequestError(f"{name}: must not be null", param=name)
    await _check_target(
        db,
        org_id=row.org_id,
        url=body.url,
        agent_id=body.agent_id,
        allow_private=settings.outbound_allow_private,
    )
    if body.url is not None:
        row.url = body.url
    if body.events is not None:
        row.events = list(body.events)
    if "agent_id" in fields:
        row.agent_id = body.agent_id
    if "description" in fields:
        row.description = body.description
    if body.enabled is not None:
        if body.enabled and not row.enabled:
            row.disabled_reason = None
            row.consecutive_failures = 0
        row.enabled = body.enabled
    row.updated_at = utcnow()


async def delete_endpoint(db: AsyncSession, row: WebhookEndpoint) -> None:
    """Soft: the delivery log keeps its rows; nothing more is sent to it."""
    row.deleted_at = row.updated_at = utcnow()
    row.enabled = False


async def rotate_secret(db: AsyncSession, row: WebhookEndpoint, settings: IssuerSettings) -> str:
    now = utcnow()
    row.previous_secret = row.secret
    row.previous_secret_expires_at = now + timedelta(
        seconds=settings.webhook_secret_overlap_seconds
    )
    row.secret = outbound.new_signing_secret()
    row.updated_at = now
    return row.secret


async def clear_ended_overlaps(db: AsyncSession, *, at: datetime) -> int:
    """Forget the previous secrets whose overlap ended before `at` (they sign nothing
    any more; docs/security.md#secrets-at-rest). Returns the endpoints cleared."""
    result = await db.execute(
        update(WebhookEndpoint)
        .where(
            WebhookEndpoint.previous_secret.is_not(None),
            or_(
                WebhookEndpoint.previous_secret_expires_at.is_(None),
                WebhookEndpoint.previous_secret_expires_at <= at,
            ),
        )
        .values(previous_secret=None, previous_secret_expires_at=None)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def signing_secrets(row: WebhookEndpoint, *, at: datetime) -> list[str]:
    """The current secret, and the previous one while its overlap lasts."""
    keys = [row.secret]
    if (
        row.previous_secret is not None
        and row.previous_secret_expires_at is not None
        and row.previous_secret_expires_at > at
    ):
        keys.append(row.previous_secret)
    return keys


async def list_deliveries(
    db: AsyncSession,
    endpoint: WebhookEndpoint,
    *,
    limit: int,
    starting_after: str | None,
    status: DeliveryStatus | None,
) -> tuple[list[DeliveryPublic], bool]:
    query = (
        select(WebhookDelivery, WebhookMessage.type, WebhookMessage.session_id)
        .join(WebhookMessage, WebhookMessage.id == WebhookDelivery.message_id)
        .where(WebhookDelivery.endpoint_id == endpoint.id)
    )
    if status is not None:
        query = query.where(WebhookDelivery.status == status)
    if starting_after is not None:
        cursor = await get_delivery(db, endpoint, starting_after)
        query = query.where(
            or_(
                WebhookDelivery.created_at < cursor.created_at,
                and_(
                    WebhookDelivery.created_at == cursor.created_at,
                    WebhookDelivery.id < cursor.id,
                ),
            )
        )
    query = query.order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc())
    rows = (await db.execute(query.limit(limit + 1))).all()
    page = rows[:limit]
    attempts = await _attempts_of(db, [row[0].id for row in page])
    views = [_view(row[0], row[1], row[2], attempts.get(row[0].id, [])) for row in page]
    return views, len(rows) > limit


async def get_delivery(
    db: AsyncSession, endpoint: WebhookEndpoint, delivery_id: str
) -> WebhookDelivery:
    row = None
    if WEBHOOK_DELIVERY_ID_PATTERN.fullmatch(delivery_id):
        row = (
            await db.execute(
                select(WebhookDelivery).where(
                    WebhookDelivery.id == delivery_id,
                    WebhookDelivery.endpoint_id == endpoint.id,
                )
            )
        ).scalar_one_or_none()
    if row is None:
        raise NotFoundError(f"No delivery with id '{delivery_id[:60]}'.")
    return row


async def delivery_view(db: AsyncSession, delivery: WebhookDelivery) -> DeliveryPublic:
    message = await db.get_one(WebhookMessage, delivery.message_id)
    attempts = await _attempts_of(db, [delivery.id])
    return _view(delivery, message.type, message.session_id, attempts.get(delivery.id, []))


async def _attempts_of(
    db: AsyncSession, delivery_ids: list[str]
) -> dict[str, list[WebhookAttempt]]:
    found: dict[str, list[WebhookAttempt]] = {}
    if delivery_ids:
        rows = await db.execute(
            select(WebhookAttempt)
            .where(WebhookAttempt.delivery_id.in_(delivery_ids))
            .order_by(WebhookAttempt.id)
        )
        for attempt in rows.scalars():
            found.setdefault(attempt.delivery_id, []).append(attempt)
    return found


def _view(
    delivery: WebhookDelivery,
    event_type: str,
    session_id: str | None,
    attempts: list[WebhookAttempt],
) -> DeliveryPublic:
    return DeliveryPublic(
        id=delivery.id,
        endpoint_id=delivery.endpoint_id,
        message_id=delivery.message_id,
        event_type=event_type,
        session_id=session_id,
        status=delivery.status,
        next_attempt_at=(
            delivery.next_attempt_at if delivery.status is DeliveryStatus.PENDING else None
        ),
        last_status_code=delivery.last_status_code,
        last_error=delivery.last_error,
        created_at=delivery.created_at,
        completed_at=delivery.completed_at,
        attempts=[
            AttemptPublic(
                attempted_at=a.attempted_at,
                status_code=a.status_code,
                latency_ms=a.latency_ms,
                response_excerpt=a.response_excerpt,
                error=a.error,
            )
            for a in attempts
        ],
    )

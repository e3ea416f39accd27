"""The webhook dispatcher: sends the outbox's deliveries, signed, retried, logged.

Every issuer runs it (every CALLWRIGHT_WEBHOOK_DISPATCH_INTERVAL_SECONDS; 0 turns it off).
A pass claims due deliveries (`pending`, `next_attempt_at` passed) by moving
`next_attempt_at` a lease ahead under a fresh `lease_token` — `SELECT … FOR UPDATE SKIP
LOCKED` on Postgres, so issuers take disjoint rows; the serialized writer on SQLite — and
commits before sending. Only the holder of the token records the outcome; an issuer that
died while sending loses the claim when the lease ends and another one sends again
(at-least-once: receivers de-duplicate by `webhook-id`). The test event is written
already claimed by its request (`lease`), which sends it itself (`deliver_leased`).

One request: POST of the message's exact bytes with the Standard Webhooks headers
(`webhook-id` = the message id, `webhook-timestamp` = the attempt's Unix seconds,
`webhook-signature` = `v1,<base64>` per signing secret), through the outbound address
policy (callwright_shared.outbound: no redirects, no private addresses), within
CALLWRIGHT_WEBHOOK_TIMEOUT_SECONDS. Outcomes:

- 2xx: `succeeded`; the endpoint's failure streak is reset.
- 410 Gone: `failed`, and the endpoint is disabled (Standard Webhooks).
- anything else (3xx included), a timeout, a refused address: the next attempt follows
  CALLWRIGHT_WEBHOOK_RETRY_SCHEDULE_SECONDS (±10 % jitter), or `Retry-After` on 429/503;
  after the schedule, `failed`. CALLWRIGHT_WEBHOOK_DISABLE_AFTER_FAILURES failed
  deliveries in a row disable the endpoint, with the reason on it.

Within a pass, one endpoint's deliveries go out one at a time in the order they were
written (created → started → ended), different endpoints concurrently.
"""

from __future__ import annotations

import asyncio
import logging
import random
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

import httpx
from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from callwright_issuer.http.metrics import WEBHOOK_ATTEMPTS, WEBHOOK_BACKLOG, WEBHOOK_DELIVERIES
from callwright_issuer.outbound_webhooks.endpoints import signing_secrets
from callwright_shared import outbound
from callwright_shared.db.engine import serialized_writes
from callwright_shared.db.models import (
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookMessage,
    utcnow,
)
from callwright_shared.errors import OutboundAddressError
from callwright_shared.settings import CallwrightSettings

logger = logging.getLogger(__name__)

USER_AGENT = "callwright-webhooks/1"
_BATCH = 100
_EXCERPT_CHARS = 1024
# A Retry-After longer than this is read as this (a receiver cannot park a delivery for ever).
_MAX_RETRY_AFTER_S = 24 * 3600.0
# Jitter from a generator of its own: the module-level one is shared with whatever else
# runs in the process.
_jitter = random.Random()


@dataclass(frozen=True, slots=True)
class _Claimed:
    delivery_id: str
    token: str
    attempts: int
    message_id: str
    payload: str
    endpoint: WebhookEndpoint


@dataclass(frozen=True, slots=True)
class Lease:
    token: str
    until: datetime


@dataclass(frozen=True, slots=True)
class _Result:
    sent_at: datetime
    status_code: int | None
    latency_ms: int
    excerpt: str | None
    error: str | None
    retry_after_s: float | None


class WebhookDispatcher:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        settings: CallwrightSettings,
        client: httpx.AsyncClient,
    ) -> None:
        self._factory = session_factory
        self._settings = settings
        self._client = client

    async def run(self, stop: asyncio.Event) -> None:
        """Dispatch every interval (± 10 % jitter, so issuers spread out) until `stop`."""
        interval = self._settings.webhook_dispatch_interval_seconds
        while True:
            try:
                await asyncio.wait_for(stop.wait(), timeout=interval * _jitter.uniform(0.9, 1.1))
                return
            except TimeoutError:
                pass
            try:
                await self.dispatch_due()
            except Exception as exc:  # a failed pass is retried at the next interval
                logger.warning("webhook dispatch pass failed", extra={"error": type(exc).__name__})

    async def dispatch_due(self) -> int:
        """One pass: claim what is due, send it; returns how many deliveries were attempted."""
        claimed = await self._claim()
        by_endpoint: dict[str, list[_Claimed]] = {}
        for item in claimed:
            by_endpoint.setdefault(item.endpoint.id, []).append(item)
        results = await asyncio.gather(
            *(self._send_in_order(items) for items in by_endpoint.values()),
            return_exceptions=True,
        )
        for result in results:
            # Recording failed (the database): the lease runs out and the delivery is retried.
            if isinstance(result, BaseException):
                logger.warning(
                    "webhook delivery not recorded", extra={"error": type(result).__name__}
                )
        async with self._factory() as db:
            backlog = await db.scalar(
                select(func.count())
                .select_from(WebhookDelivery)
                .where(WebhookDelivery.status == DeliveryStatus.PENDING)
            )
        WEBHOOK_BACKLOG.set(backlog or 0)
        return len(claimed)

    def lease(self) -> Lease:
        """A claim for a delivery about to be written (the test event): written with the
        lease's token and, as `next_attempt_at`, its end, the delivery is its writer's to
        send first, and no pass takes it unless the writer dies and the lease runs out."""
        return Lease(
            token=secrets.token_hex(16),
            until=utcnow() + timedelta(seconds=self._settings.webhook_lease_seconds),
        )

    async def deliver_leased(self, lease: Lease) -> None:
        """Attempt, at once, what was written under `lease`."""
        async with self._factory() as db:
            claimed = await _held_by(db, lease.token)
        for item in claimed:
            await self._attempt(item)

    async def _send_in_order(self, items: Sequence[_Claimed]) -> None:
        for item in items:
            await self._attempt(item)

    async def _claim(self) -> list[_Claimed]:
        now = utcnow()
        token = secrets.token_hex(16)
        lease_until = now + timedelta(seconds=self._settings.webhook_lease_seconds)
        due = (
            select(WebhookDelivery.id)
            .where(
                WebhookDelivery.status == DeliveryStatus.PENDING,
                WebhookDelivery.next_attempt_at <= now,
            )
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.created_at)
            .limit(_BATCH)
            .with_for_update(skip_locked=True)
        )
        async with self._factory() as db, serialized_writes(db):
            ids = list((await db.execute(due)).scalars())
            if not ids:
                await db.rollback()
                return []
            # Conditional as well: on SQLite, where FOR UPDATE does not exist, a second
            # process that read the same rows finds them moved and takes none.
            await db.execute(
                update(WebhookDelivery)
                .where(
                    WebhookDelivery.id.in_(ids),
                    WebhookDelivery.status == DeliveryStatus.PENDING,
                    WebhookDelivery.next_attempt_at <= now,
                )
                .values(next_attempt_at=lease_until, lease_token=token)
            )
            claimed = await _held_by(db, token)
            await db.commit()
        return claimed

    async def _attempt(self, item: _Claimed) -> None:
        endpoint = item.endpoint
        if not endpoint.enabled or endpoint.deleted_at is not None:
            reason = (
                "the endpoint was deleted" if endpoint.deleted_at else "the endpoint is disabled"
            )
            await self._record(item, None, final_error=reason)
            return
        result = await self._post(item)
        await self._record(item, result)

    async def _post(self, item: _Claimed) -> _Result:
        now = utcnow()
        body = item.payload
        headers = {
            "content-type": "application/json",
            "user-agent": USER_AGENT,
            **outbound.signature_headers(
                item.message_id, body, signing_secrets(item.endpoint, at=now), at=now
            ),
        }
        started = asyncio.get_running_loop().time()
        try:
            response = await outbound.post(
                self._client,
                item.endpoint.url,
                content=body.encode(),
                headers=headers,
                timeout_seconds=self._settings.webhook_timeout_seconds,
                allow_private=self._settings.outbound_allow_private,
                excerpt_bytes=_EXCERPT_CHARS,
            )
        except OutboundAddressError as exc:
            return _Result(now, None, 0, None, exc.message[:300], None)
        except Exception as exc:  # any failure to get an answer is a failed attempt
            elapsed = round((asyncio.get_running_loop().time() - started) * 1000)
            if isinstance(exc, TimeoutError | httpx.TimeoutException):
                error = "timed out"
            else:
                error = f"request failed: {type(exc).__name__}"
                if not isinstance(exc, httpx.HTTPError | OSError):
                    logger.warning("webhook request failed unexpectedly", extra={"error": error})
            return _Result(now, None, elapsed, None, error, None)
        retry_after = None
        if response.status_code in (429, 503):
            retry_after = _retry_after_seconds(response.headers.get("retry-after"), now=now)
        return _Result(
            now, response.status_code, response.latency_ms, response.excerpt, None, retry_after
        )

    async def _record(
        self, item: _Claimed, result: _Result | None, *, final_error: str | None = None
    ) -> None:
        now = utcnow()
        schedule = self._settings.webhook_retry_schedule_seconds
        values: dict[str, object] = {"lease_token": None, "attempts": item.attempts + 1}
        disable_reason: str | None = None
        outcome: DeliveryStatus
        if result is None:
            outcome = DeliveryStatus.FAILED
            values.update(attempts=item.attempts, last_error=final_error)
        else:
            values.update(last_status_code=result.status_code, last_error=result.error)
            code = result.status_code
            if code is not None and 200 <= code < 300:
                outcome = DeliveryStatus.SUCCEEDED
            elif code == 410:
                outcome = DeliveryStatus.FAILED
                disable_reason = "The endpoint answered 410 Gone."
            elif item.attempts < len(schedule):
                outcome = DeliveryStatus.PENDING
                delay = schedule[item.attempts] * _jitter.uniform(0.9, 1.1)
                if result.retry_after_s is not None:
                    delay = result.retry_after_s
                values["next_attempt_at"] = now + timedelta(seconds=delay)
            else:
                outcome = DeliveryStatus.FAILED
        values["status"] = outcome
        if outcome is not DeliveryStatus.PENDING:
            values["completed_at"] = now
        async with self._factory() as db, serialized_writes(db):
            won = (
                await db.execute(
                    update(WebhookDelivery)
                    .where(
                        WebhookDelivery.id == item.delivery_id,
                        WebhookDelivery.lease_token == item.token,
                    )
                    .values(**values)
                    .returning(WebhookDelivery.id)
                )
            ).one_or_none()
            if won is None:  # the lease ran out and another issuer took it over
                await db.rollback()
                return
            if result is not None:
                db.add(
                    WebhookAttempt(
                        delivery_id=item.delivery_id,
                        attempted_at=result.sent_at,
                        status_code=result.status_code,
                        latency_ms=result.latency_ms,
                        response_excerpt=result.excerpt,
                        error=result.error,
                    )
                )
                await self._update_endpoint(db, item, outcome, disable_reason, result)
            await db.commit()
        WEBHOOK_ATTEMPTS.labels(_attempt_outcome(result, outcome)).inc()
        if outcome is not DeliveryStatus.PENDING:
            WEBHOOK_DELIVERIES.labels(outcome.value).inc()

    async def _update_endpoint(
        self,
        db: AsyncSession,
        item: _Claimed,
        outcome: DeliveryStatus,
        disable_reason: str | None,
        result: _Result,
    ) -> None:
        table = WebhookEndpoint
        if outcome is DeliveryStatus.SUCCEEDED:
            await db.execute(
                update(table).where(table.id == item.endpoint.id).values(consecutive_failures=0)
            )
            return
        if outcome is not DeliveryStatus.FAILED:
            return
        failures = (
            await db.execute(
                update(table)
                .where(table.id == item.endpoint.id)
                .values(consecutive_failures=table.consecutive_failures + 1)
                .returning(table.consecutive_failures)
            )
        ).scalar_one()
        limit = self._settings.webhook_disable_after_failures
        if disable_reason is None and failures >= limit:
            last = f"HTTP {result.status_code}" if result.status_code else result.error
            disable_reason = f"{failures} deliveries in a row failed (the last: {last})."
        if disable_reason is not None:
            await db.execute(
                update(table)
                .where(table.id == item.endpoint.id, table.enabled.is_(True))
                .values(enabled=False, disabled_reason=disable_reason[:300], updated_at=utcnow())
            )
            logger.warning(
                "webhook endpoint disabled",
                extra={"endpoint_id": item.endpoint.id, "org_id": item.endpoint.org_id},
            )


def _attempt_outcome(result: _Result | None, outcome: DeliveryStatus) -> str:
    if outcome is DeliveryStatus.SUCCEEDED:
        return "succeeded"
    if result is None:
        return "skipped"
    return "error" if result.status_code is None else "rejected"


def _retry_after_seconds(value: str | None, *, now: datetime) -> float | None:
    """Retry-After as seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = (parsedate_to_datetime(value) - now).total_seconds()
        except (TypeError, ValueError):
            return None
    if seconds != seconds:  # NaN
        return None
    return min(max(seconds, 0.0), _MAX_RETRY_AFTER_S)


async def _held_by(db: AsyncSession, token: str) -> list[_Claimed]:
    """The deliveries claimed under `token`, oldest first, with what sending them needs."""
    rows = (
        await db.execute(
            select(WebhookDelivery, WebhookMessage.payload, WebhookEndpoint)
            .join(WebhookMessage, WebhookMessage.id == WebhookDelivery.message_id)
            .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
            .where(WebhookDelivery.lease_token == token)
            .order_by(WebhookDelivery.created_at)
        )
    ).all()
    return [
        _Claimed(
            delivery_id=delivery.id,
            token=token,
            attempts=delivery.attempts,
            message_id=delivery.message_id,
            payload=payload,
            endpoint=endpoint,
        )
        for delivery, payload, endpoint in rows
    ]


async def redeliver(db: AsyncSession, delivery: WebhookDelivery) -> None:
    """Queue the same message (same `webhook-id`) again, at once, with a fresh schedule.
    The caller commits; the dispatcher's next pass sends it."""
    await db.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.id == delivery.id,
            # One being sent right now keeps its claim; its outcome is logged as usual.
            or_(
                WebhookDelivery.status != DeliveryStatus.PENDING,
                WebhookDelivery.lease_token.is_(None),
            ),
        )
        .values(
            status=DeliveryStatus.PENDING,
            attempts=0,
            next_attempt_at=utcnow(),
            lease_token=None,
            completed_at=None,
        )
    )

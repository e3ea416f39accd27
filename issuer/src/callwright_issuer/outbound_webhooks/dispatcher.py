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

Fairness (docs/security.md#fair-webhook-dispatch): a pass claims at most
`_PER_ENDPOINT` deliveries of one endpoint and `_PER_ORG` of one organization, round-robin
across organizations (each one's oldest first, then each one's second, ...), and skips
endpoints that have a delivery being sent (by any issuer), so one endpoint is never sent
to twice at once and its deliveries go out in the order they were written (created →
started → ended). Each endpoint's deliveries are their own task, at most
CALLWRIGHT_WEBHOOK_CONCURRENCY endpoints at once; a pass does not wait for them, so a
slow endpoint holds only itself. No request starts that could outlast its lease: what is
left of a claim then is handed back at once. Once an hour the loop deletes messages,
deliveries and attempts that ended more than CALLWRIGHT_WEBHOOK_RETENTION_DAYS ago.
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
from sqlalchemy import Select, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import aliased

from callwright_issuer.http.metrics import WEBHOOK_ATTEMPTS, WEBHOOK_BACKLOG, WEBHOOK_DELIVERIES
from callwright_issuer.outbound_webhooks.endpoints import clear_ended_overlaps, signing_secrets
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
from callwright_shared.settings import IssuerSettings

logger = logging.getLogger(__name__)

USER_AGENT = "callwright-webhooks/1"
_BATCH = 100
# Per pass: one endpoint's deliveries (sent in order) and one organization's.
_PER_ENDPOINT = 10
_PER_ORG = 20
_PURGE_EVERY_S = 3600.0
_PURGE_BATCH = 1000
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
        settings: IssuerSettings,
        client: httpx.AsyncClient,
    ) -> None:
        self._factory = session_factory
        self._settings = settings
        self._client = client
        self._slots = asyncio.Semaphore(settings.webhook_concurrency)
        self._sending: set[asyncio.Task[None]] = set()
        self._stopping = False
        self._purged_at: float | None = None

    async def run(self, stop: asyncio.Event) -> None:
        """Dispatch every interval (± 10 % jitter, so issuers spread out) until `stop`;
        then let the requests in flight end (no new one starts)."""
        interval = self._settings.webhook_dispatch_interval_seconds
        try:
            while True:
                try:
                    await asyncio.wait_for(
                        stop.wait(), timeout=interval * _jitter.uniform(0.9, 1.1)
                    )
                    return
                except TimeoutError:
                    pass
                try:
                    if len(self._sending) < self._settings.webhook_concurrency:
                        await self._start_pass()
                    await self._purge_when_due()
                except Exception as exc:  # a failed pass is retried at the next interval
                    logger.warning(
                        "webhook dispatch pass failed", extra={"error": type(exc).__name__}
                    )
        finally:
            self._stopping = True
            try:
                if self._sending:
                    await asyncio.wait(set(self._sending))
            finally:
                for task in self._sending:
                    task.cancel()

    async def dispatch_due(self) -> int:
        """One pass, waited for: claim what is due, send it; returns how many deliveries
        were claimed."""
        claimed, tasks = await self._start_pass()
        if tasks:
            await asyncio.wait(tasks)
        return claimed

    async def _start_pass(self) -> tuple[int, set[asyncio.Task[None]]]:
        """Claim what is due and start one task per endpoint; does not wait for them."""
        loop = asyncio.get_running_loop()
        # The last moment a request may start and still end (its timeout) within the
        # lease, measured from before the claim (the lease starts in the claim).
        deadline = (
            loop.time()
            + self._settings.webhook_lease_seconds
            - self._settings.webhook_timeout_seconds
        )
        claimed = await self._claim()
        by_endpoint: dict[str, list[_Claimed]] = {}
        for item in claimed:
            by_endpoint.setdefault(item.endpoint.id, []).append(item)
        tasks: set[asyncio.Task[None]] = set()
        for items in by_endpoint.values():
            task = asyncio.create_task(self._send_in_order(items, deadline))
            tasks.add(task)
            self._sending.add(task)
            task.add_done_callback(self._sending.discard)
        async with self._factory() as db:
            backlog = await db.scalar(
                select(func.count())
                .select_from(WebhookDelivery)
                .where(WebhookDelivery.status == DeliveryStatus.PENDING)
            )
        WEBHOOK_BACKLOG.set(backlog or 0)
        return len(claimed), tasks

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

    async def _send_in_order(self, items: Sequence[_Claimed], deadline: float) -> None:
        loop = asyncio.get_running_loop()
        try:
            async with self._slots:
                for index, item in enumerate(items):
                    if self._stopping or loop.time() > deadline:
                        await _hand_back(self._factory, items[index:])
                        return
                    await self._attempt(item)
        except Exception as exc:
            # Recording failed (the database): the lease runs out and the delivery is retried.
            logger.warning("webhook delivery not recorded", extra={"error": type(exc).__name__})

    async def _purge_when_due(self) -> None:
        now = asyncio.get_running_loop().time()
        if self._purged_at is not None and now - self._purged_at < _PURGE_EVERY_S:
            return
        self._purged_at = now
        await self.clear_ended_overlaps()
        await self.purge_expired()

    async def clear_ended_overlaps(self) -> int:
        """Forget rotated-out secrets once their overlap has ended."""
        async with self._factory() as db, serialized_writes(db):
            cleared = await clear_ended_overlaps(db, at=utcnow())
            await db.commit()
        return cleared

    async def purge_expired(self) -> int:
        """Delete what ended more than CALLWRIGHT_WEBHOOK_RETENTION_DAYS ago: finished
        deliveries with their attempts, then messages no delivery needs any more (a
        message holds the whole session's answer, transcript excerpt included). Pending
        deliveries are kept whatever their age. Returns the deliveries deleted."""
        days = self._settings.webhook_retention_days
        if days <= 0:
            return 0
        cutoff = utcnow() - timedelta(days=days)
        deleted = 0
        while True:
            async with self._factory() as db, serialized_writes(db):
                ids = list(
                    (
                        await db.execute(
                            select(WebhookDelivery.id)
                            .where(
                                WebhookDelivery.status != DeliveryStatus.PENDING,
                                WebhookDelivery.completed_at < cutoff,
                            )
                            .limit(_PURGE_BATCH)
                        )
                    ).scalars()
                )
                if ids:
                    await db.execute(
                        delete(WebhookAttempt).where(WebhookAttempt.delivery_id.in_(ids))
                    )
                    await db.execute(delete(WebhookDelivery).where(WebhookDelivery.id.in_(ids)))
                needed = (
                    select(WebhookDelivery.id)
                    .where(WebhookDelivery.message_id == WebhookMessage.id)
                    .exists()
                )
                messages = list(
                    (
                        await db.execute(
                            select(WebhookMessage.id)
                            .where(WebhookMessage.created_at < cutoff, ~needed)
                            .limit(_PURGE_BATCH)
                        )
                    ).scalars()
                )
                if messages:
                    await db.execute(delete(WebhookMessage).where(WebhookMessage.id.in_(messages)))
                await db.commit()
            deleted += len(ids)
            if len(ids) < _PURGE_BATCH and len(messages) < _PURGE_BATCH:
                return deleted

    async def _claim(self) -> list[_Claimed]:
        now = utcnow()
        token = secrets.token_hex(16)
        lease_until = now + timedelta(seconds=self._settings.webhook_lease_seconds)
        due = _fair_due(now).with_for_update(skip_locked=True)
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


def _fair_due(now: datetime) -> Select[str]:
    """The ids of the deliveries a pass takes: due, of no endpoint being sent to, the
    oldest `_PER_ENDPOINT` of each endpoint, then the oldest `_PER_ORG` of those per
    organization, round-robin across organizations, `_BATCH` in all. (The window
    functions are in subqueries: Postgres refuses FOR UPDATE beside them.)"""
    table = WebhookDelivery
    sending = aliased(WebhookDelivery)
    busy = (
        select(sending.id)
        .where(
            sending.endpoint_id == table.endpoint_id,
            sending.status == DeliveryStatus.PENDING,
            sending.lease_token.is_not(None),
            sending.next_attempt_at > now,
        )
        .exists()
    )
    age = (table.next_attempt_at, table.created_at, table.id)
    ranked = (
        select(
            table.id,
            table.org_id,
            table.next_attempt_at,
            table.created_at,
            func.row_number().over(partition_by=table.endpoint_id, order_by=age).label("rank"),
        )
        .where(table.status == DeliveryStatus.PENDING, table.next_attempt_at <= now, ~busy)
        .subquery()
    )
    per_org = (
        select(
            ranked.c.id,
            ranked.c.next_attempt_at,
            ranked.c.created_at,
            func.row_number()
            .over(
                partition_by=ranked.c.org_id,
                order_by=(ranked.c.next_attempt_at, ranked.c.created_at, ranked.c.id),
            )
            .label("turn"),
        )
        .where(ranked.c.rank <= _PER_ENDPOINT)
        .subquery()
    )
    chosen = (
        select(per_org.c.id)
        .where(per_org.c.turn <= _PER_ORG)
        .order_by(per_org.c.turn, per_org.c.next_attempt_at, per_org.c.created_at)
        .limit(_BATCH)
    )
    return select(table.id).where(
        table.id.in_(chosen),
        table.status == DeliveryStatus.PENDING,
        table.next_attempt_at <= now,
    )


async def _hand_back(factory: async_sessionmaker[AsyncSession], items: Sequence[_Claimed]) -> None:
    """Release claimed deliveries not sent (the pass's deadline, or the issuer stopping):
    due at once, for the next pass of any issuer."""
    if not items:
        return
    async with factory() as db, serialized_writes(db):
        await db.execute(
            update(WebhookDelivery)
            .where(
                WebhookDelivery.id.in_([item.delivery_id for item in items]),
                WebhookDelivery.lease_token == items[0].token,
            )
            .values(lease_token=None, next_attempt_at=utcnow())
        )
        await db.commit()


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

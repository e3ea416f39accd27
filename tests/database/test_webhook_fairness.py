"""Outbound webhooks shared fairly between organizations, on both databases: a slow
endpoint holds only itself, an organization's endpoints and test events are capped, and
old messages are purged.

The issuer runs in-process with its dispatcher on a short interval; receivers are real
HTTP servers on loopback. A "tarpit" is a receiver that holds every request until the
test releases it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from callwright_devstack.api import assert_error, issuer_client
from callwright_devstack.services.webhook_receiver import WebhookReceiver
from callwright_devstack.tenants import Tenant, seed_tenant
from callwright_devstack.waiting import eventually
from callwright_issuer.outbound_webhooks.dispatcher import WebhookDispatcher
from callwright_shared import outbound
from callwright_shared.db.engine import create_engine, create_session_factory
from callwright_shared.db.models import (
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookMessage,
    utcnow,
)
from callwright_shared.ids import new_webhook_delivery_id, new_webhook_message_id
from callwright_shared.sessions.outbox import envelope
from tests.database.test_outbound_webhooks import (
    chat_session_lived,
    create_endpoint,
    deliveries_where,
    webhook_settings,
)

pytestmark = pytest.mark.database


@pytest.fixture
async def tenant(database_url: str) -> Tenant:
    return await seed_tenant(database_url)


@pytest.fixture
async def receiver() -> AsyncIterator[WebhookReceiver]:
    async with WebhookReceiver() as r:
        yield r


@pytest.fixture
async def tarpit() -> AsyncIterator[WebhookReceiver]:
    async with WebhookReceiver(answers=["hold"] * 1000) as r:
        try:
            yield r
        finally:
            r.release()


async def queue_deliveries(
    database_url: str, tenant: Tenant, endpoint_id: str, count: int, *, age: timedelta
) -> None:
    """`count` session events due for `endpoint_id`, written `age` ago (older than what
    any other organization queues after them)."""
    at = utcnow() - age
    engine = create_engine(database_url)
    try:
        async with create_session_factory(engine)() as db:
            for _ in range(count):
                message = WebhookMessage(
                    id=new_webhook_message_id(),
                    org_id=tenant.org_id,
                    type="session.created",
                    session_id=None,
                    payload=envelope("session.created", at, {"queued": True}),
                    created_at=at,
                )
                db.add(message)
                await db.flush()
                db.add(
                    WebhookDelivery(
                        id=new_webhook_delivery_id(),
                        org_id=tenant.org_id,
                        message_id=message.id,
                        endpoint_id=endpoint_id,
                        status=DeliveryStatus.PENDING,
                        attempts=0,
                        next_attempt_at=at,
                        created_at=at,
                    )
                )
            await db.commit()
    finally:
        await engine.dispose()


async def test_a_slow_endpoint_does_not_hold_another_organizations_deliveries(
    database_url: str, tenant: Tenant, receiver: WebhookReceiver, tarpit: WebhookReceiver
) -> None:
    other = await seed_tenant(database_url, user_id="other_user")
    # The tarpit's request outlives the test: it is never timed out meanwhile.
    settings = webhook_settings(database_url, webhook_timeout_seconds=60, webhook_lease_seconds=120)
    async with issuer_client(settings) as client:
        slow = await create_endpoint(client, tenant, tarpit.url)
        await queue_deliveries(database_url, tenant, slow["id"], 100, age=timedelta(minutes=5))
        await tarpit.wait_held(1)
        fast = await create_endpoint(client, other, receiver.url)
        await chat_session_lived(client, other)
        # Attempted while the tarpit still holds its first request: it holds only itself.
        await receiver.wait_for(3, within=60)
        assert tarpit.held and not tarpit.requests
        # One endpoint is never sent to twice at once: its deliveries stay in order.
        assert len(tarpit.held) == 1
        await eventually(
            deliveries_where(
                client,
                other,
                fast["id"],
                lambda ds: len(ds) == 3 and all(d["status"] == "succeeded" for d in ds),
            ),
            within=30,
            what="the other organization's deliveries succeeded",
        )
        tarpit.release()


async def test_an_organization_has_at_most_the_operators_number_of_endpoints(
    database_url: str, tenant: Tenant, receiver: WebhookReceiver
) -> None:
    settings = webhook_settings(database_url, webhook_endpoints_per_org=2)
    other = await seed_tenant(database_url, user_id="other_user")
    async with issuer_client(settings) as client:
        first = await create_endpoint(client, tenant, receiver.url)
        await create_endpoint(client, tenant, receiver.url)
        refused = await client.post(
            "/v1/webhook-endpoints", json={"url": receiver.url}, headers=tenant.headers
        )
        error = assert_error(refused, 409, "endpoint_limit_reached")
        assert error["param"] == "url"
        # Another organization's count is its own; a deleted endpoint frees its place.
        await create_endpoint(client, other, receiver.url)
        deleted = await client.delete(
            f"/v1/webhook-endpoints/{first['id']}", headers=tenant.headers
        )
        assert deleted.status_code == 200, deleted.text
        await create_endpoint(client, tenant, receiver.url)


async def test_test_events_are_limited_per_organization_and_minute(
    database_url: str, tenant: Tenant, receiver: WebhookReceiver
) -> None:
    settings = webhook_settings(database_url, webhook_test_events_per_minute=2)
    async with issuer_client(settings) as client:
        endpoint = await create_endpoint(client, tenant, receiver.url)
        test = f"/v1/webhook-endpoints/{endpoint['id']}/test"
        for _ in range(2):
            sent = await client.post(test, headers=tenant.headers)
            assert sent.status_code == 200, sent.text
        refused = await client.post(test, headers=tenant.headers)
        assert_error(refused, 429, "rate_limited")
        assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert len(receiver.requests) == 2


async def test_deliveries_that_ended_past_the_retention_are_purged(
    database_url: str, tenant: Tenant, receiver: WebhookReceiver
) -> None:
    settings = webhook_settings(database_url, webhook_retention_days=7)
    async with issuer_client(settings) as client:
        endpoint = await create_endpoint(client, tenant, receiver.url)
        old_session = await chat_session_lived(client, tenant)
        await receiver.wait_for(3)
        await eventually(
            deliveries_where(
                client,
                tenant,
                endpoint["id"],
                lambda ds: len(ds) == 3 and all(d["status"] == "succeeded" for d in ds),
            ),
            within=30,
            what="three succeeded deliveries",
        )
    engine = create_engine(database_url)
    try:
        factory = create_session_factory(engine)
        long_ago = utcnow() - timedelta(days=8)
        async with factory() as db:
            await db.execute(
                update(WebhookMessage)
                .where(WebhookMessage.session_id == old_session)
                .values(created_at=long_ago)
            )
            old_messages = select(WebhookMessage.id).where(WebhookMessage.session_id == old_session)
            await db.execute(
                update(WebhookDelivery)
                .where(WebhookDelivery.message_id.in_(old_messages))
                .values(created_at=long_ago, completed_at=long_ago)
            )
            await db.commit()
        # A recent finished one and a pending one (however old) are kept.
        async with issuer_client(webhook_settings(database_url)) as client:
            await chat_session_lived(client, tenant)
            await receiver.wait_for(6)
        await queue_deliveries(database_url, tenant, endpoint["id"], 1, age=timedelta(days=30))
        async with outbound.new_client() as http:
            dispatcher = WebhookDispatcher(factory, settings, http)
            assert await dispatcher.purge_expired() == 3
        async with factory() as db:
            sessions = (await db.execute(select(WebhookMessage.session_id))).scalars().all()
            assert old_session not in sessions and len(sessions) == 4
            statuses = (await db.execute(select(WebhookDelivery.status))).scalars().all()
            assert sorted(statuses) == ["pending"] + ["succeeded"] * 3
            attempts = await db.scalar(select(func.count()).select_from(WebhookAttempt))
            assert attempts == 3
    finally:
        await engine.dispose()

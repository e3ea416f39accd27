"""Outbound lifecycle webhooks on both databases, with chat sessions (no worker
needed): endpoints and their strict bodies, events signed per Standard Webhooks, retries,
failure, redelivery, the disabling of a failing endpoint, and secret rotation.

The issuer runs in-process with its dispatcher on a short interval and a short retry
schedule; the receiver is a real HTTP server on loopback (outbound private addresses
allowed, as an operator does for a receiver on its own network)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update

from callwright_devstack.api import assert_error, issuer_client, session_of
from callwright_devstack.ports import free_tcp_port
from callwright_devstack.services.webhook_receiver import WebhookReceiver
from callwright_devstack.tenants import Tenant, make_settings, seed_tenant
from callwright_devstack.waiting import eventually
from callwright_shared.db.engine import create_engine, create_session_factory
from callwright_shared.db.models import WebhookEndpoint, utcnow
from callwright_shared.settings import CallwrightSettings

pytestmark = pytest.mark.database


def webhook_settings(database_url: str, **overrides: object) -> CallwrightSettings:
    values: dict[str, object] = {
        "reconcile_interval_seconds": 0,
        "redispatch_interval_seconds": 0,
        "outbound_allow_private": True,
        "webhook_dispatch_interval_seconds": 0.1,
        "webhook_retry_schedule_seconds": (0.1, 0.1),
        **overrides,
    }
    return make_settings(database_url, None, **values)


@pytest.fixture
async def tenant(database_url: str) -> Tenant:
    return await seed_tenant(database_url)


@pytest.fixture
async def receiver() -> AsyncIterator[WebhookReceiver]:
    async with WebhookReceiver() as r:
        yield r


async def create_endpoint(
    client: httpx.AsyncClient, tenant: Tenant, url: str, **fields: Any
) -> dict[str, Any]:
    response = await client.post(
        "/v1/webhook-endpoints", json={"url": url, **fields}, headers=tenant.headers
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def chat_session_lived(client: httpx.AsyncClient, tenant: Tenant) -> str:
    """A chat session created and ended: session.created, .started and .ended."""
    response = await client.post(
        "/v1/sessions/chat", json={"agent_id": tenant.agent_id}, headers=tenant.headers
    )
    assert response.status_code == 200, response.text
    session_id: str = response.json()["session_id"]
    ended = await client.post(f"/v1/sessions/{session_id}/end", headers=tenant.headers)
    assert ended.status_code == 200, ended.text
    return session_id


async def deliveries_of(
    client: httpx.AsyncClient, tenant: Tenant, endpoint_id: str
) -> list[dict[str, Any]]:
    response = await client.get(
        f"/v1/webhook-endpoints/{endpoint_id}/deliveries", headers=tenant.headers
    )
    assert response.status_code == 200, response.text
    data: list[dict[str, Any]] = response.json()["data"]
    return data


def deliveries_where(
    client: httpx.AsyncClient,
    tenant: Tenant,
    endpoint_id: str,
    done: Callable[[list[dict[str, Any]]], bool],
) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        return done(await deliveries_of(client, tenant, endpoint_id))

    return check


async def test_a_chat_session_sends_created_started_ended_signed_in_order(
    database_url: str, tenant: Tenant, receiver: WebhookReceiver
) -> None:
    async with issuer_client(webhook_settings(database_url)) as client:
        endpoint = await create_endpoint(client, tenant, receiver.url)
        assert endpoint["secret"].startswith("whsec_")
        session_id = await chat_session_lived(client, tenant)
        await receiver.wait_for(3)
        payloads = receiver.verified(endpoint["secret"])
        assert [p["type"] for p in payloads] == [
            "session.created",
            "session.started",
            "session.ended",
        ]
        assert {p["data"]["session"]["id"] for p in payloads} == {session_id}
        assert payloads[-1]["data"]["session"] == await session_of(client, tenant, session_id)
        assert len({r.webhook_id for r in receiver.requests}) == 3
        # One logical delivery each, succeeded at the first attempt, logged.
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
        for delivery in await deliveries_of(client, tenant, endpoint["id"]):
            [attempt] = delivery["attempts"]
            assert attempt["status_code"] == 200
            assert attempt["response_excerpt"] == "answered 200"
        metrics = (await client.get("/metrics")).text
        assert 'callwright_webhook_deliveries_total{outcome="succeeded"}' in metrics
        assert "callwright_webhook_outbox_backlog" in metrics


async def test_endpoints_are_the_organizations_own_and_bodies_are_strict(
    database_url: str, tenant: Tenant
) -> None:
    other = await seed_tenant(database_url, user_id="other_user")
    async with issuer_client(webhook_settings(database_url)) as client:
        created = await create_endpoint(
            client,
            tenant,
            "https://hooks.example.com/callwright",
            events=["session.ended"],
            agent_id=tenant.agent_id,
        )
        path = f"/v1/webhook-endpoints/{created['id']}"
        shown = (await client.get(path, headers=tenant.headers)).json()
        assert "secret" not in shown
        assert (shown["events"], shown["agent_id"], shown["enabled"]) == (
            ["session.ended"],
            tenant.agent_id,
            True,
        )
        listed = (await client.get("/v1/webhook-endpoints", headers=tenant.headers)).json()
        assert [e["id"] for e in listed["data"]] == [created["id"]]
        assert_error(await client.get(path, headers=other.headers), 404, "not_found")
        assert_error(
            await client.patch(path, json={"enabled": False}, headers=other.headers),
            404,
            "not_found",
        )
        assert (await client.get("/v1/webhook-endpoints", headers=other.headers)).json()[
            "data"
        ] == []

        bad_bodies = [
            ({"url": "https://a.example.com", "colour": "red"}, "colour"),
            ({"url": "ftp://a.example.com/x"}, "url"),
            ({"url": "https://a.example.com", "events": ["call.ended"]}, "events.0"),
            ({"url": "https://a.example.com", "events": []}, "events"),
            ({"url": 7}, "url"),
        ]
        for body, param in bad_bodies:
            error = assert_error(
                await client.post("/v1/webhook-endpoints", json=body, headers=tenant.headers),
                400,
                "invalid_request",
            )
            assert error["param"] == param, body
        assert_error(
            await client.post(
                "/v1/webhook-endpoints",
                json={"url": "https://a.example.com", "agent_id": other.agent_id},
                headers=tenant.headers,
            ),
            404,
            "agent_not_found",
        )
        patched = await client.patch(
            path, json={"events": ["session.created"], "agent_id": None}, headers=tenant.headers
        )
        assert patched.status_code == 200, patched.text
        assert (patched.json()["events"], patched.json()["agent_id"]) == (["session.created"], None)
        error = assert_error(
            await client.patch(path, json={"url": None}, headers=tenant.headers),
            400,
            "invalid_request",
        )
        assert error["param"] == "url"
        deleted = await client.delete(path, headers=tenant.headers)
        assert deleted.json() == {
            "id": created["id"],
            "object": "webhook_endpoint",
            "deleted": True,
        }
        assert_error(await client.get(path, headers=tenant.headers), 404, "not_found")

    # Without the operator's permission, loopback, private and link-local URLs are refused.
    async with issuer_client(
        webhook_settings(database_url, outbound_allow_private=False)
    ) as client:
        for url in (
            "http://127.0.0.1:8080/hooks",
            "http://localhost/hooks",
            "http://10.1.2.3/hooks",
            "http://169.254.169.254/latest/meta-data",
            "http://[::1]/hooks",
            "http://[::ffff:127.0.0.1]/hooks",
        ):
            error = assert_error(
                await client.post(
                    "/v1/webhook-endpoints", json={"url": url}, headers=tenant.headers
                ),
                400,
                "invalid_request",
            )
            assert error["param"] == "url", url


async def test_500_twice_then_200_is_three_attempts_of_one_delivery(
    database_url: str, tenant: Tenant, receiver: WebhookReceiver
) -> None:
    receiver.answers = [500, 500]
    async with issuer_client(webhook_settings(database_url)) as client:
        endpoint = await create_endpoint(client, tenant, receiver.url, events=["session.ended"])
        session_id = await chat_session_lived(client, tenant)
        await eventually(
            deliveries_where(
                client, tenant, endpoint["id"], lambda ds: ds[0]["status"] == "succeeded"
            ),
            within=30,
            what="the delivery to succeed",
        )
        [delivery] = await deliveries_of(client, tenant, endpoint["id"])
        assert (delivery["event_type"], delivery["session_id"]) == ("session.ended", session_id)
        assert [a["status_code"] for a in delivery["attempts"]] == [500, 500, 200]
        assert [a["response_excerpt"] for a in delivery["attempts"]] == [
            "answered 500",
            "answered 500",
            "answered 200",
        ]
        assert [r.status for r in receiver.requests] == [500, 500, 200]
        # The same message every time: one webhook-id, the same bytes, each signed afresh.
        assert {r.webhook_id for r in receiver.requests} == {delivery["message_id"]}
        assert len({r.body for r in receiver.requests}) == 1
        receiver.verified(endpoint["secret"])


async def test_retry_after_of_a_429_is_honoured_and_3xx_is_not_followed(
    database_url: str, tenant: Tenant, receiver: WebhookReceiver
) -> None:
    # A schedule of an hour: only Retry-After: 0 can bring the second attempt in time.
    receiver.answers = [(429, {"Retry-After": "0"}), (302, {"Location": "/elsewhere"})]
    settings = webhook_settings(database_url, webhook_retry_schedule_seconds=(0.1, 0.1))
    async with issuer_client(settings) as client:
        endpoint = await create_endpoint(client, tenant, receiver.url, events=["session.ended"])
        await chat_session_lived(client, tenant)
        await eventually(
            deliveries_where(
                client, tenant, endpoint["id"], lambda ds: ds[0]["status"] == "succeeded"
            ),
            within=30,
            what="the delivery to succeed",
        )
        assert [r.path for r in receiver.requests] == ["/hooks"] * 3
    receiver.answers = [(429, {"Retry-After": "0"})]
    settings = webhook_settings(database_url, webhook_retry_schedule_seconds=(3600.0,))
    async with issuer_client(settings) as client:
        endpoint = await create_endpoint(client, tenant, receiver.url, events=["session.ended"])
        await chat_session_lived(client, tenant)
        await eventually(
            deliveries_where(
                client, tenant, endpoint["id"], lambda ds: ds[0]["status"] == "succeeded"
            ),
            within=30,
            what="the delivery retried at once, as Retry-After said",
        )


async def test_a_receiver_down_past_the_schedule_fails_then_redelivery_succeeds(
    database_url: str, tenant: Tenant
) -> None:
    port = free_tcp_port()  # nobody listens there yet
    settings = webhook_settings(database_url, webhook_disable_after_failures=1)
    async with issuer_client(settings) as client:
        receiver = WebhookReceiver(port=port)
        endpoint = await create_endpoint(client, tenant, receiver.url, events=["session.ended"])
        await chat_session_lived(client, tenant)
        await eventually(
            deliveries_where(
                client, tenant, endpoint["id"], lambda ds: ds[0]["status"] == "failed"
            ),
            within=30,
            what="the delivery to fail",
        )
        [delivery] = await deliveries_of(client, tenant, endpoint["id"])
        assert len(delivery["attempts"]) == 3  # the first and the schedule's two retries
        assert all(a["status_code"] is None and a["error"] for a in delivery["attempts"])
        path = f"/v1/webhook-endpoints/{endpoint['id']}"
        shown = (await client.get(path, headers=tenant.headers)).json()
        assert shown["enabled"] is False
        assert "in a row failed" in shown["disabled_reason"]

        redeliver = f"{path}/deliveries/{delivery['id']}/redeliver"
        assert_error(await client.post(redeliver, headers=tenant.headers), 409, "endpoint_disabled")
        enabled = await client.patch(path, json={"enabled": True}, headers=tenant.headers)
        assert (enabled.json()["enabled"], enabled.json()["disabled_reason"]) == (True, None)
        async with receiver:
            again = await client.post(redeliver, headers=tenant.headers)
            assert again.status_code == 200, again.text
            assert again.json()["status"] == "pending"
            await receiver.wait_for(1)
            await eventually(
                deliveries_where(
                    client, tenant, endpoint["id"], lambda ds: ds[0]["status"] == "succeeded"
                ),
                within=30,
                what="the redelivery to succeed",
            )
        assert receiver.requests[0].webhook_id == delivery["message_id"]
        [payload] = receiver.verified(endpoint["secret"])
        assert payload["type"] == "session.ended"
        [after] = await deliveries_of(client, tenant, endpoint["id"])
        assert [a["status_code"] for a in after["attempts"]] == [None, None, None, 200]


async def test_410_gone_disables_the_endpoint(
    database_url: str, tenant: Tenant, receiver: WebhookReceiver
) -> None:
    receiver.default_status = 410
    async with issuer_client(webhook_settings(database_url)) as client:
        endpoint = await create_endpoint(client, tenant, receiver.url)
        test = await client.post(
            f"/v1/webhook-endpoints/{endpoint['id']}/test", headers=tenant.headers
        )
        assert test.status_code == 200, test.text
        assert (test.json()["status"], test.json()["attempts"][0]["status_code"]) == ("failed", 410)
        shown = (
            await client.get(f"/v1/webhook-endpoints/{endpoint['id']}", headers=tenant.headers)
        ).json()
        assert (shown["enabled"], shown["disabled_reason"]) == (
            False,
            "The endpoint answered 410 Gone.",
        )
        # Disabled: no more events are sent to it.
        await chat_session_lived(client, tenant)
        assert await deliveries_of(client, tenant, endpoint["id"]) == [test.json()]
        assert len(receiver.requests) == 1


async def test_after_a_rotation_both_secrets_sign_during_the_overlap(
    database_url: str, tenant: Tenant, receiver: WebhookReceiver
) -> None:
    async with issuer_client(webhook_settings(database_url)) as client:
        endpoint = await create_endpoint(client, tenant, receiver.url)
        path = f"/v1/webhook-endpoints/{endpoint['id']}"
        rotated = await client.post(f"{path}/rotate-secret", headers=tenant.headers)
        assert rotated.status_code == 200, rotated.text
        new_secret = rotated.json()["secret"]
        assert new_secret.startswith("whsec_") and new_secret != endpoint["secret"]
        assert rotated.json()["previous_secret_expires_at"] is not None
        test = await client.post(f"{path}/test", headers=tenant.headers)
        assert test.json()["status"] == "succeeded", test.text
        [request] = receiver.requests
        assert len(request.signatures) == 2
        [by_old] = receiver.verified(endpoint["secret"])
        [by_new] = receiver.verified(new_secret)
        assert by_old == by_new
        assert by_new["type"] == "webhook.test"
        assert by_new["data"] == {"endpoint_id": endpoint["id"]}

    # With no overlap, the previous secret stops signing at once.
    settings = webhook_settings(database_url, webhook_secret_overlap_seconds=0)
    async with issuer_client(settings) as client:
        rotated = await client.post(f"{path}/rotate-secret", headers=tenant.headers)
        latest = rotated.json()["secret"]
        assert rotated.json()["previous_secret_expires_at"] is None
        await client.post(f"{path}/test", headers=tenant.headers)
        request = receiver.requests[-1]
        assert len(request.signatures) == 1
        receiver.requests[:] = [request]
        receiver.verified(latest)
        with pytest.raises(Exception, match="No matching signature"):
            receiver.verified(new_secret)


async def test_a_previous_secret_is_forgotten_once_its_overlap_has_ended(
    database_url: str, tenant: Tenant, receiver: WebhookReceiver
) -> None:
    """The dispatcher's upkeep clears it from the row: a secret that signs nothing any
    more is not kept at rest (docs/security.md#secrets-at-rest)."""
    settings = webhook_settings(database_url, webhook_dispatch_interval_seconds=0)
    async with issuer_client(settings) as client:
        ended, lasting = [await create_endpoint(client, tenant, receiver.url) for _ in range(2)]
        for endpoint in (ended, lasting):
            rotated = await client.post(
                f"/v1/webhook-endpoints/{endpoint['id']}/rotate-secret", headers=tenant.headers
            )
            assert rotated.status_code == 200, rotated.text
    engine = create_engine(database_url)
    try:
        factory = create_session_factory(engine)
        async with factory() as db:
            await db.execute(
                update(WebhookEndpoint)
                .where(WebhookEndpoint.id == ended["id"])
                .values(previous_secret_expires_at=utcnow() - timedelta(seconds=1))
            )
            await db.commit()

        async def previous_secrets() -> dict[str, str | None]:
            async with factory() as db:
                rows = await db.execute(
                    select(WebhookEndpoint.id, WebhookEndpoint.previous_secret).where(
                        WebhookEndpoint.id.in_([ended["id"], lasting["id"]])
                    )
                )
                return {row.id: row.previous_secret for row in rows}

        assert None not in (await previous_secrets()).values()
        async with issuer_client(webhook_settings(database_url)):
            await eventually(
                lambda: _cleared(previous_secrets, ended["id"]),
                within=10,
                what="the ended overlap's secret cleared",
            )
        kept = await previous_secrets()
        assert kept[ended["id"]] is None
        assert kept[lasting["id"]] == lasting["secret"]
        async with factory() as db:
            row = await db.get(WebhookEndpoint, ended["id"])
            assert row is not None and row.previous_secret_expires_at is None
    finally:
        await engine.dispose()


async def _cleared(read: Callable[[], Awaitable[dict[str, str | None]]], endpoint_id: str) -> bool:
    return (await read())[endpoint_id] is None


async def test_an_address_refused_when_sent_is_a_failed_attempt_and_nothing_is_sent(
    database_url: str, tenant: Tenant, receiver: WebhookReceiver
) -> None:
    # Saved while the operator allowed private addresses; sent after they stopped it. A
    # name is resolved and checked at each request: `localhost` resolves to loopback.
    url = f"http://localhost:{receiver.port}/hooks"
    async with issuer_client(webhook_settings(database_url)) as client:
        endpoint = await create_endpoint(client, tenant, url)
    settings = webhook_settings(database_url, outbound_allow_private=False)
    async with issuer_client(settings) as client:
        test = await client.post(
            f"/v1/webhook-endpoints/{endpoint['id']}/test", headers=tenant.headers
        )
        assert test.status_code == 200, test.text
        [attempt] = test.json()["attempts"]
        assert attempt["status_code"] is None
        assert "private, loopback or link-local" in attempt["error"]
        assert test.json()["status"] == "pending"  # retried on the schedule
    assert receiver.requests == []

"""Outbound webhooks with real issuer processes: an issuer killed after the state change
and before the delivery, and two issuers dispatching from one Postgres."""

from __future__ import annotations

import asyncio
import json
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from callwright_devstack.checkout import ARTIFACTS
from callwright_devstack.services.callwright_process import CallwrightProcess
from callwright_devstack.services.postgres_server import PostgresServer, fresh_postgres_url
from callwright_devstack.services.webhook_receiver import WebhookReceiver
from callwright_devstack.tenants import Tenant, seed_tenant
from callwright_devstack.waiting import eventually
from callwright_shared.db.migrate import upgrade_async
from tests.support.issuer_env import issuer_env

pytestmark = pytest.mark.database

# These issuers deliver to loopback receivers, several passes a second.
DELIVERING = {
    "CALLWRIGHT_OUTBOUND_ALLOW_PRIVATE": "true",
    "CALLWRIGHT_WEBHOOK_DISPATCH_INTERVAL_SECONDS": "0.1",
}


@pytest.fixture
def issuers() -> Iterator[list[CallwrightProcess]]:
    started: list[CallwrightProcess] = []
    yield started
    for process in started:
        process.stop()


async def start_issuer(
    issuers: list[CallwrightProcess], env: dict[str, str], tmp_path: Path, name: str
) -> CallwrightProcess:
    process = CallwrightProcess(
        "issuer", "--no-migrate", env=env, log=ARTIFACTS / f"{name}.log", cwd=tmp_path
    )
    issuers.append(process)
    await asyncio.to_thread(process.start)
    return process


async def lived_chat_session(client: httpx.AsyncClient, base: str, tenant: Tenant) -> str:
    response = await client.post(
        f"{base}/v1/sessions/chat", json={"agent_id": tenant.agent_id}, headers=tenant.headers
    )
    assert response.status_code == 200, response.text
    session_id: str = response.json()["session_id"]
    ended = await client.post(f"{base}/v1/sessions/{session_id}/end", headers=tenant.headers)
    assert ended.status_code == 200, ended.text
    return session_id


async def deliveries(
    client: httpx.AsyncClient, base: str, tenant: Tenant, endpoint_id: str
) -> list[dict[str, Any]]:
    response = await client.get(
        f"{base}/v1/webhook-endpoints/{endpoint_id}/deliveries",
        params={"limit": 100},
        headers=tenant.headers,
    )
    assert response.status_code == 200, response.text
    data: list[dict[str, Any]] = response.json()["data"]
    return data


async def test_an_issuer_killed_before_delivering_leaves_the_events_to_the_next(
    sqlite_url: str, tmp_path: Path, issuers: list[CallwrightProcess]
) -> None:
    tenant = await seed_tenant(sqlite_url)
    # A short lease: the dead issuer's claim runs out soon and the next issuer takes over.
    # The request's timeout leaves the test 5 s to kill the issuer while it waits.
    env = issuer_env(
        sqlite_url,
        **DELIVERING,
        CALLWRIGHT_WEBHOOK_LEASE_SECONDS="6",
        CALLWRIGHT_WEBHOOK_TIMEOUT_SECONDS="5",
    )
    async with (
        WebhookReceiver(answers=["hold"]) as receiver,
        httpx.AsyncClient(timeout=30) as client,
    ):
        first = await start_issuer(issuers, env, tmp_path, "webhook-issuer-killed")
        response = await client.post(
            f"{first.url}/v1/webhook-endpoints",
            json={"url": receiver.url},
            headers=tenant.headers,
        )
        endpoint = response.json()
        session_id = await lived_chat_session(client, first.url, tenant)
        # The first event is being sent and the receiver holds it open: the issuer dies
        # while it waits (one endpoint's deliveries go one at a time, so nothing else has
        # been answered). The held request never got its answer to the issuer.
        held = await receiver.wait_held(1)
        os.kill(first.pid, signal.SIGKILL)
        first.stop()
        assert [json.loads(r.body)["type"] for r in held] == ["session.created"]
        assert receiver.requests == []
        receiver.release()

        second = await start_issuer(issuers, env, tmp_path, "webhook-issuer-restarted")
        await receiver.wait_for(3)
        payloads = receiver.verified(endpoint["secret"])
        # Each event once (no order: the one that was not claimed may go first).
        assert sorted(p["type"] for p in payloads) == [
            "session.created",
            "session.ended",
            "session.started",
        ]
        assert {p["data"]["session"]["id"] for p in payloads} == {session_id}

        async def all_succeeded() -> bool:
            found = await deliveries(client, second.url, tenant, endpoint["id"])
            return len(found) == 3 and all(d["status"] == "succeeded" for d in found)

        await eventually(all_succeeded, within=30, what="three succeeded deliveries")


async def test_two_issuers_on_postgres_deliver_each_event_once(
    postgres_server: PostgresServer, tmp_path: Path, issuers: list[CallwrightProcess]
) -> None:
    database_url = await fresh_postgres_url(postgres_server)
    await upgrade_async(database_url)
    tenant = await seed_tenant(database_url)
    env = issuer_env(
        database_url,
        **{**DELIVERING, "CALLWRIGHT_WEBHOOK_DISPATCH_INTERVAL_SECONDS": "0.05"},
    )
    async with WebhookReceiver() as receiver, httpx.AsyncClient(timeout=30) as client:
        bases = [
            (await start_issuer(issuers, env, tmp_path, f"webhook-fleet-{i}")).url for i in range(2)
        ]
        endpoint = (
            await client.post(
                f"{bases[0]}/v1/webhook-endpoints",
                json={"url": receiver.url},
                headers=tenant.headers,
            )
        ).json()
        await asyncio.gather(*(lived_chat_session(client, bases[i % 2], tenant) for i in range(8)))

        async def all_succeeded() -> bool:
            found = await deliveries(client, bases[1], tenant, endpoint["id"])
            return len(found) == 24 and all(d["status"] == "succeeded" for d in found)

        await eventually(all_succeeded, within=60, what="24 succeeded deliveries")
        found = await deliveries(client, bases[0], tenant, endpoint["id"])
        assert all(len(d["attempts"]) == 1 for d in found)
        ids = [r.webhook_id for r in receiver.requests]
        assert sorted(ids) == sorted(d["message_id"] for d in found)
        assert len(set(ids)) == 24

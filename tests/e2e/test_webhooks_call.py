"""A real call's lifecycle webhooks: a loopback receiver, verifying each request with the
`standardwebhooks` library, gets session.created, .started and .ended in that order, and
the ended event carries the session as GET /v1/sessions/{id} shows it."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from callwright_devstack.api import create_voice_session, session_of
from callwright_devstack.services.webhook_receiver import WebhookReceiver
from tests.e2e.support import Stack, join, new_tenant, wait_ended

pytestmark = pytest.mark.e2e


async def test_a_call_sends_created_started_ended_to_a_verifying_receiver(
    stack: Stack, client: httpx.AsyncClient
) -> None:
    tenant = await new_tenant(stack)
    async with WebhookReceiver() as receiver:
        response = await client.post(
            "/v1/webhook-endpoints", json={"url": receiver.url}, headers=tenant.headers
        )
        assert response.status_code == 200, response.text
        secret = response.json()["secret"]
        body = await create_voice_session(client, tenant)
        caller = await join(body)
        await asyncio.wait_for(caller.agent_joined.wait(), 30)
        await receiver.wait_for(2, within=60)
        await caller.leave()
        session = await wait_ended(client, tenant, body["session_id"], within=60)
        await receiver.wait_for(3, within=60)
        payloads = receiver.verified(secret)
    assert [p["type"] for p in payloads] == ["session.created", "session.started", "session.ended"]
    created, started, ended = (p["data"]["session"] for p in payloads)
    assert (created["status"], started["status"]) == ("created", "active")
    assert started["started_at"] is not None
    assert ended == session == await session_of(client, tenant, body["session_id"])
    assert (ended["status"], ended["end_reason"]) == ("ended", "user_left")

"""Limits that hold across several issuers, and reads bounded by columns and rate: the
per-key buckets kept in the database (callwright_shared.db.rate_buckets), rejoin tokens
for the session's own user, and the stats read that never loads a whole session."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event

from callwright_devstack.api import assert_error, issuer_client
from callwright_devstack.database import database
from callwright_devstack.tenants import Tenant, make_settings, seed_tenant
from callwright_shared.db.models import Session
from callwright_shared.tenants import api_keys, organizations
from tests.support.call_records import Turn, seed_call

pytestmark = pytest.mark.database

# One request back every 100 seconds: nothing refills while a test runs.
SLOW = 0.01


@contextmanager
def session_loads() -> Iterator[list[Any]]:
    """Every `Session` instance the ORM loads meanwhile (a whole row: transcript, config)."""
    loaded: list[Any] = []

    def on_load(target: Any, context: Any) -> None:
        loaded.append(target)

    event.listen(Session, "load", on_load)
    try:
        yield loaded
    finally:
        event.remove(Session, "load", on_load)


async def test_two_issuers_share_one_creation_limit(database_url: str) -> None:
    tenant = await seed_tenant(database_url)
    settings = make_settings(
        database_url, None, session_create_burst=3, session_create_per_second=SLOW
    )
    async with issuer_client(settings) as first, issuer_client(settings) as second:
        # The bucket is taken before the body is read: an empty body is a counted 400.
        answers = [
            await client.post("/v1/sessions/chat", json={}, headers=tenant.headers)
            for client in (first, second, first, second)
        ]
    assert [a.status_code for a in answers] == [400, 400, 400, 429], [a.text for a in answers]
    refused = assert_error(answers[-1], 429, "rate_limited")
    assert "Retry-After" in answers[-1].headers, refused


async def test_list_and_stats_reads_are_rate_limited_per_key(database_url: str) -> None:
    tenant = await seed_tenant(database_url)
    other = await seed_tenant(database_url)
    settings = make_settings(database_url, None, read_burst=3, read_per_second=SLOW)
    async with issuer_client(settings) as first, issuer_client(settings) as second:
        paths = ["/v1/sessions", "/v1/agents", f"/v1/agents/{tenant.agent_id}/stats"]
        for client, path in zip((first, second, first), paths, strict=True):
            answer = await client.get(path, headers=tenant.headers)
            assert answer.status_code == 200, answer.text
        for path in paths:
            assert_error(await second.get(path, headers=tenant.headers), 429, "rate_limited")
        # Another key has its own allowance; a single session is not a list read.
        assert (await first.get("/v1/sessions", headers=other.headers)).status_code == 200


async def test_stats_read_no_whole_session(database_url: str) -> None:
    tenant = await seed_tenant(database_url)
    turns = [
        Turn("hi", "Hello!", llm_ttft=0.3, e2e=0.9),
        Turn("why", "Because.", llm_ttft=0.5, e2e=1.1, interrupted=True),
    ]
    await seed_call(database_url, tenant, turns, agent_seconds=30)
    await seed_call(database_url, tenant, turns[:1], agent_seconds=60)
    async with issuer_client(make_settings(database_url, None)) as client:
        with session_loads() as loaded:
            answer = await client.get(f"/v1/agents/{tenant.agent_id}/stats", headers=tenant.headers)
        assert answer.status_code == 200, answer.text
        assert loaded == [], "stats loaded whole sessions (transcript and config)"
        figures = answer.json()
        assert (figures["sessions"], figures["ended_sessions"]) == (2, 2)
        assert figures["latency"]["turns"] == {
            "user": 3,
            "agent": 5,
            "interrupted": 1,
        }  # and 2 greetings
        assert figures["latency"]["llm_ttft_ms"]["max"] == 500.0
        assert figures["latency"]["e2e_ms"]["p50"] == 900.0
        assert figures["duration_seconds"]["max"] == 60.0


async def second_user(database_url: str, tenant: Tenant) -> dict[str, str]:
    """A key of another user of the same organization."""
    async with database(database_url) as db:
        await organizations.create_user(db, org_id=tenant.org_id, user_id="user_2")
        minted = await api_keys.mint_key(db, org_id=tenant.org_id, user_id="user_2")
        await db.commit()
    return {"X-API-Key": minted.api_key}


async def test_a_rejoin_token_is_only_for_the_sessions_user(database_url: str) -> None:
    tenant = await seed_tenant(database_url)
    colleague = await second_user(database_url, tenant)
    call = await seed_call(database_url, tenant, [Turn("hi", "Hello!")])
    settings = make_settings(
        database_url, None, session_create_burst=2, session_create_per_second=SLOW
    )
    async with issuer_client(settings) as client:
        url = f"/v1/sessions/{call.session_id}/token"
        # Another user's key is told nothing about the session (as for an unknown id).
        assert_error(await client.post(url, headers=colleague), 404, "session_not_found")
        # The session's own user gets the usual answer (it has ended here).
        assert_error(await client.post(url, headers=tenant.headers), 409, "session_ended")
        assert_error(await client.post(url, headers=tenant.headers), 409, "session_ended")
        # Rate-limited per key.
        assert_error(await client.post(url, headers=tenant.headers), 429, "rate_limited")

"""Post-call analysis on both databases, with the OpenAI emulator as the operator's
analysis LLM and the issuer's analysis pass run by the test: a chat session's analysis
succeeds, is charged once and announced once; output that does not fit the agent's
`data_schema` is retried, then `failed` and not charged; a voice session is analysed from
its settled transcript; a session with nothing said is `skipped`; an agent without
analysis gets none; the operator's organization and agent analysis prices are what is
charged; two issuers on one Postgres run each analysis once."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from callwright_devstack.api import assert_error
from callwright_devstack.database import database
from callwright_devstack.emulators import OpenAIEmulator
from callwright_devstack.services.postgres_server import PostgresServer, fresh_postgres_url
from callwright_devstack.tenants import Tenant, make_settings, seed_tenant
from callwright_issuer.app import create_app
from callwright_issuer.loops.analyses import analysis_pass
from callwright_shared.agents import definitions as agents
from callwright_shared.analysis.settings import AnalysisSettings
from callwright_shared.billing import credits, pricing
from callwright_shared.billing.pricing import PriceOverride
from callwright_shared.db.migrate import upgrade_async
from callwright_shared.db.models import (
    EndReason,
    LedgerEntry,
    LedgerKind,
    SessionAnalysis,
    WebhookMessage,
)
from callwright_shared.errors import InvalidRequestError
from callwright_shared.ids import new_session_id
from callwright_shared.operators import actions
from callwright_shared.sessions import lifecycle as sessions

pytestmark = pytest.mark.database

PROVIDER_KEY = "sk-test-analysis-0123456789"
PRICE = 5
DATA_SCHEMA = {
    "type": "object",
    "properties": {
        "order_id": {"type": "string"},
        "refund": {"type": "boolean"},
    },
    "required": ["order_id", "refund"],
}
ANALYSIS = {
    "success_criteria": "The caller learned where their order is.",
    "data_schema": DATA_SCHEMA,
    "instructions": "Order ids look like A42.",
}
VALID = {
    "summary": "The caller asked about order A42.",
    "success": True,
    "data": {"order_id": "A42", "refund": False},
}


def analysis_settings(**overrides: object) -> AnalysisSettings:
    values: dict[str, object] = {
        "credits_per_analysis": PRICE,
        "interval_seconds": 0,  # the test runs the passes
        "delay_seconds": 0,
        "retry_delay_seconds": 0,
        "attempts": 3,
        **overrides,
    }
    # model_validate: tests never read the developer's env or .env.
    return AnalysisSettings.model_validate(values)


@asynccontextmanager
async def issuer(
    database_url: str, emulator: OpenAIEmulator, analysis: AnalysisSettings
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    settings = make_settings(
        database_url,
        None,
        openai_base_url=emulator.base_url,
        openai_api_key=PROVIDER_KEY,
        reconcile_interval_seconds=0,
        webhook_dispatch_interval_seconds=0,
        outbound_allow_private=True,  # the webhook endpoint is on loopback
    )
    app = create_app(settings)
    app.state.analysis_settings = analysis
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://issuer") as client:
            yield app, client


@pytest.fixture
async def emulator() -> AsyncIterator[OpenAIEmulator]:
    async with OpenAIEmulator(reply="Your order A42 ships today.", require_key=PROVIDER_KEY) as emu:
        yield emu


async def chat_agent(client: httpx.AsyncClient, tenant: Tenant, **fields: Any) -> str:
    made = await client.post(
        "/v1/agents",
        headers=tenant.headers,
        json={"name": "Orders", "architecture": "text", **fields},
    )
    assert made.status_code == 200, made.text
    agent_id: str = made.json()["id"]
    return agent_id


async def ended_chat(client: httpx.AsyncClient, tenant: Tenant, agent_id: str) -> str:
    created = await client.post(
        "/v1/sessions/chat", headers=tenant.headers, json={"agent_id": agent_id}
    )
    assert created.status_code == 200, created.text
    session_id: str = created.json()["session_id"]
    sent = await client.post(
        f"/v1/sessions/{session_id}/messages",
        headers=tenant.headers,
        json={"message": "Where is my order A42?"},
    )
    assert sent.status_code == 200, sent.text
    ended = await client.post(f"/v1/sessions/{session_id}/end", headers=tenant.headers)
    assert ended.status_code == 200, ended.text
    return session_id


async def subscribe(client: httpx.AsyncClient, tenant: Tenant) -> None:
    made = await client.post(
        "/v1/webhook-endpoints",
        headers=tenant.headers,
        json={"url": "http://127.0.0.1:9/hooks", "events": ["session.analyzed"]},
    )
    assert made.status_code in (200, 201), made.text


async def session_of(client: httpx.AsyncClient, tenant: Tenant, session_id: str) -> Any:
    answer = await client.get(f"/v1/sessions/{session_id}", headers=tenant.headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


async def ledger_of(url: str, session_id: str) -> list[LedgerEntry]:
    async with database(url) as db:
        return list(
            (
                await db.execute(
                    select(LedgerEntry)
                    .where(LedgerEntry.session_id == session_id)
                    .order_by(LedgerEntry.id)
                )
            ).scalars()
        )


async def announced(url: str, session_id: str) -> list[dict[str, Any]]:
    async with database(url) as db:
        rows = (
            await db.execute(
                select(WebhookMessage).where(
                    WebhookMessage.session_id == session_id,
                    WebhookMessage.type == "session.analyzed",
                )
            )
        ).scalars()
        return [json.loads(row.payload) for row in rows]


async def assert_ledger_consistent(url: str, org_id: str) -> None:
    async with database(url) as db:
        assert await credits.ledger_totals(db, org_id) == await credits.read_balance(db, org_id)


async def test_a_chat_analysis_succeeds_is_charged_once_and_announced_once(
    database_url: str, emulator: OpenAIEmulator
) -> None:
    tenant = await seed_tenant(database_url, credits_amount=100)
    async with issuer(database_url, emulator, analysis_settings()) as (app, client):
        await subscribe(client, tenant)
        agent_id = await chat_agent(client, tenant, analysis=ANALYSIS)
        session_id = await ended_chat(client, tenant, agent_id)
        assert (await session_of(client, tenant, session_id))["analysis"]["status"] == "pending"
        emulator.structured_replies = [json.dumps(VALID)]

        factory = app.state.session_factory
        assert await analysis_pass(app.state, factory) == 1
        assert await analysis_pass(app.state, factory) == 0  # done: never run again

        analysis = (await session_of(client, tenant, session_id))["analysis"]
        assert analysis["status"] == "succeeded"
        assert analysis["summary"] == VALID["summary"]
        assert analysis["success"] is True
        assert analysis["data"] == VALID["data"]
        assert analysis["model"] == "gpt-4o-mini"
        assert analysis["completed_at"] is not None
        assert analysis.get("error") is None

        [request] = emulator.structured_requests
        assert request["model"] == "gpt-4o-mini"
        schema = request["response_format"]["json_schema"]["schema"]
        assert schema["properties"]["data"] == DATA_SCHEMA
        assert set(schema["required"]) == {"summary", "success", "data"}
        transcript = request["messages"][-1]["content"]
        assert "Caller: Where is my order A42?" in transcript
        assert "Agent: Your order A42 ships today." in transcript
        assert "Order ids look like A42." in request["messages"][0]["content"]

        captures = [
            e for e in await ledger_of(database_url, session_id) if e.kind is LedgerKind.CAPTURE
        ]
        analysis_captures = [e for e in captures if e.reference == f"analysis:{session_id}"]
        assert [e.amount for e in analysis_captures] == [PRICE]
        [message] = await announced(database_url, session_id)
        assert message["data"]["session"]["analysis"]["status"] == "succeeded"

        usage = (await client.get("/v1/usage", headers=tenant.headers)).json()
        assert usage["total"]["analyses"] == 1
        assert usage["total"]["chat_messages"] == 1
        assert usage["total"]["credits_captured"] == sum(e.amount for e in captures)
        session = await session_of(client, tenant, session_id)
        assert session["credits_charged"] == sum(e.amount for e in captures)
    await assert_ledger_consistent(database_url, tenant.org_id)


async def analysis_captures(url: str, session_id: str) -> list[int]:
    return [
        e.amount
        for e in await ledger_of(url, session_id)
        if e.kind is LedgerKind.CAPTURE and e.reference == f"analysis:{session_id}"
    ]


async def test_the_organization_and_agent_analysis_prices_are_what_is_charged(
    database_url: str, emulator: OpenAIEmulator
) -> None:
    """Agent price > organization price > CALLWRIGHT_PRICE_ANALYSIS_CREDITS, set through
    the operator's own path (what `admin set-price` and the prices route call)."""
    tenant = await seed_tenant(database_url, credits_amount=100)
    async with issuer(database_url, emulator, analysis_settings()) as (app, client):
        plain = await chat_agent(client, tenant, analysis=ANALYSIS)
        priced = await chat_agent(client, tenant, analysis=ANALYSIS)
        async with database(database_url) as db:
            org_answer = await actions.set_price(
                db,
                org_id=tenant.org_id,
                agent_id=None,
                prices=PriceOverride(credits_per_analysis=7),
                actor="cli",
            )
            agent_answer = await actions.set_price(
                db,
                org_id=tenant.org_id,
                agent_id=priced,
                prices=PriceOverride(credits_per_analysis=3),
                actor="cli",
            )
        assert org_answer["credits_per_analysis"] == 7
        assert agent_answer["credits_per_analysis"] == 3
        assert agent_answer["credits_per_minute"] is None  # the rest still inherits
        at_org_price = await ended_chat(client, tenant, plain)
        at_agent_price = await ended_chat(client, tenant, priced)
        emulator.structured_replies = [json.dumps(VALID), json.dumps(VALID)]
        assert await analysis_pass(app.state, app.state.session_factory) == 2
        for session_id in (at_org_price, at_agent_price):
            analysis = (await session_of(client, tenant, session_id))["analysis"]
            assert analysis["status"] == "succeeded", analysis
        assert await analysis_captures(database_url, at_org_price) == [7]
        assert await analysis_captures(database_url, at_agent_price) == [3]
        assert PRICE not in (7, 3)  # the default of settings was not what applied
    await assert_ledger_consistent(database_url, tenant.org_id)


async def test_an_invalid_analysis_price_is_refused_and_nothing_changes(
    database_url: str,
) -> None:
    tenant = await seed_tenant(database_url)
    async with database(database_url) as db:
        with pytest.raises(InvalidRequestError) as refused:
            await actions.set_price(
                db,
                org_id=tenant.org_id,
                agent_id=None,
                prices=PriceOverride(credits_per_analysis=-1),
                actor="cli",
            )
        assert refused.value.param == "credits_per_analysis"
        assert (await pricing.org_override(db, tenant.org_id)).credits_per_analysis is None


async def test_output_that_does_not_fit_is_retried_then_failed_and_not_charged(
    database_url: str, emulator: OpenAIEmulator
) -> None:
    tenant = await seed_tenant(database_url, credits_amount=100)
    async with issuer(database_url, emulator, analysis_settings()) as (app, client):
        await subscribe(client, tenant)
        agent_id = await chat_agent(client, tenant, analysis=ANALYSIS)
        session_id = await ended_chat(client, tenant, agent_id)
        emulator.structured_replies = [
            "not JSON at all",
            json.dumps({"summary": "x", "success": True}),
            json.dumps({**VALID, "data": {"order_id": 42, "refund": False}}),
        ]
        balance_before = (await client.get("/v1/credits", headers=tenant.headers)).json()

        factory = app.state.session_factory
        for _ in range(3):
            assert await analysis_pass(app.state, factory) == 1
        assert await analysis_pass(app.state, factory) == 0
        assert len(emulator.structured_requests) == 3

        analysis = (await session_of(client, tenant, session_id))["analysis"]
        assert analysis["status"] == "failed"
        assert "order_id" in analysis["error"]
        assert analysis["data"] is None

        entries = await ledger_of(database_url, session_id)
        assert not [e for e in entries if e.reference == f"analysis:{session_id}"]
        holds = [e.amount for e in entries if e.kind is LedgerKind.HOLD]
        releases = [e.amount for e in entries if e.kind is LedgerKind.RELEASE]
        assert PRICE in holds and PRICE in releases
        balance_after = (await client.get("/v1/credits", headers=tenant.headers)).json()
        assert balance_after == balance_before
        [message] = await announced(database_url, session_id)
        assert message["data"]["session"]["analysis"]["status"] == "failed"
        usage = (await client.get("/v1/usage", headers=tenant.headers)).json()
        assert usage["total"]["analyses"] == 0
        async with database(database_url) as db:
            row = await db.get(SessionAnalysis, session_id)
            assert row is not None
            assert (row.attempts, row.credits_charged) == (3, 0)
    await assert_ledger_consistent(database_url, tenant.org_id)


async def voice_session(url: str, tenant: Tenant, *, transcript: list[dict[str, Any]]) -> str:
    """A voice session of the tenant's agent settled with `transcript`."""
    session_id = new_session_id()
    async with database(url) as db:
        agent = await agents.get_agent(db, org_id=tenant.org_id, agent_id=tenant.agent_id)
        config = agents.config_of(agent).model_dump(mode="json")
        row = sessions.new_voice_session(
            session_id=session_id,
            org_id=tenant.org_id,
            user_id=tenant.user_id,
            agent_id=tenant.agent_id,
            room_name=f"room-{session_id}",
            hold=credits.Hold(amount=0, max_duration_seconds=60, limited_by_credits=False),
            credits_per_minute=0,
            metadata=None,
            config={"agent": config, "variables": {}, "secrets": [], "overrides": []},
        )
        db.add(row)
    async with database(url) as db:
        reason = EndReason.USER_LEFT if transcript else EndReason.USER_NOT_JOINED
        settled = await sessions.settle(db, session_id, end_reason=reason, transcript=transcript)
        assert settled.applied
    return session_id


SAID = [
    {"role": "user", "content": "Where is my order A42?"},
    {"role": "assistant", "content": "It ships today."},
]


async def test_voice_sessions_are_analysed_skipped_when_silent_and_left_alone_without_analysis(
    database_url: str, emulator: OpenAIEmulator
) -> None:
    tenant = await seed_tenant(database_url, credits_amount=100, agent={"analysis": ANALYSIS})
    plain = await seed_tenant(database_url, credits_amount=100)
    async with issuer(database_url, emulator, analysis_settings()) as (app, client):
        spoken = await voice_session(database_url, tenant, transcript=SAID)
        silent = await voice_session(database_url, tenant, transcript=[])
        unasked = await voice_session(database_url, plain, transcript=SAID)
        assert await analysis_pass(app.state, app.state.session_factory) == 2

        analysed = (await session_of(client, tenant, spoken))["analysis"]
        assert analysed["status"] == "succeeded"
        # The emulator's default answer: a value that fits the schema.
        assert analysed["data"] == {"order_id": "example", "refund": True}
        skipped = (await session_of(client, tenant, silent))["analysis"]
        assert skipped["status"] == "skipped"
        assert skipped["summary"] is None
        assert (await session_of(client, plain, unasked))["analysis"] is None
        assert len(emulator.structured_requests) == 1

        assert [e.amount for e in await ledger_of(database_url, silent)] == []
        charged = [
            e.amount
            for e in await ledger_of(database_url, spoken)
            if e.reference == f"analysis:{spoken}"
        ]
        assert charged == [PRICE]
        async with database(database_url) as db:
            assert await db.get(SessionAnalysis, unasked) is None
    await assert_ledger_consistent(database_url, tenant.org_id)


async def test_an_invalid_data_schema_is_refused_and_nothing_stored(
    database_url: str, emulator: OpenAIEmulator
) -> None:
    tenant = await seed_tenant(database_url)
    async with issuer(database_url, emulator, analysis_settings()) as (_, client):
        before = (await client.get("/v1/agents", headers=tenant.headers)).json()["data"]
        for schema in (
            {"type": "object", "properties": {"x": {"$ref": "#"}}},
            {"type": "strange"},
            ["not", "an", "object"],
        ):
            refused = await client.post(
                "/v1/agents",
                headers=tenant.headers,
                json={"name": "Bad", "architecture": "text", "analysis": {"data_schema": schema}},
            )
            assert assert_error(refused, 400, "invalid_request")["param"] == (
                "analysis.data_schema"
            )
        after = (await client.get("/v1/agents", headers=tenant.headers)).json()["data"]
        assert len(after) == len(before)


async def test_an_organization_that_cannot_pay_gets_a_failed_analysis_charged_nothing(
    database_url: str, emulator: OpenAIEmulator
) -> None:
    tenant = await seed_tenant(database_url, credits_amount=0, agent={"analysis": ANALYSIS})
    async with issuer(database_url, emulator, analysis_settings()) as (app, client):
        session_id = await voice_session(database_url, tenant, transcript=SAID)
        assert await analysis_pass(app.state, app.state.session_factory) == 1
        analysis = (await session_of(client, tenant, session_id))["analysis"]
        assert analysis["status"] == "failed"
        assert "credits" in analysis["error"]
        assert emulator.structured_requests == []
        assert await ledger_of(database_url, session_id) == []


@pytest.fixture
async def postgres_url(postgres_server: PostgresServer) -> str:
    url = await fresh_postgres_url(postgres_server)
    await upgrade_async(url)
    return url


async def test_two_issuers_on_postgres_run_each_analysis_once(
    postgres_url: str, emulator: OpenAIEmulator
) -> None:
    tenant = await seed_tenant(postgres_url, credits_amount=1000, agent={"analysis": ANALYSIS})
    session_ids = [await voice_session(postgres_url, tenant, transcript=SAID) for _ in range(8)]
    # A slow model: both issuers' passes overlap while the first requests are out.
    emulator.first_token_delay_s = 0.2
    settings = analysis_settings(batch=3)
    async with (
        issuer(postgres_url, emulator, settings) as (first, client),
        issuer(postgres_url, emulator, settings) as (second, _),
    ):

        async def drain(app: FastAPI) -> int:
            claimed = 0
            while taken := await analysis_pass(app.state, app.state.session_factory):
                claimed += taken
            return claimed

        counts = await asyncio.gather(drain(first), drain(second))
        assert sum(counts) == len(session_ids)
        assert len(emulator.structured_requests) == len(session_ids)
        for session_id in session_ids:
            analysis = (await session_of(client, tenant, session_id))["analysis"]
            assert analysis["status"] == "succeeded"
            charged = [
                e.amount
                for e in await ledger_of(postgres_url, session_id)
                if e.reference == f"analysis:{session_id}"
            ]
            assert charged == [PRICE]
    await assert_ledger_consistent(postgres_url, tenant.org_id)

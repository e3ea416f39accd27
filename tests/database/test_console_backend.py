"""The operator console's backend (web/backend/src/callwright_web/console.py) and the filters of the
issuer's GET /v1/sessions under it, on SQLite and Postgres, without a browser: filters
and keyset pages, the session view (timeline, tools, per-turn bars, cost), one
organization only, never the key, errors in the API's shape, and the console's own rate
limit."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from callwright_devstack.api import assert_error, issuer_client
from callwright_devstack.database import age_session, database
from callwright_devstack.tenants import Tenant, make_settings, seed_tenant
from callwright_issuer.app import create_app as create_issuer_app
from callwright_shared.agents import definitions as agents
from callwright_shared.agents.definitions import AgentSpec
from callwright_shared.db.models import EndReason
from callwright_web.app import create_app
from callwright_web.settings import WebSettings
from tests.support.call_records import Turn, seed_call

pytestmark = pytest.mark.database

PAGE_URL = "http://127.0.0.1:3000"
TURNS = [
    Turn("where is my order", "Let me look that up.", llm_ttft=0.31, tts_ttfb=0.12, e2e=0.95),
    Turn(
        "order 42",
        "It ships tomorrow.",
        llm_ttft=0.52,
        tts_ttfb=0.15,
        e2e=1.4,
        tool=("lookup_order", 230.0),
    ),
    Turn("thanks", "You're welcome!", e2e=0.7, interrupted=True),
]


CONSOLE_AUTH = ("ops", "console-password-1")


@asynccontextmanager
async def console(
    database_url: str, tenant: Tenant, tmp_path: Path, **web: object
) -> AsyncIterator[httpx.AsyncClient]:
    """The page backend with `tenant`'s key, over the real issuer in process."""
    issuer = create_issuer_app(make_settings(database_url, None))
    static = tmp_path / "dist"
    static.mkdir(exist_ok=True)
    (static / "index.html").write_text("<!doctype html><title>callwright</title>")
    # The console is off unless turned on with its own credential.
    values = {"console": True, "console_auth": ":".join(CONSOLE_AUTH), **web}
    settings = WebSettings.model_validate(
        {"issuer_url": "http://issuer", "api_key": tenant.api_key, "static_dir": static, **values}
    )
    app = create_app(settings, transport=httpx.ASGITransport(app=issuer))
    async with (
        issuer.router.lifespan_context(issuer),
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url=PAGE_URL, auth=CONSOLE_AUTH
        ) as client,
    ):
        yield client


async def second_agent(database_url: str, tenant: Tenant) -> str:
    async with database(database_url) as db:
        row = await agents.create_agent(
            db, org_id=tenant.org_id, spec=AgentSpec(name="Billing", architecture="pipeline")
        )
        return row.id


async def listed(client: httpx.AsyncClient, **filters: str) -> dict[str, Any]:
    response = await client.get("/api/console/sessions", params=filters)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_sessions_filter_by_agent_end_reason_and_date_in_keyset_pages(
    database_url: str, tmp_path: Path
) -> None:
    tenant = await seed_tenant(database_url)
    billing = await second_agent(database_url, tenant)
    old = await seed_call(database_url, tenant, TURNS[:1])
    await age_session(database_url, old.session_id, 3 * 86400)
    support = [(await seed_call(database_url, tenant, TURNS)).session_id for _ in range(3)]
    limited = await seed_call(
        database_url, tenant, TURNS[:2], agent_id=billing, end_reason=EndReason.MAX_DURATION_REACHED
    )
    async with console(database_url, tenant, tmp_path) as client:
        everything = await listed(client)
        assert [row["id"] for row in everything["data"]] == [
            limited.session_id,
            *reversed(support),
            old.session_id,
        ]
        row = everything["data"][1]
        assert (row["user_turns"], row["agent_turns"]) == (3, 4)  # the greeting is a turn
        assert row["e2e_p50_ms"] == 950.0
        assert row["credits_charged"] == 5  # ceil(42 s × 6 ÷ 60), the worker's settlement

        by_agent = await listed(client, agent_id=billing)
        assert [r["id"] for r in by_agent["data"]] == [limited.session_id]
        by_reason = await listed(client, end_reason="max_duration_reached", status="ended")
        assert [r["id"] for r in by_reason["data"]] == [limited.session_id]
        assert (await listed(client, status="active"))["data"] == []

        recent = everything["data"][0]["created_at"][:10]
        since = await listed(client, **{"from": f"{recent}T00:00:00Z"})
        assert old.session_id not in [r["id"] for r in since["data"]]
        before = await listed(client, to=f"{recent}T00:00:00Z")
        assert [r["id"] for r in before["data"]] == [old.session_id]

        # Keyset pages with the filters kept: every session of the agent once, in order.
        seen: list[str] = []
        cursor: dict[str, str] = {}
        while True:
            page = await listed(client, agent_id=tenant.agent_id, limit="2", **cursor)
            seen += [r["id"] for r in page["data"]]
            if not page["has_more"]:
                break
            cursor = {"starting_after": seen[-1]}
        assert seen == [*reversed(support), old.session_id]


async def test_a_session_view_has_the_timeline_tools_turn_bars_and_cost(
    sqlite_url: str, tmp_path: Path
) -> None:
    tenant = await seed_tenant(sqlite_url)
    call = await seed_call(sqlite_url, tenant, TURNS)
    async with console(sqlite_url, tenant, tmp_path) as client:
        response = await client.get(f"/api/console/sessions/{call.session_id}")
    assert response.status_code == 200, response.text
    assert tenant.api_key not in response.text
    view = response.json()
    assert "config" not in view and "metadata" not in view
    assert (view["status"], view["end_reason"], view["credits_charged"]) == (
        "ended",
        "user_left",
        5,
    )
    roles = [item["role"] for item in view["items"]]
    assert roles == [
        "event",
        *("assistant", "user", "assistant"),
        *("user", "tool", "assistant"),
        *("user", "assistant", "event"),
    ]
    tool = next(item for item in view["items"] if item["role"] == "tool")
    # The seed records only these three; the rest of a tool record stays empty.
    shown = {key: tool["tool"][key] for key in ("name", "latency_ms", "is_error")}
    assert shown == {"name": "lookup_order", "latency_ms": 230.0, "is_error": False}
    # One bar per agent turn: the greeting, then each answer with its question's delays.
    bars = view["turns"]
    assert [bar["text"] for bar in bars] == ["Hello, how can I help?", *(t.answer for t in TURNS)]
    assert bars[0]["latency"]["end_of_turn_ms"] is None
    for bar, turn in zip(bars[1:], TURNS, strict=True):
        assert bar["latency"]["llm_ttft_ms"] == round(turn.llm_ttft * 1000, 1)
        assert bar["latency"]["e2e_ms"] == round(turn.e2e * 1000, 1)
        assert bar["latency"]["end_of_turn_ms"] == round(turn.end_of_turn * 1000, 1)
        assert bar["interrupted"] is turn.interrupted
    assert view["latency"]["turns"] == {"user": 3, "agent": 4, "interrupted": 1}
    assert [m["type"] for m in view["usage"]["models"]] == ["stt_usage", "llm_usage", "tts_usage"]


async def test_the_console_shows_only_its_keys_organization(
    sqlite_url: str, tmp_path: Path
) -> None:
    ours = await seed_tenant(sqlite_url, user_id="ours")
    theirs = await seed_tenant(sqlite_url, user_id="theirs")
    their_call = await seed_call(sqlite_url, theirs, TURNS[:1])
    async with console(sqlite_url, ours, tmp_path) as client:
        assert (await listed(client))["data"] == []
        assert (await listed(client, agent_id=theirs.agent_id))["data"] == []
        response = await client.get(f"/api/console/sessions/{their_call.session_id}")
        assert_error(response, 404, "session_not_found")
        # Another organization's session as a cursor is unknown too, never a page of it.
        response = await client.get(
            "/api/console/sessions", params={"starting_after": their_call.session_id}
        )
        assert_error(response, 404, "session_not_found")
        agents_answer = await client.get("/api/console/agents")
    assert [a["id"] for a in agents_answer.json()["agents"]] == [ours.agent_id]


@pytest.mark.parametrize(
    ("params", "param"),
    [
        ({"status": "sleeping"}, "status"),
        ({"end_reason": "bored"}, "end_reason"),
        ({"from": "yesterday"}, "from"),
        ({"limit": "lots"}, "limit"),
        ({"limit": "1000"}, "limit"),
        ({"agent_id": "a\x00b"}, "agent_id"),
    ],
)
async def test_a_bad_filter_is_400_in_the_apis_shape(
    sqlite_url: str, tmp_path: Path, params: dict[str, str], param: str
) -> None:
    tenant = await seed_tenant(sqlite_url)
    async with console(sqlite_url, tenant, tmp_path) as client:
        response = await client.get("/api/console/sessions", params=params)
    assert assert_error(response, 400, "invalid_request")["param"] == param


async def test_the_session_list_filters_by_kind_and_says_which_filter_is_wrong(
    sqlite_url: str,
) -> None:
    """The API itself (the console passes no `kind`): filters combine, an unfiltered list
    is unchanged, and each bad value is a 400 naming its parameter."""
    tenant = await seed_tenant(sqlite_url)
    voice = await seed_call(sqlite_url, tenant, TURNS[:1])
    async with issuer_client(make_settings(sqlite_url, None)) as client:
        created = await client.post(
            "/v1/sessions/chat", json={"agent_id": tenant.agent_id}, headers=tenant.headers
        )
        assert created.status_code == 200, created.text
        chat = created.json()["session_id"]

        async def ids(**filters: str) -> list[str]:
            response = await client.get("/v1/sessions", params=filters, headers=tenant.headers)
            assert response.status_code == 200, response.text
            return [row["id"] for row in response.json()["data"]]

        assert await ids() == [chat, voice.session_id]
        assert await ids(kind="chat") == [chat]
        assert await ids(kind="voice", status="ended") == [voice.session_id]
        assert await ids(kind="chat", status="ended") == []
        assert await ids(kind="voice", starting_after=chat) == [voice.session_id]

        for params, param in [
            ({"kind": "video"}, "kind"),
            ({"to": "2026-13-45"}, "to"),
            ({"to": "0001-01-01T00:00:00+01:00"}, "to"),  # before the calendar in UTC
            ({"from": "2026-02-02T00:00:00Z", "to": "2026-02-01T00:00:00Z"}, "from"),
            ({"agent_id": "a" * 65}, "agent_id"),
        ]:
            response = await client.get("/v1/sessions", params=params, headers=tenant.headers)
            assert assert_error(response, 400, "invalid_request")["param"] == param, params


async def test_console_requests_are_rate_limited_and_the_console_can_be_off(
    sqlite_url: str, tmp_path: Path
) -> None:
    tenant = await seed_tenant(sqlite_url)
    async with console(sqlite_url, tenant, tmp_path, console_requests_per_minute=1) as client:
        answers = [(await client.get("/api/console/agents")).status_code for _ in range(30)]
        assert answers == [200] * 30  # the burst
        refused = await client.get("/api/console/agents")
        assert_error(refused, 429, "rate_limited")
        assert int(refused.headers["Retry-After"]) >= 1
    async with console(sqlite_url, tenant, tmp_path, console=False) as client:
        assert_error(await client.get("/api/console/sessions"), 404, "not_found")
        assert_error(await client.get("/console/"), 404, "not_found")

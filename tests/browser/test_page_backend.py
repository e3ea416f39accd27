"""The page's backend (src/callwright/web.py), without a browser: it proxies the issuer,
keeps the API key on the server and turns the API's errors into messages for people."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from livekit import api

from callwright.web import WebSettings, create_app
from callwright_issuer.app import create_app as create_issuer_app
from callwright_shared.settings import CallwrightSettings
from tests.conftest import Tenant, make_settings, seed_tenant
from tests.support.livekit_server import LiveKitServer

pytestmark = pytest.mark.livekit

OUT_OF_CREDITS = "Your organization is out of credits. Add credits to place a call."


def web_settings(api_key: str | None, tmp_path: Path, **overrides: object) -> WebSettings:
    static = tmp_path / "dist"
    static.mkdir(exist_ok=True)
    (static / "index.html").write_text("<!doctype html><title>callwright</title>")
    values: dict[str, object] = {
        "issuer_url": "http://issuer",
        "api_key": api_key,
        "static_dir": static,
        "openai_api_key": "sk-test",
        **overrides,
    }
    # model_validate, not the constructor: tests never read the developer's env or .env.
    return WebSettings.model_validate(values)


@asynccontextmanager
async def page_client(
    settings: WebSettings, transport: httpx.AsyncBaseTransport
) -> AsyncIterator[httpx.AsyncClient]:
    """The page backend, its lifespan run, talking to the issuer through `transport`."""
    app: FastAPI = create_app(settings, transport=transport)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://page") as client,
    ):
        yield client


@asynccontextmanager
async def page_with_issuer(
    issuer_settings: CallwrightSettings, settings: WebSettings
) -> AsyncIterator[httpx.AsyncClient]:
    issuer = create_issuer_app(issuer_settings)
    async with (
        issuer.router.lifespan_context(issuer),
        page_client(settings, httpx.ASGITransport(app=issuer)) as client,
    ):
        yield client


def fake_issuer(
    status: int, code: str, headers: dict[str, str] | None = None
) -> httpx.MockTransport:
    def answer(request: httpx.Request) -> httpx.Response:
        body = {"error": {"type": "api_error", "code": code, "message": f"issuer says {code}"}}
        return httpx.Response(status, json=body, headers=headers)

    return httpx.MockTransport(answer)


def assert_no_secret(response: httpx.Response, secret: str) -> None:
    assert secret not in response.text
    assert secret not in str(response.headers)


async def test_config_lists_voice_agents_and_missing_keys_without_the_api_key(
    sqlite_url: str, tmp_path: Path
) -> None:
    tenant = await seed_tenant(sqlite_url)
    await seed_text_agent(sqlite_url, tenant)
    settings = web_settings(tenant.api_key, tmp_path)
    async with page_with_issuer(make_settings(sqlite_url, None), settings) as page:
        response = await page.get("/api/config")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["error"] is None
    assert [(a["id"], a["architecture"]) for a in body["agents"]] == [(tenant.agent_id, "pipeline")]
    assert body["agents"][0]["missing_keys"] == ["DEEPGRAM_API_KEY"]
    assert [k["name"] for k in body["missing_keys"]] == ["DEEPGRAM_API_KEY", "GOOGLE_API_KEY"]
    assert_no_secret(response, tenant.api_key)


async def seed_text_agent(database_url: str, tenant: Tenant) -> None:
    from callwright_shared import agents
    from callwright_shared.agents import AgentSpec
    from callwright_shared.db.engine import create_engine, create_session_factory

    engine = create_engine(database_url)
    try:
        async with create_session_factory(engine)() as db:
            spec = AgentSpec(name="Chat only", architecture="text")
            await agents.create_agent(db, org_id=tenant.org_id, spec=spec)
            await db.commit()
    finally:
        await engine.dispose()


async def test_call_returns_a_token_not_the_key_and_hang_up_ends_the_session(
    sqlite_url: str, tmp_path: Path, livekit_server: LiveKitServer
) -> None:
    tenant = await seed_tenant(sqlite_url)
    settings = web_settings(tenant.api_key, tmp_path)
    async with page_with_issuer(make_settings(sqlite_url, livekit_server), settings) as page:
        created = await page.post("/api/call", json={"agent_id": tenant.agent_id})
        assert created.status_code == 200, created.text
        call = created.json()
        assert set(call) == {
            "session_id",
            "room_name",
            "token",
            "livekit_url",
            "agent_name",
            "expires_at",
        }
        assert call["livekit_url"] == livekit_server.url
        assert_no_secret(created, tenant.api_key)

        lkapi = api.LiveKitAPI(
            livekit_server.http_url, livekit_server.api_key, livekit_server.api_secret
        )
        try:
            rooms = await lkapi.room.list_rooms(api.ListRoomsRequest(names=[call["room_name"]]))
            assert [r.name for r in rooms.rooms] == [call["room_name"]]

            ended = await page.post(f"/api/calls/{call['session_id']}/end", json={})
            assert ended.status_code == 200, ended.text
            assert ended.json()["status"] == "ended"
            assert ended.json()["end_reason"] == "api_ended"
            assert set(ended.json()) == {
                "session_id",
                "status",
                "end_reason",
                "duration_seconds",
                "credits_charged",
            }
            rooms = await lkapi.room.list_rooms(api.ListRoomsRequest(names=[call["room_name"]]))
            assert rooms.rooms == []
        finally:
            await lkapi.aclose()


async def test_402_from_the_issuer_reads_out_of_credits(sqlite_url: str, tmp_path: Path) -> None:
    tenant = await seed_tenant(sqlite_url, credits_amount=0)
    settings = web_settings(tenant.api_key, tmp_path)
    async with page_with_issuer(make_settings(sqlite_url, None), settings) as page:
        response = await page.post("/api/call", json={"agent_id": tenant.agent_id})
    assert response.status_code == 402
    assert response.json()["error"]["code"] == "insufficient_credits"
    assert response.json()["error"]["message"] == OUT_OF_CREDITS
    assert_no_secret(response, tenant.api_key)


@pytest.mark.parametrize(
    ("status", "code", "headers", "message"),
    [
        (402, "insufficient_credits", {}, OUT_OF_CREDITS),
        (
            429,
            "concurrency_limit",
            {"Retry-After": "7"},
            "Too many calls in progress. Try again in 7 seconds.",
        ),
        (
            503,
            "livekit_unavailable",
            {"Retry-After": "2"},
            "The call server (LiveKit) is unavailable right now. Try again in a moment.",
        ),
        (404, "agent_not_found", {}, None),
        (418, "something_new", {}, "issuer says something_new"),
    ],
)
async def test_issuer_errors_become_messages_for_people(
    tmp_path: Path, status: int, code: str, headers: dict[str, str], message: str | None
) -> None:
    settings = web_settings("cw_test_key", tmp_path)
    async with page_client(settings, fake_issuer(status, code, headers)) as page:
        response = await page.post("/api/call", json={"agent_id": "5b710eca"})
    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] == code
    if message is not None:
        assert error["message"] == message
    assert "issuer says" not in error["message"] or code == "something_new"
    if "Retry-After" in headers:
        assert response.headers["Retry-After"] == headers["Retry-After"]


async def test_unreachable_issuer_and_missing_key_are_explained(tmp_path: Path) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    async with page_client(web_settings("cw_k", tmp_path), httpx.MockTransport(refuse)) as page:
        config = (await page.get("/api/config")).json()
        call = await page.post("/api/call", json={"agent_id": "5b710eca"})
    assert config["error"]["code"] == "issuer_unavailable"
    assert call.status_code == 502
    assert call.json()["error"]["code"] == "issuer_unavailable"

    unused: Callable[[httpx.Request], httpx.Response] = refuse
    async with page_client(web_settings(None, tmp_path), httpx.MockTransport(unused)) as page:
        config = (await page.get("/api/config")).json()
    assert config["error"]["code"] == "web_not_configured"
    assert "CALLWRIGHT_WEB_API_KEY" in config["error"]["message"]


async def test_posts_must_be_json_and_session_ids_well_formed(tmp_path: Path) -> None:
    def never(request: httpx.Request) -> httpx.Response:
        raise AssertionError(f"the issuer must not be called: {request.url}")

    async with page_client(web_settings("cw_k", tmp_path), httpx.MockTransport(never)) as page:
        form = await page.post("/api/call", data={"agent_id": "5b710eca"})
        assert form.status_code == 415
        empty = await page.post("/api/call", json={})
        assert empty.status_code == 400
        assert empty.json()["error"]["param"] == "agent_id"
        malformed = await page.post("/api/calls/not-a-session/end", json={})
        assert malformed.status_code == 404
        page_html = await page.get("/")
        assert page_html.status_code == 200
        assert "callwright" in page_html.text

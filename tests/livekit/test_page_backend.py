"""The page's backend (web/backend/src/callwright_web/), without a browser: it proxies the issuer,
keeps the API key on the server and turns the API's errors into messages for people, and
only for the people the operator lets in (Host allowlist, basic auth, a per-client rate
limit on placing calls)."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from livekit import api

from callwright_devstack.database import session_row
from callwright_devstack.services.callwright_process import CallwrightProcess
from callwright_devstack.services.livekit_server import LiveKitServer
from callwright_devstack.tenants import Tenant, make_settings, seed_tenant
from callwright_issuer.app import create_app as create_issuer_app
from callwright_shared.settings import CallwrightSettings
from callwright_web.app import create_app
from callwright_web.settings import WebSettings

pytestmark = pytest.mark.livekit

OUT_OF_CREDITS = "Your organization is out of credits. Add credits to place a call."
# What `make run` prints and a browser on the same machine opens.
PAGE_URL = "http://127.0.0.1:3000"


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
    settings: WebSettings,
    transport: httpx.AsyncBaseTransport,
    *,
    base_url: str = PAGE_URL,
    client_address: str = "127.0.0.1",
) -> AsyncIterator[httpx.AsyncClient]:
    """The page backend, its lifespan run, talking to the issuer through `transport`; the
    browser is at `client_address` and opened `base_url` (its Host header)."""
    app: FastAPI = create_app(settings, transport=transport)
    browser = httpx.ASGITransport(app=app, client=(client_address, 50000))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=browser, base_url=base_url) as client,
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
    from callwright_shared.agents import definitions as agents
    from callwright_shared.agents.definitions import AgentSpec
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


# -- who may use the page (docs/decisions.md#page-access-policy) ----------------------------------


def created_call(request: httpx.Request) -> httpx.Response:
    """An issuer that creates every call it is asked for."""
    return httpx.Response(
        200,
        json={
            "session_id": "ses_abc",
            "room_name": "agent_5b710eca_user_1_1705312800000",
            "token": "jwt",
            "livekit_url": "ws://127.0.0.1:7880",
            "agent_name": "Support",
            "expires_at": "2030-01-01T00:00:00Z",
        },
    )


def basic_auth(user: str, password: str) -> dict[str, str]:
    credentials = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {credentials}"}


class CountingIssuer(httpx.MockTransport):
    def __init__(self, answer: Callable[[httpx.Request], httpx.Response]) -> None:
        self.requests: list[httpx.Request] = []

        def record(request: httpx.Request) -> httpx.Response:
            self.requests.append(request)
            return answer(request)

        super().__init__(record)


@pytest.mark.parametrize("host", ["rebind.attacker.example", "0.0.0.0", "127.0.0.1.nip.io"])
async def test_a_dns_rebinding_host_is_refused_before_the_issuer_is_called(
    tmp_path: Path, host: str
) -> None:
    issuer = CountingIssuer(created_call)
    settings = web_settings("cw_k", tmp_path)
    async with page_client(settings, issuer, base_url=f"http://{host}:3000") as page:
        for response in (
            await page.get("/api/config"),
            await page.post("/api/call", json={"agent_id": "5b710eca"}),
            await page.post("/api/calls/ses_abc/end", json={}),
            await page.get("/"),
        ):
            assert response.status_code == 421, response.text
            assert response.json()["error"]["code"] == "host_not_allowed"
        # Liveness stays answerable by any name (container health checks use an address).
        assert (await page.get("/healthz")).status_code == 200
    assert issuer.requests == []


@pytest.mark.parametrize("url", [PAGE_URL, "http://localhost:3000", "http://[::1]:3000"])
async def test_the_loopback_names_and_the_operators_names_are_allowed(
    tmp_path: Path, url: str
) -> None:
    async with page_client(web_settings("cw_k", tmp_path), CountingIssuer(created_call)) as page:
        assert (await page.get("/")).status_code == 200
    settings = web_settings("cw_k", tmp_path, allowed_hosts="call.example.com, other.example")
    for allowed in (url, "https://call.example.com", "https://OTHER.example:8443"):
        async with page_client(settings, CountingIssuer(created_call), base_url=allowed) as page:
            assert (await page.get("/")).status_code == 200, allowed


async def test_basic_auth_guards_everything_but_liveness(tmp_path: Path) -> None:
    issuer = CountingIssuer(created_call)
    settings = web_settings("cw_k", tmp_path, basic_auth="operator:correct-horse-battery")
    async with page_client(settings, issuer) as page:
        for headers in (
            {},
            basic_auth("operator", "wrong-password-123"),
            basic_auth("intruder", "correct-horse-battery"),
            {"Authorization": "Basic !!not-base64"},
            {"Authorization": "Bearer operator:correct-horse-battery"},
        ):
            for response in (
                await page.get("/", headers=headers),
                await page.get("/api/config", headers=headers),
                await page.post("/api/call", json={"agent_id": "5b710eca"}, headers=headers),
                await page.post("/api/calls/ses_abc/end", json={}, headers=headers),
            ):
                assert response.status_code == 401, response.text
                assert response.json()["error"]["code"] == "authentication_required"
                assert response.headers["WWW-Authenticate"].startswith('Basic realm="callwright"')
        assert issuer.requests == []
        assert (await page.get("/healthz")).status_code == 200

        auth = ("operator", "correct-horse-battery")
        assert (await page.get("/", auth=auth)).status_code == 200
        call = await page.post("/api/call", json={"agent_id": "5b710eca"}, auth=auth)
        assert call.status_code == 200, call.text
    assert len(issuer.requests) == 1


def test_basic_auth_needs_a_user_and_a_real_password(tmp_path: Path) -> None:
    for weak in ("admin", "admin:admin", ":long-enough-password"):
        with pytest.raises(ValueError, match="CALLWRIGHT_WEB_BASIC_AUTH"):
            web_settings("cw_k", tmp_path, basic_auth=weak)


async def test_calls_are_rate_limited_per_client(tmp_path: Path) -> None:
    issuer = CountingIssuer(created_call)
    # One call back every 100 minutes: nothing refills while the test runs.
    settings = web_settings("cw_k", tmp_path, call_burst=2, calls_per_minute=0.01)
    app = create_app(settings, transport=issuer)
    body = {"agent_id": "5b710eca"}

    async def place_calls(address: str, count: int) -> list[httpx.Response]:
        browser = httpx.ASGITransport(app=app, client=(address, 50000))
        async with httpx.AsyncClient(transport=browser, base_url=PAGE_URL) as page:
            return [await page.post("/api/call", json=body) for _ in range(count)]

    async with app.router.lifespan_context(app):
        first = await place_calls("203.0.113.7", 3)
        other = await place_calls("198.51.100.9", 1)
    assert [r.status_code for r in first] == [200, 200, 429]
    assert [r.status_code for r in other] == [200], "each client has its own allowance"
    refused = first[-1]
    error = refused.json()["error"]
    assert (error["code"], error["type"]) == ("rate_limited", "rate_limit_error")
    retry_after = int(refused.headers["Retry-After"])
    assert retry_after > 0 and f"{retry_after} seconds" in error["message"]
    assert len(issuer.requests) == 3, "the refused call never reached the issuer"


async def test_a_session_id_with_a_trailing_newline_is_404_not_500(tmp_path: Path) -> None:
    issuer = CountingIssuer(created_call)
    async with page_client(web_settings("cw_k", tmp_path), issuer) as page:
        for session_id in ("ses_abc%0A", "ses_abc%0D%0A", "ses_abc%00"):
            response = await page.post(f"/api/calls/{session_id}/end", json={})
            assert response.status_code == 404, (session_id, response.text)
            assert response.json()["error"]["code"] == "session_not_found"
    assert issuer.requests == []


async def test_the_page_keeps_no_provider_key_only_which_are_configured(tmp_path: Path) -> None:
    # `make run`: the keys are in the environment; the settings keep only that they are set.
    settings = web_settings("cw_k", tmp_path, openai_api_key="sk-very-secret")
    assert "sk-very-secret" not in repr(settings) + settings.model_dump_json()
    assert settings.missing_provider_keys() == {"DEEPGRAM_API_KEY", "GOOGLE_API_KEY"}
    # compose: the names of the keys the workers have, never the keys.
    named = web_settings(
        "cw_k", tmp_path, openai_api_key=None, configured_keys="OPENAI_API_KEY,DEEPGRAM_API_KEY,"
    )
    assert named.missing_provider_keys() == {"GOOGLE_API_KEY"}
    none = web_settings("cw_k", tmp_path, configured_keys="")
    assert none.missing_provider_keys() == {"OPENAI_API_KEY", "DEEPGRAM_API_KEY", "GOOGLE_API_KEY"}


def test_the_page_refuses_to_listen_beyond_the_loopback_without_basic_auth(
    tmp_path: Path,
) -> None:
    env = {
        "CALLWRIGHT_WEB_API_KEY": "cw_k",
        "CALLWRIGHT_WEB_ISSUER_URL": "http://127.0.0.1:9",
        "CALLWRIGHT_WEB_STATIC_DIR": str(tmp_path),
    }
    log = tmp_path / "web.log"
    exposed = CallwrightProcess("web", "--host", "0.0.0.0", env=env, log=log, cwd=tmp_path)
    with pytest.raises(RuntimeError, match="exited"):
        exposed.start()
    assert "refusing to listen on 0.0.0.0 without CALLWRIGHT_WEB_BASIC_AUTH" in log.read_text()

    guarded = {**env, "CALLWRIGHT_WEB_BASIC_AUTH": "operator:correct-horse-battery"}
    with CallwrightProcess("web", "--host", "0.0.0.0", env=guarded, log=log, cwd=tmp_path) as page:
        assert httpx.get(f"{page.url}/api/config").status_code == 401
        signed_in = httpx.get(f"{page.url}/api/config", auth=("operator", "correct-horse-battery"))
        assert signed_in.status_code == 200, signed_in.text
        assert signed_in.json()["error"]["code"] == "issuer_unavailable"


async def test_the_page_asks_for_non_secret_variables_and_passes_them_on(
    sqlite_url: str, tmp_path: Path, livekit_server: LiveKitServer
) -> None:
    declared = {
        "name": {"required": True, "description": "your first name"},
        "vip": {"type": "boolean", "default": False},
    }
    tenant = await seed_tenant(
        sqlite_url, agent={"greeting": "Hello {{ name }}, {{ vip }}", "variables": declared}
    )
    settings = web_settings(tenant.api_key, tmp_path)
    async with page_with_issuer(make_settings(sqlite_url, livekit_server), settings) as page:
        fields = (await page.get("/api/config")).json()["agents"][0]["variables"]
        assert fields == [
            {
                "name": "name",
                "type": "string",
                "required": True,
                "default": None,
                "description": "your first name",
            },
            {
                "name": "vip",
                "type": "boolean",
                "required": False,
                "default": False,
                "description": None,
            },
        ]
        missing = await page.post("/api/call", json={"agent_id": tenant.agent_id})
        assert missing.status_code == 400, missing.text
        assert missing.json()["error"]["code"] == "missing_variable"
        created = await page.post(
            "/api/call",
            json={"agent_id": tenant.agent_id, "variables": {"name": "Ada", "vip": True}},
        )
        assert created.status_code == 200, created.text
    row = await session_row(sqlite_url, created.json()["session_id"])
    assert row.config is not None and row.config["agent"]["greeting"] == "Hello Ada, true"


async def test_secret_variables_are_not_asked_for_by_the_page(
    sqlite_url: str, tmp_path: Path
) -> None:
    secret = {"token": {"required": True, "secret": True}, "n": {"type": "number", "default": 1}}
    tenant = await seed_tenant(sqlite_url, agent={"variables": secret})
    settings = web_settings(tenant.api_key, tmp_path)
    async with page_with_issuer(make_settings(sqlite_url, None), settings) as page:
        fields = (await page.get("/api/config")).json()["agents"][0]["variables"]
    assert [f["name"] for f in fields] == ["n"]


# -- a call's controls answer the browser that placed it (docs/security.md) -----------------


def ended_or_token(request: httpx.Request) -> httpx.Response:
    """An issuer that creates, ends and re-tokens every call it is asked about."""
    path = request.url.path
    if path == "/v1/sessions/voice" or path.endswith("/token"):
        return created_call(request)
    session = {
        "id": "ses_abc",
        "status": "ended",
        "end_reason": "api_ended",
        "duration_seconds": 1.0,
        "credits_charged": 1,
        "transcript": [],
    }
    return httpx.Response(200, json=session)


async def test_rejoin_and_end_answer_only_the_browser_that_placed_the_call(
    tmp_path: Path,
) -> None:
    issuer = CountingIssuer(ended_or_token)
    settings = web_settings("cw_k", tmp_path, cookie_secret="s" * 32)
    app = create_app(settings, transport=issuer)
    browser = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=browser, base_url=PAGE_URL) as caller,
        httpx.AsyncClient(transport=browser, base_url=PAGE_URL) as stranger,
    ):
        placed = await caller.post("/api/call", json={"agent_id": "5b710eca"})
        assert placed.status_code == 200, placed.text
        cookie = placed.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/api" in cookie
        value = caller.cookies["callwright_calls"]
        assert "ses_abc" not in value  # encoded, and signed
        before = len(issuer.requests)

        # Another browser (no cookie, or a forged one) cannot take the call over.
        forged_ids = base64.urlsafe_b64encode(b"ses_abc").decode().rstrip("=")
        for cookies in ({}, {"callwright_calls": f"{forged_ids}.AAAA"}):
            stranger.cookies.clear()
            stranger.cookies.update(cookies)
            for action in ("rejoin", "end"):
                refused = await stranger.post(f"/api/calls/ses_abc/{action}", json={})
                assert refused.status_code == 404, refused.text
                assert refused.json()["error"]["code"] == "session_not_found"
        assert len(issuer.requests) == before, "a refused control never reaches the issuer"

        # The browser that placed it may.
        rejoined = await caller.post("/api/calls/ses_abc/rejoin", json={})
        assert rejoined.status_code == 200, rejoined.text
        ended = await caller.post("/api/calls/ses_abc/end", json={})
        assert ended.status_code == 200, ended.text

    # Signed with another secret (another page backend, or a restart without a configured
    # secret), the cookie names no call.
    other = create_app(web_settings("cw_k", tmp_path), transport=issuer)
    async with (
        other.router.lifespan_context(other),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=other, client=("127.0.0.1", 50000)),
            base_url=PAGE_URL,
            cookies={"callwright_calls": value},
        ) as restarted,
    ):
        gone = await restarted.post("/api/calls/ses_abc/rejoin", json={})
        assert gone.status_code == 404, gone.text


async def test_call_controls_are_rate_limited_per_client(tmp_path: Path) -> None:
    issuer = CountingIssuer(ended_or_token)
    settings = web_settings("cw_k", tmp_path, call_controls_per_minute=0.01)
    async with page_client(settings, issuer) as page:
        answers = [
            (await page.post("/api/calls/ses_guess/rejoin", json={})).status_code for _ in range(11)
        ]
    assert answers == [404] * 10 + [429]
    assert issuer.requests == []


async def test_a_call_forwards_only_the_variables_the_page_offered(
    sqlite_url: str, tmp_path: Path
) -> None:
    declared = {
        "name": {"default": "you"},
        "token": {"secret": True, "required": True},
        "tier": {"default": "basic"},
    }
    tenant = await seed_tenant(sqlite_url, agent={"variables": declared})
    settings = web_settings(tenant.api_key, tmp_path)
    async with page_with_issuer(make_settings(sqlite_url, None), settings) as page:
        offered = (await page.get("/api/config")).json()["agents"][0]["variables"]
        assert [f["name"] for f in offered] == ["name", "tier"]
        for name in ("token", "undeclared"):
            refused = await page.post(
                "/api/call",
                json={"agent_id": tenant.agent_id, "variables": {"name": "Ada", name: "x"}},
            )
            assert refused.status_code == 400, refused.text
            assert refused.json()["error"]["param"] == f"variables.{name}"


async def test_the_console_is_off_by_default_and_needs_its_own_credential(
    tmp_path: Path,
) -> None:
    issuer = CountingIssuer(created_call)
    page_auth = basic_auth("page", "correct-horse-battery")
    async with page_client(
        web_settings("cw_k", tmp_path, basic_auth="page:correct-horse-battery"), issuer
    ) as page:
        for path in ("/console/", "/api/console/sessions", "/api/console/agents"):
            off = await page.get(path, headers=page_auth)
            assert off.status_code == 404, off.text
    with pytest.raises(ValueError, match="CALLWRIGHT_WEB_CONSOLE_AUTH"):
        web_settings("cw_k", tmp_path, console=True)
    with pytest.raises(ValueError, match="must differ"):
        web_settings(
            "cw_k",
            tmp_path,
            console=True,
            basic_auth="page:correct-horse-battery",
            console_auth="page:correct-horse-battery",
        )
    settings = web_settings(
        "cw_k",
        tmp_path,
        basic_auth="page:correct-horse-battery",
        console=True,
        console_auth="ops:another-long-password",
    )
    async with page_client(settings, issuer) as page:
        for headers in ({}, page_auth):
            refused = await page.get("/api/console/agents", headers=headers)
            assert refused.status_code == 401, refused.text
            assert refused.headers["WWW-Authenticate"].startswith(
                'Basic realm="callwright console"'
            )
        # The console's credential opens the console, not the page.
        ops = basic_auth("ops", "another-long-password")
        assert (await page.get("/api/config", headers=ops)).status_code == 401
    assert issuer.requests == []

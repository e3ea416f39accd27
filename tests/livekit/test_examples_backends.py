"""The backend examples against a real issuer and livekit-server, each calling callwright
through the TypeScript SDK: examples/node-proxy run by `node`, and the Next.js routes of
examples/nextjs-token-route bundled with esbuild and their POST called with a web Request in
`node` (no Next.js installed: the routes use only web-standard Request/Response, which is
what Next hands them)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

from callwright_devstack.api import assert_error
from callwright_devstack.checkout import ARTIFACTS
from callwright_devstack.services.livekit_server import LiveKitServer
from callwright_devstack.services.served_issuer import ServedIssuer
from callwright_devstack.tenants import Tenant, make_settings, seed_tenant
from callwright_shared.settings import CallwrightSettings
from tests.support.examples import (
    NEXT_END_ROUTE,
    RouteAnswer,
    call_route,
    compile_route,
    node_proxy,
)

pytestmark = pytest.mark.livekit


# What livekit-client 2.23's TokenSource.endpoint sends for useSession(…, {agentName}).
def token_source_body(agent_name: str | None = None) -> str:
    body: dict[str, Any] = {"participant_attributes": {}}
    if agent_name is not None:
        body["room_config"] = {"agents": [{"agent_name": agent_name}]}
    return json.dumps(body)


@pytest.fixture
def settings(sqlite_url: str, livekit_server: LiveKitServer) -> CallwrightSettings:
    return make_settings(sqlite_url, livekit_server, reconcile_interval_seconds=0)


@pytest.fixture
def issuer(settings: CallwrightSettings) -> Iterator[ServedIssuer]:
    with ServedIssuer(settings) as served:
        yield served


@pytest.fixture
async def tenant(sqlite_url: str) -> Tenant:
    return await seed_tenant(sqlite_url, user_id="example_user")


@pytest.fixture
async def broke(sqlite_url: str) -> Tenant:
    return await seed_tenant(sqlite_url, user_id="broke_user", credits_amount=0)


@pytest.fixture
async def api(issuer: ServedIssuer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=issuer.url) as client:
        yield client


async def sessions_of(api: httpx.AsyncClient, tenant: Tenant) -> list[dict[str, Any]]:
    response = await api.get("/v1/sessions", headers=tenant.headers)
    assert response.status_code == 200, response.text
    data: list[dict[str, Any]] = response.json()["data"]
    return data


def assert_token_for(token: str, room_name: str, user_id: str) -> None:
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["video"]["room"] == room_name
    assert claims["sub"] == user_id


async def test_node_proxy_creates_sessions_in_both_formats(
    issuer: ServedIssuer, api: httpx.AsyncClient, tenant: Tenant, livekit_server: LiveKitServer
) -> None:
    with node_proxy(
        issuer_url=issuer.url,
        api_key=tenant.api_key,
        agent_id=tenant.agent_id,
        log_path=ARTIFACTS / "node-proxy.log",
    ) as proxy:
        async with httpx.AsyncClient(base_url=proxy) as browser:
            session = await browser.post("/api/session", json={"metadata": {"ticket": 7}})
            assert session.status_code == 200, session.text
            body = session.json()
            assert body["livekit_url"] == livekit_server.url
            assert_token_for(body["token"], body["room_name"], tenant.user_id)
            assert tenant.api_key not in session.text

            # TokenSource.endpoint's request: room_config and participant fields ignored.
            token = await browser.post("/api/token", content=token_source_body("whatever"))
            assert token.status_code == 200, token.text
            answer = token.json()
            assert answer["server_url"] == livekit_server.url
            assert_token_for(answer["participant_token"], answer["room_name"], tenant.user_id)
            assert token.headers["cache-control"] == "no-store"

            bad = await browser.post("/api/session", content=b"[1, 2]")
            assert_error(bad, 400, "invalid_request")
            missing = await browser.get("/nothing")
            assert_error(missing, 404, "not_found")

            # A hang-up: End Session at once, answered without the session's contents.
            ended = await browser.post("/api/end", json={"session_id": answer["session_id"]})
            assert ended.status_code == 200, ended.text
            assert ended.json() == {
                "session_id": answer["session_id"],
                "status": "ended",
                "end_reason": "api_ended",
            }
            for wrong in ({}, {"session_id": "../agents"}, {"session_id": 7}):
                assert_error(await browser.post("/api/end", json=wrong), 400, "invalid_request")
            unknown = await browser.post("/api/end", json={"session_id": "ses_" + "0" * 20})
            assert_error(unknown, 404, "session_not_found")

    ids = {s["id"] for s in await sessions_of(api, tenant)}
    assert ids == {body["session_id"], answer["session_id"]}, "one session per POST, no more"
    first = (await api.get(f"/v1/sessions/{body['session_id']}", headers=tenant.headers)).json()
    assert first["metadata"] == {"ticket": 7}


async def test_node_proxy_passes_callwright_errors_on(
    issuer: ServedIssuer, api: httpx.AsyncClient, broke: Tenant
) -> None:
    with node_proxy(
        issuer_url=issuer.url,
        api_key=broke.api_key,
        agent_id=broke.agent_id,
        log_path=ARTIFACTS / "node-proxy.log",
    ) as proxy:
        async with httpx.AsyncClient(base_url=proxy) as browser:
            for path in ("/api/session", "/api/token"):
                refused = await browser.post(path, json={})
                error = assert_error(refused, 402, "insufficient_credits")
                assert "credits" in error["message"]
    assert await sessions_of(api, broke) == []


@pytest.fixture(scope="module")
def route_module(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return compile_route(tmp_path_factory.mktemp("nextjs-route"))


@pytest.fixture(scope="module")
def end_route_module(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return compile_route(tmp_path_factory.mktemp("nextjs-end-route"), NEXT_END_ROUTE)


def route_env(issuer: ServedIssuer, tenant: Tenant, **extra: str) -> dict[str, str]:
    return {
        "CALLWRIGHT_URL": issuer.url,
        "CALLWRIGHT_API_KEY": tenant.api_key,
        "CALLWRIGHT_AGENT_ID": tenant.agent_id,
        **extra,
    }


async def route(module: Path, body: str, env: dict[str, str]) -> RouteAnswer:
    return await asyncio.to_thread(call_route, module, body, env)


async def test_nextjs_route_answers_the_token_source_format(
    route_module: Path,
    issuer: ServedIssuer,
    api: httpx.AsyncClient,
    tenant: Tenant,
    livekit_server: LiveKitServer,
) -> None:
    env = route_env(issuer, tenant)
    answers = [
        await route(route_module, token_source_body(), env),
        # agent-starter-react with AGENT_NAME set to the callwright agent id
        await route(route_module, token_source_body(tenant.agent_id), env),
        await route(route_module, "", env),  # no body at all
    ]
    for answer in answers:
        assert answer.status == 200, answer.body
        assert answer.headers["cache-control"] == "no-store"
        assert answer.body["server_url"] == livekit_server.url
        token = answer.body["participant_token"]
        assert_token_for(token, answer.body["room_name"], tenant.user_id)
    ids = {s["id"] for s in await sessions_of(api, tenant)}
    assert ids == {answer.body["session_id"] for answer in answers}


async def test_nextjs_route_refuses_other_agents_and_passes_errors_on(
    route_module: Path,
    sqlite_url: str,
    issuer: ServedIssuer,
    api: httpx.AsyncClient,
    tenant: Tenant,
    broke: Tenant,
) -> None:
    env = route_env(issuer, tenant)
    other = await route(route_module, token_source_body("0123abcd"), env)
    assert other.status == 400
    assert other.body["error"]["code"] == "agent_not_allowed"
    assert other.body["error"]["param"] == "room_config.agents"
    garbage = await route(route_module, "{not json", env)
    assert (garbage.status, garbage.body["error"]["code"]) == (400, "invalid_request")
    assert await sessions_of(api, tenant) == []

    # A second agent of the same organization, allowed by CALLWRIGHT_AGENT_IDS.
    created = await api.post(
        "/v1/agents",
        json={"name": "Sales", "architecture": "pipeline"},
        headers=tenant.headers,
    )
    assert created.status_code == 200, created.text
    second = created.json()["id"]
    allowed = await route(
        route_module, token_source_body(second), {**env, "CALLWRIGHT_AGENT_IDS": second}
    )
    assert allowed.status == 200, allowed.body
    session = (
        await api.get(f"/v1/sessions/{allowed.body['session_id']}", headers=tenant.headers)
    ).json()
    assert session["agent_id"] == second

    refused = await route(route_module, token_source_body(), route_env(issuer, broke))
    assert refused.status == 402
    assert refused.body["error"]["code"] == "insufficient_credits"
    assert await sessions_of(api, broke) == []


async def test_nextjs_end_route_ends_the_session_at_once(
    route_module: Path,
    end_route_module: Path,
    issuer: ServedIssuer,
    api: httpx.AsyncClient,
    tenant: Tenant,
) -> None:
    env = route_env(issuer, tenant)
    started = await route(route_module, token_source_body(), env)
    assert started.status == 200, started.body
    session_id = started.body["session_id"]

    ended = await route(end_route_module, json.dumps({"session_id": session_id}), env)
    assert ended.status == 200, ended.body
    assert ended.body == {"session_id": session_id, "status": "ended", "end_reason": "api_ended"}
    session = (await api.get(f"/v1/sessions/{session_id}", headers=tenant.headers)).json()
    assert (session["status"], session["end_reason"]) == ("ended", "api_ended")

    for wrong in ("", "{not json", '{"session_id": "ses_1/../x"}', "[]"):
        refused = await route(end_route_module, wrong, env)
        assert refused.status == 400, refused.body
        assert refused.body["error"]["param"] == "session_id"
    unknown = await route(end_route_module, json.dumps({"session_id": "ses_" + "0" * 20}), env)
    assert unknown.status == 404
    assert unknown.body["error"]["code"] == "session_not_found"

"""/readyz, /metrics and the API reference are not an open door.

`/readyz` asks LiveKit about one room name, whatever the number of rooms (seen on the
wire, through a recording proxy in front of the real livekit-server); `/metrics` and the
docs are served in development and tests, and in production only as the operator says.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import aiohttp
import httpx
import pytest
from aiohttp import web
from livekit import api

from callwright_devstack.api import issuer_client
from callwright_devstack.ports import free_tcp_port
from callwright_devstack.services.livekit_server import LiveKitServer
from callwright_devstack.tenants import make_settings
from callwright_issuer.livekit.rooms import READINESS_PROBE_ROOM

pytestmark = pytest.mark.livekit

METRICS_TOKEN = "metrics-token-0123456789"
PRODUCTION_SECRET = "production-secret-0123456789abcdefghij"


@dataclass
class TwirpCall:
    path: str
    request: bytes
    response: bytes


@dataclass
class RecordingProxy:
    url: str
    calls: list[TwirpCall] = field(default_factory=list)


@asynccontextmanager
async def recording_proxy(target_http_url: str) -> AsyncIterator[RecordingProxy]:
    """An HTTP proxy in front of livekit-server that keeps every Twirp request and answer."""
    port = free_tcp_port()
    proxy = RecordingProxy(url=f"ws://127.0.0.1:{port}")
    async with aiohttp.ClientSession() as upstream:

        async def forward(request: web.Request) -> web.Response:
            body = await request.read()
            headers = {
                k: v
                for k, v in request.headers.items()
                if k.lower() in ("authorization", "content-type")
            }
            async with upstream.request(
                request.method, target_http_url + request.path_qs, data=body, headers=headers
            ) as answer:
                content = await answer.read()
                proxy.calls.append(TwirpCall(request.path, body, content))
                return web.Response(
                    body=content, status=answer.status, content_type=answer.content_type
                )

        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", forward)
        runner = web.AppRunner(app)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        try:
            yield proxy
        finally:
            await runner.cleanup()


async def test_readyz_asks_livekit_about_one_room_name_not_every_room(
    sqlite_url: str, livekit_server: LiveKitServer
) -> None:
    lkapi = api.LiveKitAPI(
        livekit_server.http_url, livekit_server.api_key, livekit_server.api_secret
    )
    names = [f"readyz-busy-{i}" for i in range(3)]
    try:
        for name in names:
            await lkapi.room.create_room(api.CreateRoomRequest(name=name))
        async with recording_proxy(livekit_server.http_url) as proxy:
            settings = make_settings(sqlite_url, livekit_server, livekit_url=proxy.url)
            async with issuer_client(settings) as client:
                ready = await client.get("/readyz")
        assert ready.status_code == 200, ready.text
        assert ready.json()["checks"] == {"database": "ok", "livekit": "ok"}
        (call,) = proxy.calls
        assert call.path == "/twirp/livekit.RoomService/ListRooms"
        assert list(api.ListRoomsRequest.FromString(call.request).names) == [READINESS_PROBE_ROOM]
        assert list(api.ListRoomsResponse.FromString(call.response).rooms) == []
    finally:
        for name in names:
            await lkapi.room.delete_room(api.DeleteRoomRequest(room=name))
        await lkapi.aclose()


def assert_not_found(response: httpx.Response) -> None:
    assert response.status_code == 404, response.text
    assert response.json()["error"]["code"] == "not_found"


async def test_development_serves_the_docs_and_the_metrics(sqlite_url: str) -> None:
    async with issuer_client(make_settings(sqlite_url, None)) as client:
        assert (await client.get("/docs")).status_code == 200
        assert (await client.get("/openapi.json")).json()["info"]["title"] == "callwright"
        metrics = await client.get("/metrics")
    assert metrics.status_code == 200
    assert "callwright_http_requests_total" in metrics.text


async def test_production_serves_neither_by_default(sqlite_url: str) -> None:
    settings = make_settings(
        sqlite_url, None, environment="production", livekit_api_secret=PRODUCTION_SECRET
    )
    async with issuer_client(settings) as client:
        for path in ("/docs", "/redoc", "/openapi.json", "/metrics"):
            assert_not_found(await client.get(path))
        assert (await client.get("/healthz")).status_code == 200


async def test_production_serves_what_the_operator_enables(sqlite_url: str) -> None:
    settings = make_settings(
        sqlite_url,
        None,
        environment="production",
        livekit_api_secret=PRODUCTION_SECRET,
        api_docs=True,
        metrics_token=METRICS_TOKEN,
    )
    async with issuer_client(settings) as client:
        assert (await client.get("/docs")).status_code == 200
        assert (await client.get("/openapi.json")).status_code == 200
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": METRICS_TOKEN}):
            refused = await client.get("/metrics", headers=headers)
            assert refused.status_code == 401, headers
            assert "CALLWRIGHT_METRICS_TOKEN" in refused.json()["error"]["message"]
        scraped = await client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert scraped.status_code == 200
    assert "callwright_http_requests_total" in scraped.text

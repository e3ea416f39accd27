"""Request bodies are bounded while they stream in (docs/decisions.md#request-body-limit).

The issuer and the page backend run as real processes on a real SQLite database; a client
streams a body far over the limit, generated lazily, to endpoints that anyone can reach.
The answer is the API's 413, and the process's resident memory grows by a small fraction
of the body: it stopped reading instead of buffering it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from callwright_devstack.checkout import ARTIFACTS
from callwright_devstack.services.callwright_process import CallwrightProcess
from callwright_devstack.tenants import seed_tenant
from tests.support.issuer_env import issuer_env

pytestmark = pytest.mark.database

BODY_BYTES = 300 * 1024 * 1024
CHUNK = b"x" * (64 * 1024)
# Buffering the body would cost at least its size; stopping at the limit costs next to
# nothing. A tenth of the body separates the two with a wide margin either way.
RSS_GROWTH_BOUND = BODY_BYTES // 10


def lazy_body() -> Iterator[bytes]:
    for _ in range(BODY_BYTES // len(CHUNK)):
        yield CHUNK


def post_huge(url: str, *, declared: bool, headers: dict[str, str]) -> httpx.Response:
    """POST BODY_BYTES, chunked or with its Content-Length declared up front."""
    if declared:
        headers = {**headers, "Content-Length": str(BODY_BYTES)}
    return httpx.post(url, content=lazy_body(), headers=headers, timeout=120)


def assert_too_large(response: httpx.Response) -> None:
    assert response.status_code == 413, response.text
    error = response.json()["error"]
    assert error["code"] == "request_too_large"
    assert error["type"] == "invalid_request_error"
    assert "65536 bytes" in error["message"]


async def attack(process: CallwrightProcess, path: str, headers: dict[str, str]) -> None:
    url = f"{process.url}{path}"
    # Warm up: the first request imports and allocates what every later one reuses.
    warm = await asyncio.to_thread(httpx.post, url, content=b"{}", headers=headers)
    assert warm.status_code < 500, warm.text
    before = process.rss_bytes()
    for declared in (False, True):
        response = await asyncio.to_thread(post_huge, url, declared=declared, headers=headers)
        assert_too_large(response)
    growth = process.rss_bytes() - before
    assert growth < RSS_GROWTH_BOUND, f"RSS grew by {growth} bytes for a {BODY_BYTES} body"


async def test_the_unauthenticated_webhook_stops_reading_past_the_limit(
    sqlite_url: str, tmp_path: Path
) -> None:
    log = ARTIFACTS / "request-bodies-issuer.log"
    with CallwrightProcess(
        "issuer", "--no-migrate", env=issuer_env(sqlite_url), log=log, cwd=tmp_path
    ) as issuer:
        await attack(issuer, "/v1/livekit/webhook", {"Content-Type": "application/json"})


async def test_authenticated_routes_answer_401_before_413_and_413_before_parsing(
    sqlite_url: str, tmp_path: Path
) -> None:
    tenant = await seed_tenant(sqlite_url)
    log = ARTIFACTS / "request-bodies-issuer.log"
    with CallwrightProcess(
        "issuer", "--no-migrate", env=issuer_env(sqlite_url), log=log, cwd=tmp_path
    ) as issuer:
        url = f"{issuer.url}/v1/sessions/voice"
        json_type = {"Content-Type": "application/json"}
        for declared in (False, True):
            anonymous = await asyncio.to_thread(post_huge, url, declared=declared, headers={})
            assert anonymous.status_code == 401, anonymous.text
            assert anonymous.json()["error"]["code"] == "invalid_api_key"
        await attack(issuer, "/v1/sessions/voice", {**json_type, **tenant.headers})


async def test_the_page_backend_stops_reading_past_the_limit(tmp_path: Path) -> None:
    env = {
        "CALLWRIGHT_WEB_API_KEY": "cw_test_key",
        # Never reached: the body is refused before the page calls the issuer.
        "CALLWRIGHT_WEB_ISSUER_URL": "http://127.0.0.1:9",
        "CALLWRIGHT_WEB_STATIC_DIR": str(tmp_path),
    }
    log = ARTIFACTS / "request-bodies-web.log"
    with CallwrightProcess("web", env=env, log=log, cwd=tmp_path) as page:
        await attack(page, "/api/call", {"Content-Type": "application/json"})

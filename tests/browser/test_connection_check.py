"""The page's "Test connection" in real headless Chromium against a real livekit-server
and issuer: livekit-client's ConnectionCheck (signal, WebRTC, TURN, publishing the
microphone) passes in a room with no agent; no session is created and nothing is held.
No worker and no provider key: the check needs neither."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest

from callwright_devstack.checkout import ARTIFACTS, WEB_DIST
from callwright_devstack.ports import free_tcp_port
from callwright_devstack.services.livekit_server import running_livekit
from callwright_devstack.tenants import Tenant, make_settings, seed_tenant
from callwright_issuer.app import create_app as create_issuer_app
from callwright_shared.db.migrate import upgrade_async
from callwright_web.app import create_app as create_web_app
from callwright_web.settings import WebSettings
from tests.browser.chromium import Chromium, console_on_failure, open_page, running_chromium
from tests.support.served_app import served

pytestmark = pytest.mark.browser

CONSOLE_LOG = ARTIFACTS / "browser-connection-check-console.log"
CHECKS = "document.getElementById('connection-checks')"


@dataclass
class Deployment:
    browser: Chromium
    page_url: str
    issuer: httpx.AsyncClient  # with the page's key
    tenant: Tenant


@pytest.fixture(scope="module")
async def deployment(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Deployment]:
    tmp = tmp_path_factory.mktemp("connection-check")
    database_url = f"sqlite+aiosqlite:///{tmp / 'callwright.db'}"
    await upgrade_async(database_url)
    tenant = await seed_tenant(database_url, user_id="connection_tester")
    issuer_port = free_tcp_port()
    webhook = f"http://127.0.0.1:{issuer_port}/v1/livekit/webhook"
    # The microphone speaks with no long pause: the publishing check listens for 1 s of
    # it and fails on digital silence ("unable to detect audio from microphone").
    async with running_chromium(
        tmp,
        bundle=WEB_DIST / "index.html",
        build="make web-build",
        log_path=ARTIFACTS / "chromium-connection-check.log",
        words="Testing the connection, one two three four five.",
        before_s=0.1,
        after_s=0.1,
    ) as browser:
        with running_livekit("livekit-connection-check.log", webhook_url=webhook) as livekit:
            settings = make_settings(database_url, livekit)
            async with served(create_issuer_app(settings), issuer_port) as issuer_url:
                web = WebSettings.model_validate(
                    {"issuer_url": issuer_url, "api_key": tenant.api_key}
                )
                async with (
                    served(create_web_app(web)) as page_url,
                    httpx.AsyncClient(base_url=issuer_url, headers=tenant.headers) as issuer,
                ):
                    yield Deployment(browser, page_url, issuer, tenant)


async def test_the_connection_check_passes_against_the_deployment(
    deployment: Deployment,
) -> None:
    issuer = deployment.issuer
    before = (await issuer.get("/v1/credits")).json()
    async with open_page(deployment.browser, deployment.page_url) as page:
        with console_on_failure(page, CONSOLE_LOG):
            # The page's script has run (it wires the button before loading its config).
            await page.wait_for(
                "window.callwright && window.callwright.state !== 'loading'",
                within=60,
                what="the page to load",
            )
            await page.evaluate("document.getElementById('test-connection').scrollIntoView()")
            await page.click("#test-connection")
            result = await page.wait_for(
                f"['passed', 'failed'].includes({CHECKS}.dataset.result)"
                f" && {CHECKS}.dataset.result",
                within=120,
                what="the connection check to finish",
            )
            checks = await page.evaluate(
                f"[...{CHECKS}.querySelectorAll('li')]"
                ".map(li => [li.dataset.name, li.dataset.status, li.innerText])"
            )
    assert result == "passed", checks
    statuses = {name: status for name, status, _ in checks}
    assert statuses == {
        "signal": "success",
        "webrtc": "success",
        # The test LiveKit offers no TURN server: skipped, and the page says why.
        "turn": "skipped",
        "publish-audio": "success",
    }, checks
    assert any("No TURN servers configured" in text for _, _, text in checks)
    assert (await issuer.get("/v1/sessions")).json()["data"] == []
    assert (await issuer.get("/v1/credits")).json() == before

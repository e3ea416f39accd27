"""examples/react-client (@livekit/components-react, bundled by esbuild) in real headless
Chromium with a fake microphone, served with its backend by examples/node-proxy (run by
`node`) in front of a real issuer, livekit-server and worker.

What a page must not cost, counted here from the issuer's own session list:
- sessions created by page loads without a call: 0 (useSession fetches a token on mount);
- calls that fail because a prepared token went stale: 0, with Start pressed after a
  join window (shortened for the test) has passed since the page loaded, and a second
  call placed from the same page after the first one ended.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from callwright_devstack.checkout import ARTIFACTS
from callwright_devstack.emulators import DeepgramEmulator, OpenAIEmulator
from callwright_devstack.services.livekit_server import LiveKitServer
from callwright_devstack.services.served_issuer import ServedIssuer
from callwright_devstack.tenants import Tenant, seed_tenant
from callwright_devstack.voice_stack import worker_stack
from callwright_shared.settings import CallwrightSettings
from tests.browser.chromium import Chromium, Page, console_on_failure, open_page, running_chromium
from tests.support.examples import REACT_CLIENT_DIST, node_proxy

pytestmark = pytest.mark.browser

GREETING = "Hello from the React example."
AGENT_REPLY = "Yes, the React example hears you."
USER_TRANSCRIPT = "hello can you hear me"
# Short, so that a token prepared on page load would be stale by the time Start is pressed;
# long enough for a loaded machine to join a fresh session.
JOIN_WINDOW_SECONDS = 8
CONSOLE_LOG = ARTIFACTS / "react-example-console.log"
STATUS = "window.example"


@dataclass
class Stack:
    settings: CallwrightSettings
    database_url: str
    browser: Chromium
    openai: OpenAIEmulator


@pytest.fixture(scope="module")
async def stack(
    livekit_server: LiveKitServer, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Stack]:
    tmp = tmp_path_factory.mktemp("react-example")
    openai = OpenAIEmulator(reply=AGENT_REPLY)
    async with (
        running_chromium(
            tmp,
            bundle=REACT_CLIENT_DIST / "index.html",
            build="make examples-build",
            log_path=ARTIFACTS / "chromium-react-example.log",
            words="Hello, can you hear me?",
            before_s=4,
            after_s=8,
        ) as browser,
        worker_stack(
            livekit_server,
            tmp,
            openai=openai,
            deepgram=DeepgramEmulator(transcript=USER_TRANSCRIPT),
            agent_name_prefix="callwright-react-example",
            worker_log=ARTIFACTS / "worker-react-example.log",
            CALLWRIGHT_JOIN_WINDOW_SECONDS=str(JOIN_WINDOW_SECONDS),
        ) as parts,
    ):
        settings = parts.settings.model_copy(update={"join_window_seconds": JOIN_WINDOW_SECONDS})
        yield Stack(settings, parts.database_url, browser, openai)


@contextlib.contextmanager
def example_served(stack: Stack, tenant: Tenant) -> Iterator[tuple[str, str]]:
    """The issuer, and the node proxy serving the React bundle; yields both URLs."""
    with (
        ServedIssuer(stack.settings) as issuer,
        node_proxy(
            issuer_url=issuer.url,
            api_key=tenant.api_key,
            agent_id=tenant.agent_id,
            log_path=ARTIFACTS / "node-proxy-react-example.log",
            static_dir=REACT_CLIENT_DIST,
        ) as page_url,
    ):
        yield page_url, issuer.url


async def sessions(issuer: httpx.AsyncClient) -> list[dict[str, Any]]:
    response = await issuer.get("/v1/sessions", params={"limit": 100})
    assert response.status_code == 200, response.text
    data: list[dict[str, Any]] = response.json()["data"]
    return data


async def loaded(page: Page) -> None:
    await page.wait_for(f"{STATUS} && {STATUS}.agentState", within=20, what="the app")


async def a_call(page: Page, issuer: httpx.AsyncClient, *, camera: bool = False) -> dict[str, Any]:
    """Start, hear the agent and be heard, End; the session as the issuer has it."""
    await page.click("#start")
    room = await page.wait_for(f"{STATUS}.roomName", within=30, what="the room")
    if camera:
        # What agent-starter-react's camera button does: the token allows the microphone
        # only, so livekit-client refuses to publish, and the call goes on.
        refused = await page.evaluate(
            "window.exampleRoom.localParticipant.setCameraEnabled(true)"
            ".then(() => 'published', e => e.message)"
        )
        assert "insufficient permissions" in refused
    await page.wait_for(
        f"{STATUS}.lines.some(l => l.speaker === 'agent' && l.text.includes('React example'))",
        within=60,
        what="the agent's words in the transcript",
    )
    # Joined: speech-to-text may finalize one sentence in several segments (at its pauses),
    # each a line of the transcript.
    await page.wait_for(
        f"{STATUS}.lines.filter(l => l.speaker === 'user').map(l => l.text).join(' ')"
        f".toLowerCase().replace(/[^a-z ]/g, '').replace(/ +/g, ' ')"
        f".includes({USER_TRANSCRIPT!r})",
        within=60,
        what="the user's words in the transcript",
    )
    assert await page.evaluate(f"{STATUS}.agentState") in ("listening", "thinking", "speaking")
    assert await page.evaluate(f"{STATUS}.error") is None
    await page.screenshot(ARTIFACTS / "react-example-call.png")
    await page.click("#end")
    await page.wait_for(f"{STATUS}.connectionState === 'disconnected'", within=20, what="end")
    [session] = [s for s in await sessions(issuer) if s["room_name"] == room]
    return session


async def test_no_session_without_a_call_and_no_stale_token(stack: Stack) -> None:
    tenant = await seed_tenant(
        stack.database_url,
        user_id="react_caller",
        agent={"greeting": GREETING, "credits_per_minute": 6},
    )
    with example_served(stack, tenant) as (page_url, issuer_url):
        async with (
            httpx.AsyncClient(base_url=issuer_url, headers=tenant.headers) as issuer,
            open_page(stack.browser, page_url) as page,
        ):
            with console_on_failure(page, CONSOLE_LOG):
                await loaded(page)
                # A session nobody joins, created as the page loaded: the window has passed
                # once the worker ends it, and a token prepared on load would be stale.
                control = await issuer.post(
                    "/v1/sessions/voice", json={"agent_id": tenant.agent_id}
                )
                assert control.status_code == 200, control.text
                control_id = control.json()["session_id"]
                for _ in range(2):  # more page loads, no call
                    await page.goto(page_url)
                    await loaded(page)
                unjoined: dict[str, Any] = {}
                while unjoined.get("status") != "ended":
                    await asyncio.sleep(0.5)
                    unjoined = (await issuer.get(f"/v1/sessions/{control_id}")).json()
                assert unjoined["end_reason"] == "user_not_joined"
                assert [s["id"] for s in await sessions(issuer)] == [control_id], (
                    "three page loads without a call created sessions"
                )

                first = await a_call(page, issuer, camera=True)
                # End's forced token refetch and the disconnect cost nothing either.
                second = await a_call(page, issuer)

            assert len(await sessions(issuer)) == 3, "one session per call and nothing more"
            for call in (first, second):
                ended: dict[str, Any] = {}
                while ended.get("status") not in ("ended", "failed"):
                    await asyncio.sleep(0.5)
                    ended = (await issuer.get(f"/v1/sessions/{call['id']}")).json()
                # END posts to the proxy's /api/end: over at once, not after the grace.
                assert (ended["status"], ended["end_reason"]) == ("ended", "api_ended")
                assert ended["credits_charged"] > 0


async def test_closing_the_tab_mid_call_ends_the_session(stack: Stack) -> None:
    tenant = await seed_tenant(
        stack.database_url, user_id="react_closer", agent={"greeting": GREETING}
    )
    with example_served(stack, tenant) as (page_url, issuer_url):
        async with httpx.AsyncClient(base_url=issuer_url, headers=tenant.headers) as issuer:
            page = await stack.browser.new_page()
            with console_on_failure(page, CONSOLE_LOG):
                await page.goto(page_url)
                await loaded(page)
                await page.click("#start")
                room = await page.wait_for(f"{STATUS}.roomName", within=30, what="the room")
                await page.wait_for(
                    f"{STATUS}.lines.some(l => l.speaker === 'agent')",
                    within=60,
                    what="the agent's words",
                )
                await page.send("Page.close")  # the user closes the tab: no END
            [session] = [s for s in await sessions(issuer) if s["room_name"] == room]
            while session["status"] != "ended":
                await asyncio.sleep(0.5)
                session = (await issuer.get(f"/v1/sessions/{session['id']}")).json()
            # The hook's pagehide POST to /api/end, not the rejoin grace (`user_left`).
            assert session["end_reason"] == "api_ended"


async def test_out_of_credits_is_told_and_costs_no_session(stack: Stack) -> None:
    tenant = await seed_tenant(stack.database_url, user_id="react_broke", credits_amount=0)
    with example_served(stack, tenant) as (page_url, issuer_url):
        async with (
            httpx.AsyncClient(base_url=issuer_url, headers=tenant.headers) as issuer,
            open_page(stack.browser, page_url) as page,
        ):
            with console_on_failure(page, CONSOLE_LOG):
                await loaded(page)
                await page.click("#start")
                error = await page.wait_for(f"{STATUS}.error", within=20, what="the refusal")
                assert "credits" in error
                shown = await page.evaluate("document.getElementById('error').innerText")
                assert shown == error
                assert await page.evaluate(f"{STATUS}.connectionState") == "disconnected"
                await page.screenshot(ARTIFACTS / "react-example-out-of-credits.png")
            assert await sessions(issuer) == []


async def test_a_provider_failure_is_told_in_the_page(stack: Stack) -> None:
    tenant = await seed_tenant(
        stack.database_url, user_id="react_unlucky", agent={"greeting": GREETING}
    )
    stack.openai.require_key = "sk-some-other-key"  # every OpenAI call now answers 401
    try:
        with example_served(stack, tenant) as (page_url, issuer_url):
            async with (
                httpx.AsyncClient(base_url=issuer_url, headers=tenant.headers) as issuer,
                open_page(stack.browser, page_url) as page,
            ):
                with console_on_failure(page, CONSOLE_LOG):
                    await loaded(page)
                    await page.click("#start")
                    # The worker's message on lk.chat, in the transcript as the agent's.
                    await page.wait_for(
                        f"{STATUS}.lines.some(l => l.speaker === 'agent'"
                        " && l.text.includes('provider'))",
                        within=60,
                        what="the worker's message on lk.chat",
                    )
                    shown = await page.evaluate("document.getElementById('transcript').innerText")
                    assert "provider" in shown
                    ended = await page.wait_for(f"{STATUS}.ended", within=30, what="the end")
                    assert ended == "The call ended."
                    await page.screenshot(ARTIFACTS / "react-example-provider-error.png")
                [session] = await sessions(issuer)
                while session["status"] != "ended":
                    await asyncio.sleep(0.5)
                    session = (await issuer.get(f"/v1/sessions/{session['id']}")).json()
                assert session["end_reason"] == "provider_error"
    finally:
        stack.openai.require_key = None

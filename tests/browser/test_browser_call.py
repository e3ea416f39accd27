"""A call from the browser page in real headless Chromium (Debian's package), with a fake
microphone playing recorded speech, against the real livekit-server, issuer and worker
and the provider emulators. The page measures the agent's audio with the Web Audio API
and exposes what it shows as `window.callwright`."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from callwright_devstack.checkout import ARTIFACTS
from callwright_devstack.checkout import WEB_DIST as DEFAULT_STATIC_DIR
from callwright_devstack.database import captures_of, database
from callwright_devstack.emulators import DeepgramEmulator, OpenAIEmulator
from callwright_devstack.emulators.openai_emulator import call_tool_when
from callwright_devstack.ports import free_tcp_port
from callwright_devstack.services.livekit_server import LiveKitServer, running_livekit
from callwright_devstack.services.tool_server import HOLD, Answer, ToolServer
from callwright_devstack.services.worker_process import DEEPGRAM_KEY, OPENAI_KEY
from callwright_devstack.tenants import Tenant, seed_tenant
from callwright_devstack.voice_stack import WorkerStack, worker_stack
from callwright_devstack.waiting import eventually
from callwright_issuer.app import create_app as create_issuer_app
from callwright_shared.settings import CallwrightSettings
from callwright_shared.tools.signing_secret import signing_secret_of
from callwright_web.app import create_app as create_web_app
from callwright_web.settings import WebSettings
from tests.browser.chromium import (
    Chromium,
    Page,
    console_on_failure,
    open_page,
    open_signed_in_page,
    running_chromium,
)
from tests.support.served_app import served

pytestmark = pytest.mark.browser

GREETING = "Hi, this is the callwright support line."
AGENT_REPLY = "Yes, I can hear you from your browser. How can I help?"
USER_TRANSCRIPT = "hello can you hear me"
OUT_OF_CREDITS = "Your organization is out of credits. Add credits to place a call."
SCREENSHOT = ARTIFACTS / "browser-call.png"

CONSOLE_LOG = ARTIFACTS / "browser-console.log"
STATUS = "window.callwright"
CONSOLE_AUTH = "ops:console-password-1"
CONSOLE_STATE = "window.callwrightConsole"


@dataclass
class Stack:
    livekit: LiveKitServer
    settings: CallwrightSettings
    database_url: str
    openai: OpenAIEmulator
    deepgram: DeepgramEmulator
    browser: Chromium
    issuer_port: int  # livekit-server's webhook goes there (livekit.yaml's webhook)


@pytest.fixture(scope="module")
async def stack(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Stack]:
    tmp = tmp_path_factory.mktemp("browser")
    openai = OpenAIEmulator(reply=AGENT_REPLY)
    deepgram = DeepgramEmulator(transcript=USER_TRANSCRIPT)
    # The configuration users run: livekit.yaml's webhook to the issuer, which every
    # test's page_server serves on this port.
    issuer_port = free_tcp_port()
    webhook = f"http://127.0.0.1:{issuer_port}/v1/livekit/webhook"
    async with running_chromium(
        tmp,
        bundle=DEFAULT_STATIC_DIR / "index.html",
        build="make web-build",
        log_path=ARTIFACTS / "chromium.log",
        words="Hello, can you hear me?",
        before_s=6,
        after_s=8,
    ) as browser:
        with running_livekit("livekit-browser.log", webhook_url=webhook) as livekit_server:
            async with browser_worker(livekit_server, tmp, openai, deepgram) as parts:
                yield Stack(
                    livekit_server,
                    parts.settings,
                    parts.database_url,
                    openai,
                    deepgram,
                    browser,
                    issuer_port,
                )


def browser_worker(
    livekit_server: LiveKitServer, tmp: Path, openai: OpenAIEmulator, deepgram: DeepgramEmulator
) -> AbstractAsyncContextManager[WorkerStack]:
    return worker_stack(
        livekit_server,
        tmp,
        openai=openai,
        deepgram=deepgram,
        agent_name_prefix="callwright-browser",
        worker_log=ARTIFACTS / "worker-browser.log",
        CALLWRIGHT_WORKER_DRAIN_TIMEOUT_SECONDS="30",
        # A reload takes the page out of the call for a moment: the default grace.
        CALLWRIGHT_REJOIN_GRACE_SECONDS="20",
    )


@asynccontextmanager
async def page_server(
    stack: Stack,
    tenant: Tenant,
    *,
    provider_keys: bool = True,
    issuer_settings: CallwrightSettings | None = None,
    console: bool = False,
) -> AsyncIterator[tuple[str, httpx.AsyncClient]]:
    """The issuer and the page's backend, each served on its own port; yields the page's
    URL and a client of the issuer (with the tenant's key) to check what happened. With
    `console`, the backend also serves the operator console, signed in with CONSOLE_AUTH."""
    issuer_app = create_issuer_app(issuer_settings or stack.settings)
    async with served(issuer_app, stack.issuer_port) as issuer_url:
        web = WebSettings.model_validate(
            {
                "issuer_url": issuer_url,
                "api_key": tenant.api_key,
                "openai_api_key": OPENAI_KEY if provider_keys else None,
                "deepgram_api_key": DEEPGRAM_KEY if provider_keys else None,
                "google_api_key": None,
                "console": console,
                "console_auth": CONSOLE_AUTH if console else None,
            }
        )
        async with (
            served(create_web_app(web)) as page_url,
            httpx.AsyncClient(base_url=issuer_url, headers=tenant.headers) as issuer,
        ):
            yield page_url, issuer


async def status(page: Page, field: str) -> Any:
    return await page.evaluate(f"{STATUS}.{field}")


async def texts_of(page: Page, speaker: str) -> str:
    transcripts: list[dict[str, Any]] = await status(page, "transcripts")
    return " ".join(t["text"] for t in transcripts if t["speaker"] == speaker)


async def test_a_call_from_the_browser(stack: Stack) -> None:
    tenant = await seed_tenant(
        stack.database_url,
        user_id="browser_caller",
        agent={"name": "Support line", "greeting": GREETING, "credits_per_minute": 6},
    )
    async with (
        page_server(stack, tenant, console=True) as (page_url, issuer),
        open_page(stack.browser, page_url) as page,
    ):
        with console_on_failure(page, CONSOLE_LOG):
            await page.wait_for(f"{STATUS}.agents.length > 0", within=60, what="the agents")
            assert await status(page, "missingKeys") == ["GOOGLE_API_KEY"]
            notices = await page.evaluate("document.getElementById('notices').innerText")
            assert notices == "", "no key that this agent needs is missing"
            assert await status(page, "configError") is None

            await page.click("#call")
            await page.wait_for(f"{STATUS}.micPublished", within=60, what="the microphone")
            session_id = await status(page, "sessionId")
            assert session_id.startswith("ses_")
            await page.wait_for(
                f"{STATUS}.state === 'in_call'", within=60, what="the agent to join"
            )
            await page.wait_for(
                f"{STATUS}.transcripts.some(t => t.speaker === 'agent'"
                f" && t.text.includes({AGENT_REPLY.split('.')[0]!r}))",
                within=60,
                what="the agent's answer in the transcript",
            )
            # Chromium's fake microphone really reached the worker: the STT emulator only
            # transcribes audio it heard as speech, and the page shows the user's words.
            assert USER_TRANSCRIPT in (await texts_of(page, "user")).lower()
            assert await status(page, "agentState") in ("listening", "thinking", "speaking")
            peak = await status(page, "agentAudioPeak")
            assert peak > 0.01, f"the agent's audio was silent in the page (peak RMS {peak})"
            await asyncio.sleep(0.5)
            await page.screenshot(SCREENSHOT)

            await page.click("#hangup")
            result = await page.wait_for(
                f"{STATUS}.state === 'ended' && {STATUS}.result",
                within=60,
                what="the call to end",
            )
            assert result["session_id"] == session_id
            assert result["status"] == "ended"
            assert result["credits_charged"] > 0
            summary = await page.evaluate("document.getElementById('result').innerText")
            assert f"{result['credits_charged']} credit" in summary
            assert await status(page, "error") is None
            await page.screenshot(ARTIFACTS / "browser-call-ended.png")

        session = (await issuer.get(f"/v1/sessions/{session_id}")).json()
        assert session["status"] == "ended"
        assert session["credits_charged"] == result["credits_charged"] > 0
        assert session["duration_seconds"] > 1
        await the_console_shows_the_call(stack, page_url, session)


async def the_console_shows_the_call(stack: Stack, page_url: str, session: dict[str, Any]) -> None:
    """The operator console on the call just made: listed, then opened with the words
    said in it. Its screenshots are the docs' pictures of the console (docs/console.md):
    console-list.png and console-session.png, copied from tests/artifacts."""
    session_id = session["id"]
    async with open_signed_in_page(
        stack.browser, f"{page_url}/console/", basic_auth=CONSOLE_AUTH
    ) as page:
        with console_on_failure(page, ARTIFACTS / "browser-console-console.log"):
            await page.wait_for(
                f"{CONSOLE_STATE} && {CONSOLE_STATE}.ready", within=60, what="the console"
            )
            row = f"tr[data-session-id='{session_id}']"
            await page.wait_for(
                f"document.querySelector({row!r}) !== null", within=30, what="the call listed"
            )
            await page.screenshot(ARTIFACTS / "console-list.png", selector="main")
            await page.click(f"{row} td")
            await page.wait_for(
                f"{CONSOLE_STATE}.sessionId === {session_id!r}", within=30, what="the session"
            )
            await page.wait_for(
                "document.querySelectorAll('#timeline li[data-role=assistant]').length > 1",
                within=30,
                what="the greeting and an answer in the timeline",
            )
            timeline = await page.evaluate("document.getElementById('timeline').innerText")
            assert GREETING in timeline
            assert AGENT_REPLY.split(".")[0] in timeline
            assert USER_TRANSCRIPT in timeline.lower()
            facts = await page.evaluate("document.getElementById('facts').innerText")
            assert str(session["end_reason"]) in facts
            assert f"{session['credits_charged']} credit" in facts
            # One bar per agent turn the worker measured: the greeting and each answer.
            bars = await page.evaluate("document.querySelectorAll('#chart svg g.turn').length")
            answers = [t for t in session["transcript"] if t["role"] == "assistant"]
            assert bars == len(answers)
            await page.screenshot(ARTIFACTS / "console-session.png", selector="main")


async def test_a_reload_mid_call_resumes_the_same_call(stack: Stack) -> None:
    tenant = await seed_tenant(
        stack.database_url,
        user_id="reloading_caller",
        agent={"name": "Support line", "greeting": GREETING, "credits_per_minute": 6},
    )
    answered = (
        f"{STATUS}.transcripts.some(t => t.speaker === 'agent' && !t.segmentId.startsWith"
        f"('before-') && t.text.includes({AGENT_REPLY.split('.')[0]!r}))"
    )
    async with (
        page_server(stack, tenant) as (page_url, issuer),
        open_page(stack.browser, page_url) as page,
    ):
        with console_on_failure(page, CONSOLE_LOG):
            await page.wait_for(f"{STATUS}.agents.length > 0", within=10, what="the agents")
            await page.click("#call")
            await page.wait_for(f"{STATUS}.state === 'in_call'", within=30, what="the agent")
            session_id = await status(page, "sessionId")
            await page.wait_for(answered, within=60, what="the agent's answer")

            async def answer_on_record() -> bool:  # flushed with the worker's heartbeat
                session = (await issuer.get(f"/v1/sessions/{session_id}")).json()
                return AGENT_REPLY.split(".")[0] in str(session["transcript"])

            await eventually(answer_on_record, within=30, what="the answer on the record")

            await page.send("Page.reload")
            await page.wait_for("document.readyState === 'complete'", within=20, what="reload")
            try:
                await page.wait_for(
                    f"{STATUS} !== undefined && {STATUS}.state === 'in_call'",
                    within=30,
                    what="the call to resume",
                )
            except AssertionError:
                state = await page.evaluate(f"JSON.stringify([{STATUS}.state, {STATUS}.error])")
                raise AssertionError(f"the call did not resume: {state}") from None
            assert await status(page, "sessionId") == session_id
            earlier = await status(page, "transcripts")
            assert any(
                t["segmentId"].startswith("before-") and AGENT_REPLY.split(".")[0] in t["text"]
                for t in earlier
            ), earlier
            # The fake microphone asks again: the same agent answers in the resumed call.
            await page.wait_for(answered, within=60, what="an answer after the reload")

            await page.click("#hangup")
            result = await page.wait_for(
                f"{STATUS}.state === 'ended' && {STATUS}.result", within=20, what="the end"
            )
        assert result["session_id"] == session_id
        session = (await issuer.get(f"/v1/sessions/{session_id}")).json()
        assert (session["status"], session["end_reason"]) == ("ended", "api_ended")
        events = [
            t["content"]
            for t in session["transcript"]
            if t["role"] == "event" and t["content"] in ("user_away", "user_returned")
        ]
        assert events == ["user_away", "user_returned"]
        assert await captures_of(stack.database_url, session_id) == 1
        assert session["credits_charged"] == result["credits_charged"] > 0


async def test_closing_the_tab_mid_call_ends_the_call_at_once(stack: Stack) -> None:
    tenant = await seed_tenant(
        stack.database_url,
        user_id="closing_caller",
        agent={"name": "Support line", "greeting": GREETING, "credits_per_minute": 6},
    )
    async with page_server(stack, tenant) as (page_url, issuer):
        page = await stack.browser.new_page()
        with console_on_failure(page, CONSOLE_LOG):
            await page.goto(page_url)
            await page.wait_for(f"{STATUS}.agents.length > 0", within=10, what="the agents")
            await page.click("#call")
            await page.wait_for(f"{STATUS}.state === 'in_call'", within=30, what="the agent")
            session_id = await status(page, "sessionId")
            await page.send("Page.close")  # as the user closing the tab: no Hang up

        async def ended() -> bool:
            return bool(
                (await issuer.get(f"/v1/sessions/{session_id}")).json()["status"] == "ended"
            )

        await eventually(ended, within=30, what="the closed tab's call to end")
        session = (await issuer.get(f"/v1/sessions/{session_id}")).json()
    # End Session's reason: the page ended it, not the rejoin grace (that is `user_left`).
    assert session["end_reason"] == "api_ended", session
    # Settled once; a call closed this soon may round to nothing charged (no capture row).
    assert await captures_of(stack.database_url, session_id) == (
        1 if session["credits_charged"] > 0 else 0
    )


async def test_out_of_credits_and_missing_keys_read_like_a_product(stack: Stack) -> None:
    tenant = await seed_tenant(stack.database_url, user_id="broke_caller", credits_amount=0)
    async with (
        page_server(stack, tenant, provider_keys=False) as (page_url, _issuer),
        open_page(stack.browser, page_url) as page,
    ):
        with console_on_failure(page, CONSOLE_LOG):
            await page.wait_for(f"{STATUS}.agents.length > 0", within=60, what="the agents")
            notices = await page.evaluate("document.getElementById('notices').innerText")
            assert "OPENAI_API_KEY" in notices and "DEEPGRAM_API_KEY" in notices
            assert "GOOGLE_API_KEY" not in notices, "no agent here needs it"
            option = await page.evaluate("document.querySelector('#agent option').textContent")
            assert "needs DEEPGRAM_API_KEY, OPENAI_API_KEY" in option

            await page.click("#call")
            await page.wait_for(f"{STATUS}.state === 'failed'", within=60, what="the refusal")
            assert await status(page, "error") == {
                "code": "insufficient_credits",
                "message": OUT_OF_CREDITS,
            }
            shown = await page.evaluate("document.getElementById('alert').innerText")
            assert shown == OUT_OF_CREDITS
            assert await status(page, "sessionId") is None
            await page.screenshot(ARTIFACTS / "browser-out-of-credits.png")


async def test_a_provider_failure_is_told_in_the_page(stack: Stack) -> None:
    tenant = await seed_tenant(
        stack.database_url, user_id="unlucky_caller", agent={"greeting": GREETING}
    )
    stack.openai.require_key = "sk-some-other-key"  # every OpenAI call now answers 401
    try:
        async with (
            page_server(stack, tenant) as (page_url, issuer),
            open_page(stack.browser, page_url) as page,
        ):
            with console_on_failure(page, CONSOLE_LOG):
                await page.wait_for(f"{STATUS}.agents.length > 0", within=60, what="the agents")
                await page.click("#call")
                messages = await page.wait_for(
                    f"{STATUS}.agentMessages.length > 0 && {STATUS}.agentMessages",
                    within=60,
                    what="the worker's message on lk.chat",
                )
                assert "provider" in messages[0]
                shown = await page.evaluate("document.getElementById('agent-messages').innerText")
                assert messages[0] in shown
                await page.wait_for(
                    f"['ended', 'failed'].includes({STATUS}.state)", within=60, what="the end"
                )
                await page.screenshot(ARTIFACTS / "browser-provider-error.png")
                session_id = await status(page, "sessionId")
            session = (await issuer.get(f"/v1/sessions/{session_id}")).json()
            assert (session["status"], session["end_reason"]) == ("ended", "provider_error")
    finally:
        stack.openai.require_key = None


async def test_denied_microphone_places_no_call(
    stack: Stack, tmp_path_factory: pytest.TempPathFactory
) -> None:
    tenant = await seed_tenant(stack.database_url, user_id="shy_caller")
    tmp = tmp_path_factory.mktemp("blocked")
    browser = Chromium(
        stack.browser.executable,
        user_data_dir=tmp / "profile",
        audio_file=stack.browser.audio_file,
        microphone_allowed=False,
    )
    await browser.start(ARTIFACTS / "chromium-blocked.log")
    try:
        async with (
            page_server(stack, tenant) as (page_url, issuer),
            open_page(browser, page_url) as page,
        ):
            with console_on_failure(page, CONSOLE_LOG):
                await page.wait_for(f"{STATUS}.agents.length > 0", within=60, what="agents")
                await page.click("#call")
                await page.wait_for(f"{STATUS}.state === 'failed'", within=60, what="refusal")
                error = await status(page, "error")
                assert error["code"] == "microphone_denied"
                assert "Microphone access was denied" in error["message"]
                assert await status(page, "sessionId") is None
            sessions = (await issuer.get("/v1/sessions")).json()
            assert sessions["data"] == [], "a refused microphone must not create a session"
    finally:
        await browser.stop()


async def test_unreachable_livekit_is_explained_and_the_hold_released(stack: Stack) -> None:
    tenant = await seed_tenant(stack.database_url, user_id="far_caller")
    unreachable = stack.settings.model_copy(
        update={"livekit_public_url": f"ws://127.0.0.1:{free_tcp_port()}"}
    )
    async with (
        page_server(stack, tenant, issuer_settings=unreachable) as (page_url, issuer),
        open_page(stack.browser, page_url) as page,
    ):
        with console_on_failure(page, CONSOLE_LOG):
            await page.wait_for(f"{STATUS}.agents.length > 0", within=60, what="the agents")
            await page.click("#call")
            await page.wait_for(f"{STATUS}.state === 'failed'", within=60, what="the failure")
            error = await status(page, "error")
            assert error["code"] == "livekit_unreachable"
            assert "Couldn't reach the call server" in error["message"]
            session_id = await status(page, "sessionId")
        session = (await issuer.get(f"/v1/sessions/{session_id}")).json()
        assert session["status"] == "ended"
        credits = (await issuer.get("/v1/credits")).json()
        assert credits["held"] == 0


async def test_the_page_shows_a_tool_call_while_it_runs_and_when_it_returns(stack: Stack) -> None:
    # The first call is slow (it times out after 4 s: long enough to watch it run), the
    # second, when the looping microphone asks again, answers.
    server = ToolServer(secret="")
    answers = [HOLD, Answer.result({"status": "shipped"})]
    url = server.answer("/orders", lambda _request: answers.pop(0) if answers else Answer())
    tool = {
        "type": "http",
        "name": "lookup_order",
        "description": "Look up an order by its number.",
        "parameters": {"type": "object", "properties": {"order_id": {"type": "string"}}},
        "url": url,
        "timeout_ms": 4000,
    }
    tenant = await seed_tenant(
        stack.database_url,
        user_id="tool_caller",
        agent={"name": "Order line", "credits_per_minute": 6, "tools": [tool]},
    )
    async with database(stack.database_url) as db:
        server.secret = await signing_secret_of(db, tenant.org_id)
    lines = "[...document.querySelectorAll('#transcript .line-tool')]"
    stack.openai.tool_policy = call_tool_when("hear", "lookup_order", {"order_id": "A42"})
    try:
        async with (
            server,
            page_server(stack, tenant) as (page_url, issuer),
            open_page(stack.browser, page_url) as page,
        ):
            with console_on_failure(page, CONSOLE_LOG):
                await page.wait_for(f"{STATUS}.agents.length > 0", within=60, what="the agents")
                await page.click("#call")
                await page.wait_for(f"{STATUS}.state === 'in_call'", within=60, what="the agent")
                await page.wait_for(
                    f"{lines}.some(l => l.classList.contains('tool-running')"
                    " && l.innerText.includes('lookup_order'))",
                    within=60,
                    what="the running tool call in the transcript",
                )
                await page.wait_for(
                    f"{lines}.some(l => l.classList.contains('tool-failed'))",
                    within=30,
                    what="the timed-out call shown as failed",
                )
                await page.wait_for(
                    f"{lines}.some(l => l.classList.contains('tool-done'))",
                    within=60,
                    what="the second call shown as returned",
                )
                await page.screenshot(ARTIFACTS / "browser-tool-call.png")
                entries = [t for t in await status(page, "transcripts") if t["speaker"] == "tool"]
                session_id = await status(page, "sessionId")
                await page.click("#hangup")
                await page.wait_for(f"{STATUS}.state === 'ended'", within=60, what="the end")
            session = (await issuer.get(f"/v1/sessions/{session_id}")).json()
    finally:
        stack.openai.tool_policy = None

    assert [e["tool"] for e in entries[:2]] == [
        {"name": "lookup_order", "status": "failed"},
        {"name": "lookup_order", "status": "done"},
    ]
    outcomes = [e["tool"]["outcome"] for e in session["transcript"] if e["role"] == "tool"]
    assert outcomes[:2] == ["timeout", "ok"]

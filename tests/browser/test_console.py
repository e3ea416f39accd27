"""The operator console (/console/) in real headless Chromium, over the real page backend
and issuer and a database holding calls settled by the worker's own code
(tests/support/call_records.py): the list, its filters, a session with its transcript,
tool call, cost and end reason, and the latency chart with one bar per agent turn.

The longest call was recorded: its file is in the issuer's local folder, and the console
plays it from the turn an operator clicks. Its post-call analysis succeeded (stored by the
analysis loop's own code): the console shows its summary, success and extracted data.

Screenshots land in tests/artifacts (console-seeded-list.png, console-seeded-session.png);
the docs' pictures of the console come from a real call instead (test_browser_call.py)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from callwright_devstack.checkout import ARTIFACTS
from callwright_devstack.checkout import WEB_DIST as DEFAULT_STATIC_DIR
from callwright_devstack.database import age_session, database
from callwright_devstack.services.served_issuer import ServedIssuer
from callwright_devstack.tenants import make_settings, seed_tenant
from callwright_shared.agents import definitions as agents
from callwright_shared.agents.definitions import AgentSpec
from callwright_shared.analysis.requests import Answer
from callwright_shared.db.engine import create_engine, create_session_factory
from callwright_shared.db.migrate import upgrade_async
from callwright_shared.db.models import EndReason, Session
from callwright_shared.recordings.models import RecordingInfo
from callwright_shared.recordings.settings import RecordingSettings
from callwright_shared.recordings.storage import key_of
from callwright_shared.sessions import analyses
from callwright_shared.sessions.recordings import set_recording
from callwright_web.app import create_app as create_web_app
from callwright_web.settings import WebSettings
from tests.browser.chromium import (
    Chromium,
    Page,
    console_on_failure,
    open_signed_in_page,
    running_chromium,
)
from tests.support.call_records import SeededCall, Turn, seed_call
from tests.support.recording_files import write_ogg
from tests.support.served_app import served

pytestmark = pytest.mark.browser

CONSOLE_LOG = ARTIFACTS / "console-page-console.log"
CONSOLE_AUTH = "ops:console-password-1"
STATE = "window.callwrightConsole"
ANALYSIS_MODEL = "gpt-4o-mini"
ANSWER = Answer(
    summary="The caller asked where order 4417 is and changed the delivery address.",
    success=True,
    data={"order_id": "4417", "address_changed": True, "items": 2},
)
QUESTIONS = [
    ("Hi, where is my order?", "Let me look that up for you."),
    ("It's order 4417.", "Order 4417 left the warehouse this morning."),
    ("When will it arrive?", "Tomorrow before noon."),
    ("Can I change the address?", "Yes, I've sent you a link to change it."),
    ("Great, thanks.", "You're welcome, goodbye!"),
]


def long_call() -> list[Turn]:
    """Five turns with different latencies, one tool call and one interruption."""
    latencies = [(0.34, 0.16, 0.98), (0.61, 0.18, 1.52), (0.29, 0.14, 0.87), (0.45, 0.21, 1.21)]
    latencies.append((0.38, 0.15, 1.02))
    turns = []
    for index, ((said, answer), (llm, tts, e2e)) in enumerate(
        zip(QUESTIONS, latencies, strict=True)
    ):
        turns.append(
            Turn(
                said,
                answer,
                llm_ttft=llm,
                tts_ttfb=tts,
                e2e=e2e,
                end_of_turn=0.32 + 0.05 * index,
                tool=("lookup_order", 212.0) if index == 1 else None,
                interrupted=index == 3,
            )
        )
    return turns


@dataclass
class Console:
    url: str
    api_key: str
    billing_agent: str
    long: SeededCall
    billing: SeededCall
    old: SeededCall
    newest_first: list[str]
    browser: Chromium
    # The long call's recording: where its file starts, and its length.
    recorded_from: datetime
    recorded_seconds: float


@pytest.fixture(scope="module")
async def console(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Console]:
    tmp = tmp_path_factory.mktemp("console")
    url = f"sqlite+aiosqlite:///{tmp / 'callwright.db'}"
    await upgrade_async(url)
    tenant = await seed_tenant(url, agent={"name": "Support line"})
    async with database(url) as db:
        spec = AgentSpec(name="Billing desk", architecture="pipeline")
        billing_agent = (await agents.create_agent(db, org_id=tenant.org_id, spec=spec)).id
    old = await seed_call(url, tenant, long_call()[:2], agent_seconds=31)
    await age_session(url, old.session_id, 5 * 86400)
    short = await seed_call(url, tenant, long_call()[:1], agent_seconds=18)
    billing = await seed_call(
        url,
        tenant,
        long_call()[:3],
        agent_id=billing_agent,
        end_reason=EndReason.MAX_DURATION_REACHED,
        agent_seconds=120,
    )
    long = await seed_call(url, tenant, long_call(), agent_seconds=64)
    newest_first = [long.session_id, billing.session_id, short.session_id, old.session_id]
    folder = tmp / "recordings"
    recorded_seconds = 64.0
    async with database(url) as db:
        row = await db.get(Session, long.session_id)
        assert row is not None and row.transcript
        # The recorder starts as the caller joins: a second before the first turn.
        recorded_from = datetime.fromisoformat(row.transcript[0]["at"]) - timedelta(seconds=1)
        key = key_of(tenant.org_id, long.session_id)
        await asyncio.to_thread(write_ogg, folder / key, recorded_seconds)
        info = RecordingInfo(
            status="ready",
            key=key,
            duration_seconds=recorded_seconds,
            size_bytes=(folder / key).stat().st_size,
            started_at=recorded_from,
        )
        await set_recording(db, long.session_id, info)
    await analysed(url, long.session_id)
    recordings = RecordingSettings(directory=str(folder))
    with ServedIssuer(make_settings(url, None), state={"recording_settings": recordings}) as issuer:
        # The console is off unless turned on with its own credential.
        web = WebSettings.model_validate(
            {
                "issuer_url": issuer.url,
                "api_key": tenant.api_key,
                "console": True,
                "console_auth": CONSOLE_AUTH,
            }
        )
        async with (
            served(create_web_app(web)) as page_url,
            # No words: the console never opens the microphone.
            running_chromium(
                tmp,
                bundle=DEFAULT_STATIC_DIR / "console" / "index.html",
                build="make web-build",
                log_path=ARTIFACTS / "chromium-console.log",
            ) as browser,
        ):
            yield Console(
                page_url,
                tenant.api_key,
                billing_agent,
                long,
                billing,
                old,
                newest_first,
                browser,
                recorded_from,
                recorded_seconds,
            )


async def analysed(url: str, session_id: str) -> None:
    """The session's analysis as the analysis loop ends it: asked for by the agent's
    snapshot, queued at settlement, claimed, then finished `succeeded` (no price held, so
    the session's charge stays what the call cost)."""
    async with database(url) as db:
        row = await db.get(Session, session_id)
        assert row is not None
        # The seeded call kept no snapshot; the agent's part of it is all the queue reads.
        config = row.config or {}
        row.config = {**config, "agent": {**config.get("agent", {}), "analysis": {"summary": True}}}
        assert await analyses.enqueue(db, session_id)
    engine = create_engine(url)
    try:
        factory = create_session_factory(engine)
        claimed = await analyses.claim(
            factory,
            token="console-test",
            now=datetime.now(UTC),
            lease_seconds=60,
            delay_seconds=0,
            limit=10,
        )
        assert [item.session_id for item in claimed] == [session_id]
        async with factory() as db:
            finished = await analyses.finish(
                db, claimed[0], status="succeeded", model=ANALYSIS_MODEL, answer=ANSWER
            )
            assert finished
            await db.commit()
    finally:
        await engine.dispose()


async def state(page: Page, field: str) -> Any:
    return await page.evaluate(f"{STATE}.{field}")


async def listed_ids(page: Page) -> list[str]:
    ids: list[str] = await page.evaluate(
        "[...document.querySelectorAll('#sessions-body tr')].map(r => r.dataset.sessionId)"
    )
    return ids


async def apply_filters(page: Page, **values: str) -> None:
    """Set the filter inputs as a user would pick them, then press Apply."""
    for element_id, value in values.items():
        await page.evaluate(
            f"(() => {{ const el = document.getElementById({json.dumps(element_id)});"
            f" el.value = {json.dumps(value)}; el.dispatchEvent(new Event('change')); }})()"
        )
    await page.evaluate(f"{STATE}.loading = true")  # cleared when the answer is shown
    await page.click("#apply")
    await page.wait_for(f"!{STATE}.loading", within=30, what="the filtered list")


@asynccontextmanager
async def wide_page(console: Console, path: str) -> AsyncIterator[Page]:
    """The console in a tab wide enough for its table, signed in as the operator."""
    async with open_signed_in_page(
        console.browser, console.url + path, basic_auth=CONSOLE_AUTH
    ) as page:
        await page.wait_for(f"{STATE} && {STATE}.ready", within=60, what="the console")
        yield page


async def test_the_console_lists_filters_and_opens_a_session(console: Console) -> None:
    async with wide_page(console, "/console/") as page:
        with console_on_failure(page, CONSOLE_LOG):
            assert await state(page, "error") is None
            assert await listed_ids(page) == console.newest_first
            assert console.api_key not in await page.evaluate("document.documentElement.outerHTML")
            first_row = await page.evaluate(
                "[...document.querySelectorAll('#sessions-body tr:first-child td')]"
                ".map(td => td.innerText)"
            )
            assert first_row[1:5] == ["Support line", "voice", "ended", "user_left"]
            assert first_row[5] == "1:04"  # 64 s of agent time
            assert first_row[6] == "11"  # a greeting and five questions and answers
            assert first_row[8] == "7"  # ceil(64 s × 6 credits/min ÷ 60), as settled
            await page.screenshot(ARTIFACTS / "console-seeded-list.png", selector="main")

            await apply_filters(page, **{"filter-agent": console.billing_agent})
            assert await listed_ids(page) == [console.billing.session_id]
            await apply_filters(page, **{"filter-agent": "", "filter-end-reason": "user_left"})
            assert console.billing.session_id not in await listed_ids(page)
            assert len(await listed_ids(page)) == 3
            today = await page.evaluate("new Date().toISOString().slice(0, 10)")
            await apply_filters(page, **{"filter-end-reason": "", "filter-from": today})
            assert console.old.session_id not in await listed_ids(page)
            await apply_filters(page, **{"filter-from": "", "filter-to": "2001-01-01"})
            assert await listed_ids(page) == []
            assert await page.evaluate("!document.getElementById('empty').hidden")
            await apply_filters(page, **{"filter-to": ""})
            assert await listed_ids(page) == console.newest_first

            await page.click(f"tr[data-session-id='{console.long.session_id}'] td")
            await page.wait_for(
                f"{STATE}.sessionId === {json.dumps(console.long.session_id)}",
                within=30,
                what="the session view",
            )
            await check_session_view(page, console.long)
            await page.screenshot(ARTIFACTS / "console-seeded-session.png", selector="main")

            await page.click("#back")
            await page.wait_for(
                "!document.getElementById('list-view').hidden", within=10, what="the list"
            )


async def check_session_view(page: Page, call: SeededCall) -> None:
    facts = await page.evaluate("document.getElementById('facts').innerText")
    assert "user_left" in facts and "7 credits at 6/min" in facts, facts
    # One bar per agent turn: the greeting and each answer; an e2e marker where the
    # agent knew when the user stopped (not for the greeting).
    bars = await page.evaluate("document.querySelectorAll('#chart svg g.turn').length")
    assert bars == len(call.turns) + 1
    markers = await page.evaluate("document.querySelectorAll('#chart svg line.e2e').length")
    assert markers == len(call.turns)
    # Each answered turn stacks end of turn, LLM and TTS; the greeting LLM and TTS.
    segments = await page.evaluate(
        "[...document.querySelectorAll('#chart svg g.turn')]"
        ".map(g => g.querySelectorAll('rect').length)"
    )
    assert segments == [2] + [3] * len(call.turns)
    # The tallest marker is the slowest turn's e2e, the highest on the chart.
    marker_heights = await page.evaluate(
        "[...document.querySelectorAll('#chart svg line.e2e')]"
        ".map(l => Number(l.getAttribute('y1')))"
    )
    slowest = max(range(len(call.turns)), key=lambda i: call.turns[i].e2e)
    assert marker_heights.index(min(marker_heights)) == slowest
    roles = await page.evaluate(
        "[...document.querySelectorAll('#timeline li')].map(li => li.dataset.role)"
    )
    assert roles.count("user") == len(call.turns)
    assert roles.count("assistant") == len(call.turns) + 1
    assert roles[0] == roles[-1] == "event"
    tool = await page.evaluate("document.querySelector('#timeline li[data-role=tool]').innerText")
    assert "lookup_order" in tool and "212 ms" in tool
    summary = await page.evaluate("document.querySelector('#chart tr[data-part=e2e_ms]').innerText")
    assert str(len(call.turns)) in summary
    await check_analysis_card(page)


async def check_analysis_card(page: Page) -> None:
    """The analysis card: its status badge, summary, success and the data as a table."""
    assert await state(page, "analysis") == "succeeded"
    assert not await page.evaluate("document.getElementById('analysis').hidden")
    badge = await page.evaluate("document.querySelector('#analysis .badge').innerText")
    assert badge == "succeeded"
    card = await page.evaluate("document.getElementById('analysis').innerText")
    assert ANSWER.summary is not None and ANSWER.summary in card
    assert ANALYSIS_MODEL in card
    facts = await page.evaluate(
        "Object.fromEntries([...document.querySelectorAll('#analysis dt')]"
        ".map(dt => [dt.innerText, dt.nextElementSibling.innerText]))"
    )
    assert facts["Success"] == "yes"
    assert "Error" not in facts
    rows = await page.evaluate(
        "Object.fromEntries([...document.querySelectorAll('#analysis tr[data-field]')]"
        ".map(tr => [tr.dataset.field, tr.querySelector('td').innerText]))"
    )
    assert rows == {"order_id": "4417", "address_changed": "yes", "items": "2"}


async def test_a_recorded_call_plays_from_the_turn_clicked(console: Console) -> None:
    """The file comes through the page backend (the issuer's link is the issuer's own
    address), decodes in Chromium, and a turn's button seeks to where that turn starts."""
    session_id = console.long.session_id
    async with wide_page(console, f"/console/#/sessions/{session_id}") as page:
        with console_on_failure(page, CONSOLE_LOG):
            await page.wait_for(
                f"{STATE}.recording === 'ready'", within=30, what="the recording, loaded"
            )
            player = "document.getElementById('recording-player')"
            duration = await page.wait_for(
                f"{player}.readyState >= 1 && {player}.duration",
                within=30,
                what="the recording's length, decoded",
            )
            assert duration == pytest.approx(console.recorded_seconds, abs=0.1)
            # The third user turn: where the seeded transcript says it started.
            starts: list[str] = await page.evaluate(
                "[...document.querySelectorAll('#timeline li[data-role=user]')]"
                ".map(li => li.dataset.startedAt)"
            )
            expected = (datetime.fromisoformat(starts[2]) - console.recorded_from).total_seconds()
            assert 0 < expected < console.recorded_seconds
            button = f"#timeline li[data-started-at='{starts[2]}'] .play-turn"
            await page.evaluate(
                f"document.querySelector({json.dumps(button)}).scrollIntoView({{block: 'center'}})"
            )
            await page.click(button)
            position = await page.evaluate(f"{player}.currentTime")
            assert position == pytest.approx(expected, abs=0.05)
    # Other sessions have no recording: no player.
    async with wide_page(console, f"/console/#/sessions/{console.billing.session_id}") as page:
        await page.wait_for(
            f"{STATE}.sessionId === {json.dumps(console.billing.session_id)}",
            within=30,
            what="the session view",
        )
        assert await page.evaluate("document.getElementById('recording').hidden")
        assert await state(page, "recording") is None
        # Nor an analysis: its agent asks for none.
        assert await page.evaluate("document.getElementById('analysis').hidden")
        assert await state(page, "analysis") is None

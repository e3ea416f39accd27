"""One call of the worker's recipe (callwright_worker.call.Call) run in-process: the real
Call, CallStore and settlement on a SQLite file, with LiveKit faked at its boundary
(tests/unit/fake_livekit.py) and the agent clock on a time the test moves.
"""

from __future__ import annotations

import asyncio
import dataclasses
import shutil
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from callwright_devstack.database import captures_of, database
from callwright_devstack.tenants import Tenant, make_settings, seed_tenant
from callwright_shared.agents.definitions import AgentConfig
from callwright_shared.billing import credits
from callwright_shared.calls.records import TranscriptEntry, entries_of
from callwright_shared.calls.room_names import format_room_name
from callwright_shared.db.engine import create_engine, create_session_factory
from callwright_shared.db.migrate import upgrade_async
from callwright_shared.db.models import Architecture, Session, SessionStatus
from callwright_shared.ids import new_session_id
from callwright_shared.recordings.settings import RecordingSettings
from callwright_shared.sessions import lifecycle as sessions
from callwright_shared.settings import CallwrightSettings
from callwright_worker.call import Call, CallTimings
from callwright_worker.call_store import CallRecord, CallStore
from callwright_worker.clock import AgentClock
from callwright_worker.deps import WorkerDeps
from tests.unit.fake_livekit import FakeJob, FakeRoom, FakeSession, FakeSessions, FakeVAD

USER = "user_1"
# The session's price, and the operator's default the settings give every agent.
CREDITS_PER_MINUTE = 6
WAIT_S = 5.0  # a bound on waiting for a condition, never an expectation


async def until(check: Callable[[], bool | Awaitable[bool]], what: str) -> None:
    """Wait for `check`, tried a millisecond apart (WAIT_S bounds a test gone wrong)."""
    deadline = time.monotonic() + WAIT_S
    while True:
        result = check()
        if not isinstance(result, bool):
            result = await result
        if result:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {WAIT_S} s for {what}")
        await asyncio.sleep(0.001)


class ManualTime:
    """The agent clock's time source, moved by the test (callwright_worker.clock)."""

    def __init__(self) -> None:
        self._now = 1000.0
        self._moved = asyncio.Event()

    def now(self) -> float:
        return self._now

    async def sleep(self, seconds: float) -> None:
        until_t = self._now + seconds
        while self._now < until_t:
            await self._moved.wait()
            self._moved.clear()

    def advance(self, seconds: float) -> None:
        self._now += seconds
        self._moved.set()


def template_database(folder: Path) -> tuple[Path, Tenant]:
    """A migrated SQLite file with one tenant (copied for each test: migrating is slow)."""
    path = folder / "template.db"
    url = f"sqlite+aiosqlite:///{path}"

    async def build() -> Tenant:
        await upgrade_async(url)
        return await seed_tenant(url, user_id=USER)

    return path, asyncio.run(build())


@dataclasses.dataclass
class CallUnderTest:
    """A call whose session row is `created` with its hold placed, as Create Voice
    Session leaves it, claimed by this job."""

    url: str
    settings: CallwrightSettings
    tenant: Tenant
    record: CallRecord
    store: CallStore
    room: FakeRoom
    job: FakeJob
    sessions: FakeSessions
    time: ManualTime
    call: Call
    engine: AsyncEngine  # the test's own reads
    task: asyncio.Task[None] | None = None

    # -- driving it ----------------------------------------------------------------------

    def start(self) -> asyncio.Task[None]:
        self.task = asyncio.create_task(self.call.run())
        return self.task

    async def in_conversation(self) -> FakeSession:
        """Start the call, the user joins, the agent session runs."""
        session = await self.in_conversation_without_greeting()
        # The agent clock starts as the session does, before the greeting.
        await until(lambda: bool(session.said or session.replies), "the greeting")
        return session

    async def in_conversation_without_greeting(self) -> FakeSession:
        """As `in_conversation`, for an agent that has no greeting: the session has
        started in the room (its agent is set) and the agent clock runs."""
        if self.task is None:
            self.start()
        self.room.join(USER)
        await until(lambda: bool(self.sessions.sessions), "the agent session")
        session = self.sessions.session
        # Set as the session starts in the room; the agent clock starts in the same step.
        await until(lambda: session.agent is not None, "the session in the room")
        return session

    async def ended(self) -> Session:
        """Wait for the call's one ending; the settled row."""
        assert self.task is not None
        await asyncio.wait_for(asyncio.shield(self.task), WAIT_S)
        return await self.row()

    async def row(self) -> Session:
        async with create_session_factory(self.engine)() as db:
            row = await db.get(Session, self.record.session_id)
            assert row is not None
            return row

    async def away(self) -> bool:
        """The session shows the user away (`away_since`)."""
        return (await self.row()).away_since is not None

    async def back(self) -> bool:
        return (await self.row()).away_since is None

    async def settled(self) -> bool:
        return (await self.row()).status is SessionStatus.ENDED

    async def captures(self) -> int:
        return await captures_of(self.url, self.record.session_id)

    async def aclose(self) -> None:
        # What the call leaves running (its rejoin wait, a tool's ending, the page's
        # updates) goes with it, as the job process would end it; before the engines go.
        if self.task is not None and not self.task.done():
            self.task.cancel()
        left = asyncio.all_tasks() - {asyncio.current_task()}
        for task in left:
            task.cancel()
        await asyncio.gather(*left, return_exceptions=True)
        await self.store.aclose()
        await self.engine.dispose()


def events_of(row: Session) -> list[tuple[str, str | None]]:
    """The timeline's events: (event, detail)."""
    return [(e.content, e.detail) for e in entries_of(row.transcript) if e.role == "event"]


def entries(row: Session) -> list[TranscriptEntry]:
    return entries_of(row.transcript)


async def new_call(
    folder: Path,
    template: tuple[Path, Tenant],
    *,
    architecture: Architecture = Architecture.PIPELINE,
    config: AgentConfig | None = None,
    max_duration_seconds: int = 60,
    limited_by_credits: bool = False,
    timings: CallTimings | None = None,
    settings: dict[str, Any] | None = None,
    on_build: Callable[[FakeSession], None] | None = None,
    arrange: Callable[[str, Tenant], Awaitable[AgentConfig]] | None = None,
    variables: dict[str, Any] | None = None,
    secrets: list[str] | None = None,
    session_factory: FakeSessions | None = None,
    recordings: RecordingSettings | None = None,
) -> CallUnderTest:
    """`arrange` writes what the call needs to the database and gives its agent's
    configuration."""
    path, tenant = template
    copy = folder / "call.db"
    shutil.copyfile(path, copy)
    url = f"sqlite+aiosqlite:///{copy}"
    if arrange is not None:
        config = await arrange(url, tenant)
    values: dict[str, Any] = {
        "openai_api_key": "sk-test",
        "deepgram_api_key": "dg-test",
        "rejoin_grace_seconds": 30.0,
        "join_window_seconds": 30.0,
        "price_pipeline_credits_per_minute": CREDITS_PER_MINUTE,
        "price_realtime_credits_per_minute": CREDITS_PER_MINUTE,
        **(settings or {}),
    }
    call_settings = make_settings(url, None, **values)
    session_id = new_session_id()
    now = datetime.now(UTC)
    room_name = format_room_name(tenant.agent_id, USER, int(now.timestamp() * 1000))
    hold = credits.Hold(
        amount=60, max_duration_seconds=max_duration_seconds, limited_by_credits=limited_by_credits
    )
    async with database(url) as db:
        db.add(
            sessions.new_voice_session(
                session_id=session_id,
                org_id=tenant.org_id,
                user_id=USER,
                agent_id=tenant.agent_id,
                room_name=room_name,
                hold=hold,
                credits_per_minute=CREDITS_PER_MINUTE,
                metadata=None,
            )
        )
        await db.flush()
        org_lock = await credits.lock(db, tenant.org_id)
        await credits.hold(db, org_lock, session_id=session_id, amount=hold.amount)
    store = CallStore(url)
    record = await store.load(room_name)
    assert record is not None
    record = dataclasses.replace(
        record,
        architecture=architecture,
        config=config or AgentConfig(greeting="Hi!"),
        # The session's variable values and secret names (its configuration snapshot).
        variables=variables or {},
        secrets=secrets or [],
    )
    room = FakeRoom(room_name)
    job = FakeJob(room, folder / "job")
    assert await store.claim(session_id, job.job.id, grace_seconds=30)
    factory = session_factory or FakeSessions()
    factory.on_build = on_build
    manual = ManualTime()
    deps = WorkerDeps(
        call_settings, store, FakeVAD(), recordings or RecordingSettings(directory=str(folder))
    )
    call = Call(
        job,
        deps,
        record,
        sessions=factory,
        started=time.perf_counter(),
        timings=timings or CallTimings(heartbeat_interval=3600.0),
        clock=AgentClock(manual),
    )
    return CallUnderTest(
        url,
        call_settings,
        tenant,
        record,
        store,
        room,
        job,
        factory,
        manual,
        call,
        create_engine(url),
    )

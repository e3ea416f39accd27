"""Every 200 gets an agent: bursts up to a worker's capacity in `dev` (what `make run`
starts) and `start` mode, sessions created before any worker registered, a worker killed
while sessions wait, and short calls billed exactly with LiveKit's webhooks on."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from livekit import api

from callwright_devstack.api import create_voice_session, credits_of, issuer_client
from callwright_devstack.database import session_row
from callwright_devstack.participant import Caller
from callwright_devstack.services.worker_process import WorkerProcess
from callwright_devstack.waiting import eventually
from tests.e2e.support import Stack, join, new_tenant, own_workers, wait_ended
from tests.support.charges import expected_charge

pytestmark = pytest.mark.e2e

GREETING = "Hello, this is your agent speaking."
BURST = 6


async def answered(body: dict[str, Any], *, within: float = 60) -> Caller:
    """Join as the user and wait for the agent to join and greet."""
    return await greeted(await join(body), within=within)


async def greeted(caller: Caller, *, within: float = 60) -> Caller:
    """Wait for the agent to join the caller's room and greet."""
    await eventually(caller.agent_joined.is_set, within=within, what="the agent to join")
    await eventually(
        lambda: GREETING.split(",")[0] in caller.agent_text(), within=within, what="the greeting"
    )
    return caller


async def burst(
    client: httpx.AsyncClient, headers: dict[str, str], agent_id: str, n: int
) -> list[dict[str, Any]]:
    """n Create Voice Session calls at once; every one must answer 200."""
    responses = await asyncio.gather(
        *(
            client.post("/v1/sessions/voice", headers=headers, json={"agent_id": agent_id})
            for _ in range(n)
        )
    )
    assert [r.status_code for r in responses] == [200] * n, [r.text for r in responses]
    return [r.json() for r in responses]


async def hang_up_all(
    client: httpx.AsyncClient, tenant: Any, callers: list[Caller], bodies: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    await asyncio.gather(*(c.leave() for c in callers))
    return list(
        await asyncio.gather(
            *(wait_ended(client, tenant, b["session_id"], within=60) for b in bodies)
        )
    )


@pytest.mark.parametrize("mode", ["dev", "start"])
async def test_a_burst_up_to_capacity_gets_an_agent_each(stack: Stack, mode: str) -> None:
    async with (
        own_workers(
            stack, 1, mode=mode, worker_settings={"CALLWRIGHT_WORKER_MAX_JOBS": str(BURST)}
        ) as (settings, _),
        issuer_client(settings) as client,
    ):
        tenant = await new_tenant(stack, greeting=GREETING, credits=10_000)
        bodies = await burst(client, tenant.headers, tenant.agent_id, BURST)
        callers = await asyncio.gather(*(answered(b) for b in bodies))
        rows = [await session_row(stack.database_url, b["session_id"]) for b in bodies]
        assert len({r.job_id for r in rows}) == BURST, "one job per session"
        ended = await hang_up_all(client, tenant, list(callers), bodies)
        for session in ended:
            assert (session["status"], session["end_reason"]) == ("ended", "user_left")
            assert session["credits_charged"] == expected_charge(session, 6) >= 1


async def test_sessions_created_before_any_worker_registers_are_served(stack: Stack) -> None:
    """What `make run` users hit: the API answers before the worker has registered.
    LiveKit drops those dispatches; the re-dispatcher brings the agent once a worker is
    there. The worker runs in `dev` mode, as `make run` starts it."""
    async with (
        own_workers(stack, 1, mode="dev", wait=False) as (settings, (worker,)),
        issuer_client(settings) as client,
    ):
        tenant = await new_tenant(stack, greeting=GREETING, credits=10_000)
        bodies = await burst(client, tenant.headers, tenant.agent_id, 3)
        callers = [await join(b) for b in bodies]
        loop = asyncio.get_running_loop()
        await asyncio.to_thread(worker.start)
        registered_at = loop.time()
        await asyncio.gather(*(greeted(c) for c in callers))
        first_agent = min(await asyncio.gather(*(agent_joined_at(c) for c in callers)))
        print(
            f"worker registration → first re-dispatched agent: {first_agent - registered_at:.1f} s"
        )
        for body in bodies:
            assert (await session_row(stack.database_url, body["session_id"])).dispatch_count >= 2
        ended = await hang_up_all(client, tenant, callers, bodies)
        assert {s["end_reason"] for s in ended} == {"user_left"}


async def agent_joined_at(caller: Caller) -> float:
    await caller.agent_joined.wait()
    return asyncio.get_running_loop().time()


async def test_a_worker_killed_while_sessions_wait_is_replaced_and_all_are_served(
    stack: Stack,
) -> None:
    async with (
        own_workers(stack, 1) as (settings, (worker,)),
        issuer_client(settings) as client,
    ):
        tenant = await new_tenant(stack, greeting=GREETING, credits=10_000)
        await asyncio.to_thread(worker.kill)
        bodies = await burst(client, tenant.headers, tenant.agent_id, 2)
        replacement = WorkerProcess(
            env=worker.env, log_path=worker.log_path.with_suffix(".restarted.log")
        )
        await asyncio.to_thread(replacement.start)
        try:
            callers = await asyncio.gather(*(answered(b) for b in bodies))
            ended = await hang_up_all(client, tenant, list(callers), bodies)
            assert {s["end_reason"] for s in ended} == {"user_left"}
        finally:
            await asyncio.to_thread(replacement.stop)


@pytest.mark.parametrize(("seconds", "end_session"), [(1.0, False), (2.0, True)])
async def test_short_calls_are_billed_exactly_with_webhooks_on(
    stack: Stack, client: httpx.AsyncClient, seconds: float, end_session: bool
) -> None:
    """livekit-server sends `participant_left` to the issuer (livekit.yaml's webhook) the
    moment the user leaves, before any heartbeat of a call this short: the worker's
    exact settlement must still be the one on record."""
    tenant = await new_tenant(stack, greeting=GREETING)
    body = await create_voice_session(client, tenant)
    caller = await answered(body)
    await caller.keep_quiet(seconds)
    if end_session:
        response = await client.post(
            f"/v1/sessions/{body['session_id']}/end", headers=tenant.headers
        )
        assert response.status_code == 200, response.text
    else:
        await caller.leave()
    session = await wait_ended(client, tenant, body["session_id"])
    await caller.leave()
    expected_reason = "api_ended" if end_session else "user_left"
    assert (session["status"], session["end_reason"]) == ("ended", expected_reason)
    # The worker settled it: its agent time, usage and transcript (the greeting).
    assert session["duration_seconds"] > 0
    assert session["credits_charged"] == expected_charge(session, 6)
    assert session["credits_charged"] >= 1
    assert session["usage"] is not None and session["usage"]["models"]
    assert any(GREETING.split(",")[0] in t["content"] for t in session["transcript"])
    credits = await credits_of(client, tenant)
    assert (credits["balance"], credits["held"]) == (1000 - session["credits_charged"], 0)


async def test_a_second_dispatch_of_a_served_session_is_harmless(
    stack: Stack, client: httpx.AsyncClient
) -> None:
    """Dispatch the agent again into a live call: the second job finds the session
    claimed and leaves; the call goes on with one agent."""
    tenant = await new_tenant(stack, greeting=GREETING)
    body = await create_voice_session(client, tenant)
    caller = await answered(body)
    lkapi = api.LiveKitAPI(stack.livekit.http_url, stack.livekit.api_key, stack.livekit.api_secret)
    try:
        await lkapi.agent_dispatch.create_dispatch(
            api.CreateAgentDispatchRequest(
                room=body["room_name"], agent_name=stack.settings.livekit_agent_name
            )
        )

        def second_job_left() -> bool:
            log = stack.worker.log_path.read_text(errors="replace")
            return any(
                body["room_name"] in line and '"refusing a room' in line
                for line in log.splitlines()
            )

        await eventually(second_job_left, within=30, what="the second job to leave")
        participants = await lkapi.room.list_participants(
            api.ListParticipantsRequest(room=body["room_name"])
        )
        agents = [p for p in participants.participants if p.kind == api.ParticipantInfo.Kind.AGENT]
        assert len(agents) == 1
    finally:
        await lkapi.aclose()
    await caller.leave()
    session = await wait_ended(client, tenant, body["session_id"])
    assert session["end_reason"] == "user_left"


async def test_a_busy_worker_does_not_keep_unjoined_sessions_for_the_whole_window(
    stack: Stack,
) -> None:
    """Sessions nobody joins pin a worker's slots for the join window (120 s). A job
    accepted while its worker is half full gets the short busy window instead."""
    async with (
        own_workers(
            stack,
            1,
            worker_settings={
                "CALLWRIGHT_WORKER_MAX_JOBS": "2",
                "CALLWRIGHT_WORKER_BUSY_JOIN_WINDOW_SECONDS": "3",
            },
        ) as (settings, _),
        issuer_client(settings) as client,
    ):
        tenant = await new_tenant(stack, greeting=GREETING)
        first = await create_voice_session(client, tenant)

        async def claimed(body: dict[str, Any]) -> bool:
            return (await session_row(stack.database_url, body["session_id"])).job_id is not None

        await eventually(lambda: claimed(first), within=30, what="the first job")
        second = await create_voice_session(client, tenant)
        ended = await wait_ended(client, tenant, second["session_id"], within=60)
        assert (ended["end_reason"], ended["credits_charged"]) == ("user_not_joined", 0)
        # The first job, taken while the worker was idle, still waits for its user.
        assert (await session_row(stack.database_url, first["session_id"])).status == "created"
        response = await client.post(
            f"/v1/sessions/{first['session_id']}/end", headers=tenant.headers
        )
        assert response.json()["end_reason"] == "api_ended"

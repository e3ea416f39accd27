"""Calls survive what operators do to the fleet: a worker killed mid-call, an issuer
restarted mid-call, workers draining on SIGTERM, several workers sharing the load."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from callwright_devstack.api import create_voice_session, credits_of, issuer_client
from callwright_devstack.database import session_row
from callwright_devstack.participant import Caller
from callwright_devstack.services.worker_process import WorkerProcess
from callwright_devstack.waiting import eventually
from tests.e2e.support import (
    AGENT_REPLY,
    Stack,
    join,
    new_tenant,
    own_workers,
    served_by,
    wait_ended,
)
from tests.support.charges import expected_charge

pytestmark = pytest.mark.e2e


async def agent_in_call(
    client: httpx.AsyncClient, tenant_headers: dict[str, str], body: dict[str, str]
) -> Caller:
    caller = await join(body)
    await asyncio.wait_for(caller.agent_joined.wait(), 60)
    return caller


async def test_worker_killed_mid_call_is_settled_by_the_reconciler(stack: Stack) -> None:
    async with (
        own_workers(
            stack, 1, reconcile_interval_seconds=1.0, worker_heartbeat_grace_seconds=4.0
        ) as (settings, (worker,)),
        issuer_client(settings) as client,
    ):
        tenant = await new_tenant(stack)
        body = await create_voice_session(client, tenant)
        loop = asyncio.get_running_loop()
        joined_at = loop.time()
        caller = await agent_in_call(client, tenant.headers, body)

        async def agent_time_recorded() -> bool:  # a heartbeat (every 5 s) with agent time
            return (await session_row(stack.database_url, body["session_id"])).agent_seconds > 0

        await eventually(agent_time_recorded, within=60, what="a heartbeat with agent time")
        await asyncio.to_thread(worker.kill)
        killed_at = loop.time()
        session = await wait_ended(client, tenant, body["session_id"], within=60)
        assert (session["status"], session["end_reason"]) == ("ended", "worker_unavailable")
        # Charged for the agent time the worker recorded, never for the time after.
        assert 0 < session["duration_seconds"] <= killed_at - joined_at
        assert session["credits_charged"] == expected_charge(session, 6)
        credits = await credits_of(client, tenant)
        assert credits["held"] == 0
        await caller.leave()


async def test_issuer_restart_in_the_middle_of_a_call(stack: Stack) -> None:
    tenant = await new_tenant(stack)
    async with issuer_client(stack.settings) as client:
        body = await create_voice_session(client, tenant)
    # The issuer is gone (its lifespan closed) while the call goes on.
    caller = await join(body)
    await asyncio.wait_for(caller.agent_joined.wait(), 60)
    await asyncio.wait_for(caller.wait_for_agent_state("listening"), 60)
    await caller.speak(stack.speech_wav, then_silence_s=1.0)
    async with issuer_client(stack.settings) as client:  # a new issuer process's app
        await eventually(
            lambda: AGENT_REPLY.split(",")[0] in caller.agent_text(), within=60, what="an answer"
        )
        await caller.leave()
        session = await wait_ended(client, tenant, body["session_id"])
        assert (session["status"], session["end_reason"]) == ("ended", "user_left")
        assert session["credits_charged"] == expected_charge(session, 6) >= 1


async def test_two_workers_share_calls_drain_on_sigterm_and_survive_a_kill(
    stack: Stack,
) -> None:
    async with own_workers(stack, 2) as (settings, workers), issuer_client(settings) as client:
        tenant = await new_tenant(stack, credits=100_000)
        # livekit-server picks a worker at random, weighted by spare capacity
        # (selectWorkerWeightedByLoad), so four calls all land on one worker one time in
        # eight: place calls until both have one (all ten on one: about 1 in 500).
        calls: list[dict[str, Any]] = []
        callers: list[Caller] = []
        served: list[int | None] = []
        while set(served) != {0, 1} and len(calls) < 10:
            calls.append(await create_voice_session(client, tenant))
            callers.append(await agent_in_call(client, tenant.headers, calls[-1]))
            session_id = calls[-1]["session_id"]
            await eventually(
                lambda sid=session_id: served_by(workers, sid) is not None,
                within=60,
                what="the serving worker's log line",
            )
            served.append(served_by(workers, session_id))
        assert set(served) == {0, 1}, f"calls were not shared: {served}"
        for c, b in zip(callers[1:], calls[1:], strict=True):
            await c.leave()
            await wait_ended(client, tenant, b["session_id"])

        # SIGTERM the worker serving the first call: the call goes on to the end...
        draining = served[0]
        assert draining is not None
        other = 1 - draining
        workers[draining].terminate()
        await asyncio.sleep(1.0)
        first = callers[0]
        await first.speak(stack.speech_wav, then_silence_s=1.0)
        await eventually(
            lambda: AGENT_REPLY.split(",")[0] in first.agent_text(),
            within=60,
            what="an answer from the draining worker",
        )
        # ...while new calls go to the other worker.
        for _ in range(2):
            body = await create_voice_session(client, tenant)
            fresh = await agent_in_call(client, tenant.headers, body)
            assert served_by(workers, body["session_id"]) == other
            await fresh.leave()
            await wait_ended(client, tenant, body["session_id"])
        assert workers[draining].wait(0) is None, "the draining worker quit mid-call"
        await first.leave()
        ended = await wait_ended(client, tenant, calls[0]["session_id"])
        assert ended["end_reason"] == "user_left"
        assert await asyncio.to_thread(workers[draining].wait, 30) is not None

        # Kill the remaining worker outright; a fresh one serves the next call.
        replacement = WorkerProcess(
            env=workers[other].env, log_path=workers[other].log_path.with_suffix(".2.log")
        )
        await asyncio.to_thread(replacement.start)
        await asyncio.to_thread(workers[other].kill)
        try:
            body = await create_voice_session(client, tenant)
            fresh = await agent_in_call(client, tenant.headers, body)
            assert served_by([replacement], body["session_id"]) == 0
            await fresh.leave()
            await wait_ended(client, tenant, body["session_id"])
        finally:
            await asyncio.to_thread(replacement.stop)


async def test_a_worker_stopped_past_its_drain_ends_its_call_through_the_one_ending(
    stack: Stack,
) -> None:
    """Past the drain timeout livekit-agents shuts the job down and then cancels it; the
    call's one ending still runs in the worker: settled `worker_unavailable` with its
    agent time and an `ended` event (the reconciler, the other way to this reason, writes
    none), the room deleted."""
    async with (
        own_workers(stack, 1, worker_settings={"CALLWRIGHT_WORKER_DRAIN_TIMEOUT_SECONDS": "1"}) as (
            settings,
            (worker,),
        ),
        issuer_client(settings) as client,
    ):
        tenant = await new_tenant(stack)
        body = await create_voice_session(client, tenant)
        caller = await agent_in_call(client, tenant.headers, body)
        await asyncio.wait_for(caller.wait_for_agent_state("listening"), 60)
        worker.terminate()
        session = await wait_ended(client, tenant, body["session_id"], within=120)
        assert (session["status"], session["end_reason"]) == ("ended", "worker_unavailable")
        assert session["duration_seconds"] > 0
        response = await client.get(
            f"/v1/sessions/{body['session_id']}/timeline", headers=tenant.headers
        )
        assert response.status_code == 200, response.text
        events = [i for i in response.json()["items"] if i["role"] == "event"]
        assert (events[-1]["content"], events[-1]["detail"]) == ("ended", "worker_unavailable")
        await caller.leave()
        assert await asyncio.to_thread(worker.wait, 60) is not None, "the worker exits"

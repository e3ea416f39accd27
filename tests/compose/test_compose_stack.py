"""`docker compose up` for real: the images built from the repository root, every service
of docker-compose.yml healthy, a tenant made with the CLI inside the issuer container, a
call through the containers charged, and a scaled worker fleet that drains on `stop`."""

from __future__ import annotations

import asyncio
import subprocess
from typing import Any

import httpx
import pytest

from callwright_devstack.api import create_voice_session, credits_of, session_of
from callwright_devstack.participant import Caller
from callwright_devstack.tenants import Tenant
from callwright_devstack.waiting import eventually
from tests.compose.conftest import (
    AGENT_REPLY,
    AGENT_TIMEOUT_S,
    CREDITS_PER_MINUTE,
    END_TIMEOUT_S,
    ComposeStack,
    needs_worker_on_postgres,
)
from tests.support.charges import expected_charge

# The fixtures (engine, base images, build, `up`) have deadlines of their own
# (conftest.py); the 300 s timeout is each test's own.
pytestmark = [pytest.mark.compose, pytest.mark.timeout(300, func_only=True)]

SERVICES = ("livekit", "redis", "postgres", "issuer", "web")


def has_module(stack: ComposeStack, image: str, module: str) -> bool:
    result = subprocess.run(
        [
            "docker",
            "run",
            "--rm",
            "--network",
            "host",
            image,
            "python",
            "-c",
            f"import importlib.util, sys; sys.exit(importlib.util.find_spec({module!r}) is None)",
        ],
        env=stack.env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode in (0, 1), result.stderr
    return result.returncode == 0


async def wait_ended(client: httpx.AsyncClient, tenant: Tenant, session_id: str) -> dict[str, Any]:
    latest: dict[str, Any] = {}

    async def ended() -> bool:
        nonlocal latest
        latest = await session_of(client, tenant, session_id)
        return latest["status"] in ("ended", "failed")

    await eventually(ended, within=END_TIMEOUT_S, what=f"session {session_id} to end")
    return latest


async def converse(stack: ComposeStack, caller: Caller) -> None:
    """Like a person: wait for the agent to listen, speak, hear its answer."""
    await asyncio.wait_for(caller.agent_joined.wait(), AGENT_TIMEOUT_S)
    await asyncio.wait_for(caller.wait_for_agent_state("listening"), AGENT_TIMEOUT_S)
    await caller.speak(stack.speech_wav, then_silence_s=1.0)

    async def answered() -> bool:
        return AGENT_REPLY.split(",")[0] in caller.agent_text()

    await eventually(answered, within=AGENT_TIMEOUT_S, what="the agent's answer")
    await caller.keep_quiet(1.0)


def assert_charged(session: dict[str, Any]) -> None:
    assert (session["status"], session["end_reason"]) == ("ended", "user_left")
    seconds: float = session["duration_seconds"]
    assert seconds > 1
    assert session["credits_charged"] == expected_charge(session, CREDITS_PER_MINUTE) >= 1
    assert any(AGENT_REPLY in item["content"] for item in session["transcript"])


def test_the_issuer_image_has_no_onnxruntime(compose_stack: ComposeStack) -> None:
    assert not has_module(compose_stack, "callwright-issuer:latest", "onnxruntime")
    assert not has_module(compose_stack, "callwright-web:latest", "onnxruntime")
    # The same check finds it where it belongs: the worker's Silero VAD runs on it.
    assert has_module(compose_stack, "callwright-worker:latest", "onnxruntime")


async def test_every_service_is_healthy_and_the_page_asks_for_credentials(
    compose_stack: ComposeStack,
) -> None:
    for service in SERVICES:
        [container] = compose_stack.containers(service)
        assert container["Health"] == "healthy", container
    async with httpx.AsyncClient(base_url=compose_stack.web_url, timeout=30) as web:
        assert (await web.get("/healthz")).status_code == 200
        assert (await web.get("/")).status_code == 401
        page = await web.get("/", auth=compose_stack.web_credentials)
        assert page.status_code == 200, page.text
    async with httpx.AsyncClient(base_url=compose_stack.issuer_url, timeout=30) as api:
        assert (await api.get("/healthz")).status_code == 200


@needs_worker_on_postgres
async def test_a_call_through_the_containers_is_charged(compose_stack: ComposeStack) -> None:
    await compose_stack.arun("up", "-d", "--wait", "worker")
    tenant = await compose_stack.new_tenant()
    async with httpx.AsyncClient(base_url=compose_stack.issuer_url, timeout=30) as client:
        body = await create_voice_session(client, tenant)
        caller = Caller(body["livekit_url"], body["token"])
        await caller.join()
        await converse(compose_stack, caller)
        assert caller.agent_audio_peak_rms > 1000, "the agent's audio was silent"
        await caller.leave()
        session = await wait_ended(client, tenant, body["session_id"])
        assert_charged(session)
        assert await credits_of(client, tenant) == {
            "balance": 1000 - session["credits_charged"],
            "held": 0,
            "available": 1000 - session["credits_charged"],
        }


@needs_worker_on_postgres
async def test_two_workers_and_stop_drains_the_call(compose_stack: ComposeStack) -> None:
    await compose_stack.arun("up", "-d", "--wait", "--scale", "worker=2", "worker")
    workers = compose_stack.containers("worker")
    assert [w["Health"] for w in workers] == ["healthy", "healthy"], workers
    tenant = await compose_stack.new_tenant()
    async with httpx.AsyncClient(base_url=compose_stack.issuer_url, timeout=30) as client:
        body = await create_voice_session(client, tenant)
        caller = Caller(body["livekit_url"], body["token"])
        await caller.join()
        await asyncio.wait_for(caller.agent_joined.wait(), AGENT_TIMEOUT_S)
        # `docker compose stop worker` blocks until every worker has exited: the idle one
        # at once, the one serving the call once the call ends (SIGTERM drains).
        stopping = asyncio.create_task(compose_stack.arun("stop", "worker"))

        async def one_left() -> bool:
            states = [
                w["State"] for w in await asyncio.to_thread(compose_stack.containers, "worker")
            ]
            return sorted(states) == ["exited", "running"]

        await eventually(one_left, within=END_TIMEOUT_S, what="the idle worker to exit")
        assert not stopping.done()
        # The draining worker still serves the call to its end.
        await converse(compose_stack, caller)
        await caller.leave()
        await asyncio.wait_for(stopping, END_TIMEOUT_S)
        session = await wait_ended(client, tenant, body["session_id"])
        assert_charged(session)
    for worker in compose_stack.containers("worker"):
        assert (worker["State"], worker["ExitCode"]) == ("exited", 0), worker

"""`callwright doctor` against the end-to-end stack: all is well when it is, and each fault
introduced is named — no worker, a wrong LiveKit secret, LiveKit's webhook pointed
elsewhere, a provider refusing the key. Faults come from the doctor's settings (what a
misconfigured deployment would hold), plus a livekit-server of its own for the webhook."""

from __future__ import annotations

import asyncio
import os
import sys
import uuid

import httpx
import pytest
from livekit import api
from pydantic import SecretStr

from callwright.doctor import Finding, examine
from callwright_devstack.ports import free_tcp_port
from callwright_devstack.services.livekit_server import running_livekit
from callwright_devstack.services.worker_process import DEEPGRAM_KEY, OPENAI_KEY
from callwright_issuer.http.rate_limits import CONNECTION_TEST_BURST
from callwright_shared.settings import CallwrightSettings
from tests.e2e.support import Stack, new_tenant, webhook_url

pytestmark = pytest.mark.e2e

# A probe that must find nothing waits this long: what it waits for never comes, and the
# healthy run (the default wait) shows the same probe succeeding. The fault tests assert
# only what the fault decides, never that the other probes beat this shorter wait.
FAULT_WAIT = 2.0


def deployment(stack: Stack, **overrides: object) -> CallwrightSettings:
    """The stack's settings as its issuer and worker hold them, provider keys included."""
    return stack.settings.model_copy(
        update={
            "openai_api_key": SecretStr(OPENAI_KEY),
            "openai_base_url": stack.openai.base_url,
            "deepgram_api_key": SecretStr(DEEPGRAM_KEY),
            "deepgram_base_url": stack.deepgram.base_url,
            **overrides,
        }
    )


def by_check(findings: list[Finding]) -> dict[str, Finding]:
    return {f.check: f for f in findings}


def problems(findings: list[Finding]) -> set[str]:
    return {f.check for f in findings if f.status == "problem"}


async def test_a_healthy_stack_is_well_and_the_command_exits_0(stack: Stack) -> None:
    settings = deployment(stack)
    # The emulators check the keys, as the real services do.
    stack.openai.require_key, stack.deepgram.require_key = OPENAI_KEY, DEEPGRAM_KEY
    try:
        command = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "callwright.cli",
            "doctor",
            env={**os.environ, **settings.to_env()},
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await command.communicate()
    finally:
        stack.openai.require_key = stack.deepgram.require_key = None
    printed = out.decode()
    assert command.returncode == 0, printed + err.decode()
    for check in ("database", "livekit", "worker", "livekit webhook"):
        assert f"✓ {check}:" in printed
    assert "✓ provider OpenAI:" in printed and "✓ provider Deepgram:" in printed
    assert "- provider Google: no API key configured" in printed
    assert printed.rstrip().endswith("All is well.")


async def test_no_worker_is_named(stack: Stack) -> None:
    nobody = f"callwright-nobody-{uuid.uuid4().hex[:6]}"
    findings = await examine(deployment(stack, livekit_agent_name=nobody), wait=FAULT_WAIT)
    assert "worker" in problems(findings)
    assert by_check(findings)["livekit"].status == "ok"
    worker = by_check(findings)["worker"]
    assert nobody in worker.detail and worker.fix and "callwright worker start" in worker.fix


async def test_a_wrong_livekit_secret_is_named(stack: Stack) -> None:
    wrong = SecretStr("not-the-servers-secret-0123456789abcdef")
    findings = await examine(deployment(stack, livekit_api_secret=wrong), wait=FAULT_WAIT)
    assert problems(findings) == {"livekit"}
    found = by_check(findings)
    assert "LIVEKIT_API_SECRET does not match the server's keys" in found["livekit"].detail
    assert found["worker"].status == found["livekit webhook"].status == "skipped"


async def test_a_webhook_pointed_elsewhere_is_named(stack: Stack) -> None:
    # A LiveKit whose webhook goes to a port nothing listens on, with no worker either.
    elsewhere = webhook_url(free_tcp_port())
    with running_livekit(f"livekit-doctor-{uuid.uuid4().hex[:6]}.log", webhook_url=elsewhere) as lk:
        findings = await examine(deployment(stack, livekit_url=lk.url), wait=FAULT_WAIT)
    webhook = by_check(findings)["livekit webhook"]
    assert webhook.status == "problem" and "did not reach the issuer" in webhook.detail
    assert webhook.fix and "webhook.urls" in webhook.fix
    assert by_check(findings)["livekit"].status == "ok"


async def test_a_provider_refusing_the_key_is_named(stack: Stack) -> None:
    stack.openai.require_key, stack.deepgram.require_key = OPENAI_KEY, DEEPGRAM_KEY
    try:
        findings = await examine(
            deployment(stack, openai_api_key=SecretStr("sk-revoked")), wait=FAULT_WAIT
        )
    finally:
        stack.openai.require_key = stack.deepgram.require_key = None
    assert "provider OpenAI" in problems(findings)
    assert by_check(findings)["provider Deepgram"].status == "ok"
    openai = by_check(findings)["provider OpenAI"]
    assert "refused OPENAI_API_KEY (401)" in openai.detail
    assert openai.fix and "OPENAI_API_KEY" in openai.fix


async def test_a_connection_test_opens_a_room_and_nothing_else(
    stack: Stack, client: httpx.AsyncClient
) -> None:
    tenant = await new_tenant(stack)
    assert (await client.post("/v1/connection-test")).json()["error"]["code"] == "invalid_api_key"
    opened = [
        await client.post("/v1/connection-test", headers=tenant.headers)
        for _ in range(CONNECTION_TEST_BURST)
    ]
    assert [r.status_code for r in opened] == [200] * CONNECTION_TEST_BURST
    body = opened[0].json()
    assert body["livekit_url"] == stack.settings.client_livekit_url
    livekit = api.LiveKitAPI(
        stack.livekit.http_url, stack.livekit.api_key, stack.livekit.api_secret
    )
    try:
        rooms = await livekit.room.list_rooms(api.ListRoomsRequest(names=[body["room_name"]]))
        assert [r.name for r in rooms.rooms] == [body["room_name"]]
        # LiveKit lists its automatic dispatch (no agent name), which a named worker
        # never takes: no agent is dispatched.
        dispatches = await livekit.agent_dispatch.list_dispatch(body["room_name"])
        assert [d.agent_name for d in dispatches if d.agent_name] == []
    finally:
        await livekit.aclose()
    refused = await client.post("/v1/connection-test", headers=tenant.headers)
    assert refused.status_code == 429 and refused.json()["error"]["code"] == "rate_limited"
    assert int(refused.headers["Retry-After"]) > 0
    sessions = await client.get("/v1/sessions", headers=tenant.headers)
    assert sessions.json()["data"] == []
    credits = (await client.get("/v1/credits", headers=tenant.headers)).json()
    assert credits["held"] == 0

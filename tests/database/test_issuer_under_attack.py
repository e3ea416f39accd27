"""One tenant's hostile input against a running issuer: the issuer stays up for every
other tenant (docs/security.md#regex-on-re2, docs/security.md#bounded-decoding).

The issuer runs as a real process (`callwright issuer`) on a real SQLite database, so
what is observed is the process: whether it still answers `/healthz`, and its resident
memory from /proc. The LLM is the OpenAI emulator and every receiver a real HTTP server,
all on loopback (private addresses allowed, as an operator does for its own network).
"""

from __future__ import annotations

import asyncio
import threading
import zlib
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiohttp import web

from callwright_devstack.checkout import ARTIFACTS
from callwright_devstack.emulators import OpenAIEmulator
from callwright_devstack.emulators.openai_emulator import call_tool_when
from callwright_devstack.services.callwright_process import CallwrightProcess
from callwright_devstack.services.tool_server import Answer, ToolServer
from callwright_devstack.tenants import Tenant, seed_tenant
from callwright_devstack.waiting import eventually
from tests.support.issuer_env import issuer_env

pytestmark = pytest.mark.database

PROVIDER_KEY = "sk-test-callwright-0123456789"
# Catastrophic backtracking: each added `a` doubles a backtracking engine's work, and
# the final `!` makes every way of splitting the run fail (hours at 40 characters).
EVIL_PATTERN = "^(a+)+$"
EVIL_INPUT = "a" * 40 + "!"
# 50 concurrent test sends, each answered with 64 MB of zeros gzipped (about 64 KB).
SENDS = 50
BOMB_BYTES = 64 << 20
RSS_GROWTH_BOUND = 50 << 20


@contextmanager
def running_issuer(env: dict[str, str], cwd: Path, name: str) -> Iterator[CallwrightProcess]:
    log = ARTIFACTS / f"issuer-under-attack-{name}.log"
    with CallwrightProcess("issuer", "--no-migrate", env=env, log=log, cwd=cwd) as issuer:
        yield issuer


class HeldAfterTool(OpenAIEmulator):
    """Holds the model's answer to a tool's result until `release`: the chat message
    stays in flight while the test probes the issuer."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.release = asyncio.Event()
        self.tool_results: list[str] = []

    async def _chat_completions(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        messages = body.get("messages") or []
        if messages and messages[-1].get("role") == "tool":
            self.tool_results.append(str(messages[-1].get("content")))
            await self.release.wait()
        return await super()._chat_completions(request)


@pytest.fixture
async def emulator() -> AsyncIterator[HeldAfterTool]:
    policy = call_tool_when(r"a{40}!", "lookup", {"q": EVIL_INPUT})
    async with HeldAfterTool(
        reply="No tool needed.", require_key=PROVIDER_KEY, tool_policy=policy
    ) as emu:
        yield emu


@pytest.fixture
async def tool_server() -> AsyncIterator[ToolServer]:
    async with ToolServer(secret="whsec_" + "A" * 44) as server:
        yield server


async def healthz(issuer: CallwrightProcess) -> int:
    # Within a second: what an orchestrator's liveness probe allows before it counts a
    # failure (the issuer's own answer takes milliseconds).
    async with httpx.AsyncClient(timeout=1.0) as client:
        return (await client.get(f"{issuer.url}/healthz")).status_code


async def test_healthz_answers_while_a_redos_tool_call_is_attempted(
    sqlite_url: str, tmp_path: Path, emulator: HeldAfterTool, tool_server: ToolServer
) -> None:
    tenant = await seed_tenant(sqlite_url, credits_amount=100, agent={"architecture": "text"})
    env = issuer_env(
        sqlite_url,
        OPENAI_BASE_URL=emulator.base_url,
        OPENAI_API_KEY=PROVIDER_KEY,
        CALLWRIGHT_TOOLS_ALLOW_PRIVATE_NETWORKS="true",
    )
    url = tool_server.answer("/lookup", Answer.result({"found": True}))
    with running_issuer(env, tmp_path, "redos") as issuer:
        async with httpx.AsyncClient(base_url=issuer.url, timeout=60) as client:
            tool = {
                "type": "http",
                "name": "lookup",
                "description": "Look something up.",
                "url": url,
                "parameters": {
                    "type": "object",
                    "properties": {"q": {"type": "string", "pattern": EVIL_PATTERN}},
                    "required": ["q"],
                },
            }
            agent = await client.post(
                "/v1/agents",
                json={"name": "redos", "architecture": "text", "tools": [tool]},
                headers=tenant.headers,
            )
            assert agent.status_code == 200, agent.text
            chat = await client.post(
                "/v1/sessions/chat", json={"agent_id": agent.json()["id"]}, headers=tenant.headers
            )
            assert chat.status_code == 200, chat.text
            session_id = chat.json()["session_id"]
            assert await healthz(issuer) == 200

            message = asyncio.create_task(
                client.post(
                    f"/v1/sessions/{session_id}/messages",
                    json={"message": EVIL_INPUT},
                    headers=tenant.headers,
                )
            )
            try:
                # The model asked for the tool: the issuer is validating its arguments.
                await eventually(
                    lambda: bool(emulator.tool_calls_made), within=30, what="the tool call"
                )
                assert await healthz(issuer) == 200
                # Refused as invalid, and the model is told so; the message is still in
                # flight (its second model request is held).
                await eventually(
                    lambda: bool(emulator.tool_results), within=30, what="the tool's result"
                )
                assert not message.done()
                assert await healthz(issuer) == 200
                [result] = emulator.tool_results
                assert "pattern" in result or "match" in result, result
            except BaseException:
                message.cancel()
                raise
            finally:
                emulator.release.set()
            reply = await message
            assert reply.status_code == 200, reply.text
            session = await client.get(f"/v1/sessions/{session_id}", headers=tenant.headers)
            [tool_entry] = [e for e in session.json()["transcript"] if e["role"] == "tool"]
            assert tool_entry["tool"]["outcome"] == "invalid_arguments"
            assert tool_server.requests == []


def gzip_bomb() -> bytes:
    """BOMB_BYTES of zeros, gzipped, built a megabyte at a time."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = bytes(1 << 20)
    return b"".join(packer.compress(zeros) for _ in range(BOMB_BYTES >> 20)) + packer.flush()


class PeakRss:
    """The issuer's highest resident memory, sampled from /proc while it runs."""

    def __init__(self, issuer: CallwrightProcess) -> None:
        self._issuer = issuer
        self._stop = threading.Event()
        self.peak = issuer.rss_bytes()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, self._issuer.rss_bytes())

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._issuer.rss_bytes())


async def test_issuer_memory_stays_bounded_during_concurrent_sends_to_a_gzip_bomb(
    sqlite_url: str, tmp_path: Path
) -> None:
    tenant: Tenant = await seed_tenant(sqlite_url)
    # The per-organization limits are raised: what is tested is that no answer is
    # decoded past its cap, whatever the number of sends at once.
    env = issuer_env(
        sqlite_url,
        CALLWRIGHT_OUTBOUND_ALLOW_PRIVATE="true",
        CALLWRIGHT_WEBHOOK_ENDPOINTS_PER_ORG=str(SENDS + 1),
        CALLWRIGHT_WEBHOOK_TEST_EVENTS_PER_MINUTE=str(SENDS + 1),
    )
    bomb = gzip_bomb()
    async with ToolServer(secret="whsec_" + "A" * 44) as server:
        answer = Answer(body=bomb, content_type="text/plain", headers={"Content-Encoding": "gzip"})
        urls = [server.answer(f"/e{i}", answer) for i in range(SENDS + 1)]
        with running_issuer(env, tmp_path, "gzip-bomb") as issuer:
            async with httpx.AsyncClient(base_url=issuer.url, timeout=120) as client:
                ids = []
                for url in urls:
                    created = await client.post(
                        "/v1/webhook-endpoints", json={"url": url}, headers=tenant.headers
                    )
                    assert created.status_code == 200, created.text
                    ids.append(created.json()["id"])

                async def test_send(endpoint_id: str) -> httpx.Response:
                    return await client.post(
                        f"/v1/webhook-endpoints/{endpoint_id}/test", headers=tenant.headers
                    )

                # Warm up: the first send imports and allocates what every later one reuses.
                warm, *attack = ids
                first = await test_send(warm)
                assert first.json()["status"] == "succeeded", first.text
                before = issuer.rss_bytes()
                with PeakRss(issuer) as rss:
                    sent = await asyncio.gather(*(test_send(i) for i in attack))
                growth = rss.peak - before
                assert growth < RSS_GROWTH_BOUND, f"RSS grew by {growth >> 20} MB"
                assert [r.status_code for r in sent] == [200] * SENDS, sent[0].text
                assert {r.json()["status"] for r in sent} == {"succeeded"}
                assert len(server.requests) == SENDS + 1
                assert {r.headers["accept-encoding"] for r in server.requests} == {"identity"}

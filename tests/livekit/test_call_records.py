"""A chat session's timeline and latency, an agent's stats over a time range, and the
issuer's Prometheus view of settled calls; the LLM is the OpenAI emulator with a known
first-token delay."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from callwright_devstack.api import assert_error, issuer_client
from callwright_devstack.emulators import OpenAIEmulator
from callwright_devstack.services.livekit_server import LiveKitServer
from callwright_devstack.tenants import seed_tenant
from callwright_devstack.waiting import eventually
from tests.livekit.test_chat_sessions import PROVIDER_KEY, TEXT_AGENT, chat_settings, echo

pytestmark = pytest.mark.livekit

FIRST_TOKEN_DELAY_S = 0.3


@pytest.fixture
async def slow_llm() -> AsyncIterator[OpenAIEmulator]:
    async with OpenAIEmulator(
        reply=echo, require_key=PROVIDER_KEY, first_token_delay_s=FIRST_TOKEN_DELAY_S
    ) as emu:
        yield emu


async def metric(client: httpx.AsyncClient, name: str, **labels: str) -> float:
    text = (await client.get("/metrics")).text
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return float(sample.value)
    return 0.0


async def test_chat_timeline_latency_stats_and_metrics(
    database_url: str, livekit_server: LiveKitServer, slow_llm: OpenAIEmulator
) -> None:
    tenant = await seed_tenant(database_url, credits_amount=100, agent=TEXT_AGENT)
    other = await seed_tenant(database_url, credits_amount=100, agent=TEXT_AGENT)
    settings = chat_settings(
        database_url, livekit_server, slow_llm, call_metrics_interval_seconds=0.2
    )
    async with issuer_client(settings) as client:
        ended_before = await metric(
            client, "callwright_calls_ended_total", kind="chat", end_reason="api_ended"
        )
        ttft_before = await metric(client, "callwright_turn_latency_seconds_count", part="llm_ttft")
        created = await client.post(
            "/v1/sessions/chat", json={"agent_id": tenant.agent_id}, headers=tenant.headers
        )
        session_id = created.json()["session_id"]
        loop = asyncio.get_running_loop()
        waited_ms: list[float] = []  # what the caller waited for each whole reply
        for text in ("hello", "and again"):
            asked = loop.time()
            reply = await client.post(
                f"/v1/sessions/{session_id}/messages",
                json={"message": text},
                headers=tenant.headers,
            )
            waited_ms.append((loop.time() - asked) * 1000)
            assert reply.status_code == 200, reply.text

        timeline = await client.get(f"/v1/sessions/{session_id}/timeline", headers=tenant.headers)
        assert timeline.status_code == 200, timeline.text
        body = timeline.json()
        assert (body["object"], body["session_id"], body["kind"]) == (
            "session.timeline",
            session_id,
            "chat",
        )
        items = body["items"]
        assert [(i["role"], i["content"]) for i in items] == [
            ("user", "hello"),
            ("assistant", "Reply 1: you said hello"),
            ("user", "and again"),
            ("assistant", "Reply 2: you said and again"),
        ]
        assert all(i["at"] for i in items)
        # The stored first-token latency is the emulator's delay at least, and no more
        # than the caller waited for the whole reply.
        ttfts = [i["latency"]["llm_ttft_ms"] for i in items if i["role"] == "assistant"]
        for ttft, waited in zip(ttfts, waited_ms, strict=True):
            assert FIRST_TOKEN_DELAY_S * 1000 <= ttft <= waited
        summary = body["latency"]
        assert summary["turns"] == {"user": 2, "agent": 2, "interrupted": 0}
        assert summary["llm_ttft_ms"]["n"] == 2
        assert summary["llm_ttft_ms"]["max"] == max(ttfts)
        assert summary["e2e_ms"] is None

        session = (await client.get(f"/v1/sessions/{session_id}", headers=tenant.headers)).json()
        assert session["latency"] == summary
        assert session["usage"]["messages"] == 2

        # Org-scoped: another organization sees neither the timeline nor the stats.
        assert_error(
            await client.get(f"/v1/sessions/{session_id}/timeline", headers=other.headers),
            404,
            "session_not_found",
        )
        assert_error(
            await client.get(f"/v1/agents/{tenant.agent_id}/stats", headers=other.headers),
            404,
            "agent_not_found",
        )

        assert (
            await client.post(f"/v1/sessions/{session_id}/end", headers=tenant.headers)
        ).status_code == 200
        now = datetime.now(UTC)
        window = {"from": (now - timedelta(hours=1)).isoformat(), "to": now.isoformat()}
        stats = await client.get(
            f"/v1/agents/{tenant.agent_id}/stats", params=window, headers=tenant.headers
        )
        assert stats.status_code == 200, stats.text
        figures: dict[str, Any] = stats.json()
        assert (figures["object"], figures["agent_id"]) == ("agent.stats", tenant.agent_id)
        assert (figures["sessions"], figures["ended_sessions"], figures["truncated"]) == (
            1,
            1,
            False,
        )
        assert figures["latency"]["llm_ttft_ms"] == summary["llm_ttft_ms"]
        assert figures["credits_charged"]["p50"] == 4.0  # two messages at 2 credits
        earlier = {"to": (now - timedelta(hours=1)).isoformat()}
        before = await client.get(
            f"/v1/agents/{tenant.agent_id}/stats", params=earlier, headers=tenant.headers
        )
        assert before.status_code == 200 and before.json()["sessions"] == 0
        assert before.json()["credits_charged"] is None

        # Bad ranges are 400s with the API's error body.
        stats_url = f"/v1/agents/{tenant.agent_id}/stats"
        for params in (
            {"from": now.isoformat(), "to": now.isoformat()},
            {"from": now.isoformat(), "to": (now - timedelta(days=1)).isoformat()},
            {"from": (now - timedelta(days=400)).isoformat()},
            {"from": "yesterday"},
            {"to": "2026-13-45"},
            {"to": "0001-01-01T00:00:00+00:00"},
            {"to": "9999-12-31T23:59:59-23:59"},
        ):
            error = assert_error(
                await client.get(stats_url, params=params, headers=tenant.headers),
                400,
                "invalid_request",
            )
            assert error["param"] in ("from", "to"), error

        # The issuer's metrics count the settled session and observe its turns.
        async def observed() -> bool:
            ended = await metric(
                client, "callwright_calls_ended_total", kind="chat", end_reason="api_ended"
            )
            return ended == ended_before + 1

        await eventually(observed, within=30, what="the settled session in /metrics")
        assert (
            await metric(client, "callwright_turn_latency_seconds_count", part="llm_ttft")
            == ttft_before + 2
        )

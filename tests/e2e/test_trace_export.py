"""OpenTelemetry export (worker/src/callwright_worker/telemetry.py): a real call on a
worker with OTEL_EXPORTER_OTLP_ENDPOINT set sends livekit-agents' spans, stamped with the
callwright session, to an OTLP/HTTP receiver on loopback."""

from __future__ import annotations

import asyncio

import pytest

from callwright_devstack.api import create_voice_session, issuer_client
from callwright_devstack.services.otlp_receiver import OtlpReceiver
from callwright_devstack.waiting import eventually
from tests.e2e.support import AGENT_REPLY, Stack, join, new_tenant, own_workers, wait_ended

pytestmark = pytest.mark.e2e

# Spans livekit-agents 1.8.9 opens for a pipeline call with one question and answer.
EXPECTED_SPANS = {"agent_session", "user_turn", "agent_turn", "llm_node", "tts_node"}


async def test_a_calls_traces_reach_the_otlp_endpoint_with_its_session_id(stack: Stack) -> None:
    async with (
        OtlpReceiver() as receiver,
        own_workers(
            stack,
            1,
            worker_settings={
                "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.url,
                "OTEL_SERVICE_NAME": "callwright-worker-test",
            },
        ) as (settings, _),
        issuer_client(settings) as client,
    ):
        tenant = await new_tenant(stack)
        body = await create_voice_session(client, tenant)
        caller = await join(body)
        try:
            await asyncio.wait_for(caller.agent_joined.wait(), 30)
            await asyncio.wait_for(caller.wait_for_agent_state("listening"), 30)
            await caller.speak(stack.speech_wav, then_silence_s=1.0)
            await eventually(
                lambda: AGENT_REPLY.split(",")[0] in caller.agent_text(),
                within=40,
                what="the answer",
            )
        finally:
            await caller.leave()
        await wait_ended(client, tenant, body["session_id"], within=60)

        def names() -> set[str]:
            return {span.name for span in receiver.of_session(body["session_id"])}

        # Flushed when the job shuts down, after the session is settled.
        await eventually(
            lambda: names() >= EXPECTED_SPANS, within=60, what=f"{EXPECTED_SPANS} exported"
        )
    spans = receiver.of_session(body["session_id"])
    assert {span.service for span in spans} == {"callwright-worker-test"}
    assert {span.attributes["callwright.agent_id"] for span in spans} == {tenant.agent_id}
    assert {span.attributes["callwright.org_id"] for span in spans} == {tenant.org_id}
    # livekit-agents' own attributes come along (the room's sid), and one call is one trace.
    session_span = next(span for span in spans if span.name == "agent_session")
    assert str(session_span.attributes.get("gen_ai.conversation.id", "")).startswith("RM_")
    turns = [span for span in spans if span.name in ("user_turn", "agent_turn")]
    assert {span.trace_id for span in turns} == {session_span.trace_id}
    assert all(session_span.start_ns <= span.start_ns for span in turns)

"""What a tool round trip adds to a pipeline turn: turns with a tool call against turns
without, alternating in the same call.

    uv run python bench/tool_roundtrip.py              # 6 turns of each kind
    uv run python bench/tool_roundtrip.py --turns 10 --json

The stack is turn_latency.py's (a real livekit-server and `callwright worker start`,
provider emulators with a fixed LLM first-token and TTS first-byte delay), plus a tool
server on loopback that verifies each request's signature and answers at once. On a
tool turn the emulated LLM calls the tool, the worker sends the signed request, and the
LLM's second request (with the result) words the answer; on a plain turn the LLM
answers directly. Each turn is measured as in turn_latency.py:

    turn      = first loud agent audio at the participant − end of the user's speech
    added     = p50(tool turns) − p50(plain turns)
    overhead  = added − the second LLM request's first-token delay (the emulator's fixed
                LLM_FIRST_TOKEN_S): the tool's own cost, the HTTP round trip included
    http      = the request's latency as the executor measured it (the transcript's
                `tool.latency_ms`), p50

Turns alternate (plain, tool, plain, …), so load on the machine falls on both kinds alike.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from typing import Any

from bench._stats import percentile
from bench._voice_stack import VoiceStack, voice_stack
from bench.results import Recording
from callwright_devstack.database import database
from callwright_devstack.emulators.openai_emulator import call_tool_when
from callwright_devstack.participant import Caller
from callwright_devstack.services.tool_server import Answer, ToolServer
from callwright_devstack.waiting import eventually
from callwright_shared.tools.signing_secret import signing_secret_of

LLM_FIRST_TOKEN_S = 0.30
TTS_FIRST_BYTE_S = 0.20
TOOL_NAME = "lookup_order"


def order_tool(url: str) -> dict[str, Any]:
    return {
        "type": "http",
        "name": TOOL_NAME,
        "description": "Look up an order by its number.",
        "parameters": {"type": "object", "properties": {"order_id": {"type": "string"}}},
        "url": url,
    }


async def turn(stack: VoiceStack, caller: Caller, *, with_tool: bool) -> float:
    # The stack's user asks for help: a tool turn calls the tool for it.
    policy = call_tool_when("help", TOOL_NAME, {"order_id": "A42"}) if with_tool else None
    stack.openai.tool_policy = policy
    caller.first_loud_agent_audio_at = None
    speech_end = await caller.speak(stack.speech_wav, then_silence_s=0.0)
    async with asyncio.timeout(30):
        while caller.first_loud_agent_audio_at is None:
            await caller.keep_quiet(0.02)
    latency = caller.first_loud_agent_audio_at - speech_end
    await caller.keep_quiet(3.5)  # let the agent finish its answer
    return latency


async def http_latencies(stack: VoiceStack, session_id: str) -> list[float]:
    url = f"/v1/sessions/{session_id}"

    async def ended() -> bool:
        status = (await stack.client.get(url, headers=stack.tenant.headers)).json()["status"]
        return status in ("ended", "failed")

    await eventually(ended, within=30, what=f"session {session_id} to end")
    session = (await stack.client.get(url, headers=stack.tenant.headers)).json()
    return [
        float(e["tool"]["latency_ms"])
        for e in session["transcript"]
        if e["role"] == "tool" and e["tool"].get("outcome") == "ok"
    ]


async def main(turns: int, as_json: bool, write: bool) -> None:
    recording = Recording("tool_roundtrip")
    server = ToolServer(secret="")
    url = server.answer("/orders", Answer.result({"status": "shipped"}))
    async with (
        server,
        voice_stack(
            llm_first_token_s=LLM_FIRST_TOKEN_S,
            tts_first_byte_s=TTS_FIRST_BYTE_S,
            agent={"tools": [order_tool(url)]},
        ) as stack,
    ):
        async with database(stack.settings.database_url) as db:
            server.secret = await signing_secret_of(db, stack.tenant.org_id)
        body = await stack.create_call()
        caller = Caller(body["livekit_url"], body["token"], measure_every_frame=False)
        await caller.join(queue_size_ms=20)
        plain: list[float] = []
        tool: list[float] = []
        try:
            async with asyncio.timeout(30):
                await caller.agent_joined.wait()
            await caller.keep_quiet(1.5)
            await turn(stack, caller, with_tool=True)  # warm-up: the first request's connection
            for _ in range(turns):
                plain.append(await turn(stack, caller, with_tool=False))
                tool.append(await turn(stack, caller, with_tool=True))
        finally:
            stack.openai.tool_policy = None
            await caller.leave()
            await stack.client.post(
                f"/v1/sessions/{body['session_id']}/end", headers=stack.tenant.headers
            )
        http = (await http_latencies(stack, body["session_id"]))[1:]  # without the warm-up
        unverified = sum(1 for r in server.requests if not r.verified)

    added = percentile(tool, 50) - percentile(plain, 50)
    result = {
        "turns_each": turns,
        "plain_p50_ms": round(percentile(plain, 50) * 1000, 1),
        "tool_p50_ms": round(percentile(tool, 50) * 1000, 1),
        "ratio_p50": round(percentile(tool, 50) / percentile(plain, 50), 2),
        "added_p50_ms": round(added * 1000, 1),
        "second_llm_first_token_ms": LLM_FIRST_TOKEN_S * 1000,
        "tool_overhead_p50_ms": round((added - LLM_FIRST_TOKEN_S) * 1000, 1),
        "tool_http_p50_ms": round(percentile(http, 50), 1) if http else None,
        "unverified_requests": unverified,
    }
    if write:
        recording.write(result)
    if as_json:
        print(json.dumps(result))
        return
    print(
        f"turn p50: plain {result['plain_p50_ms']} ms, with a tool {result['tool_p50_ms']} ms "
        f"(ratio {result['ratio_p50']}), {turns} turns each"
    )
    print(
        f"a tool round trip adds {result['added_p50_ms']} ms p50, of which "
        f"{result['second_llm_first_token_ms']:.0f} ms is the second LLM request's first token "
        f"(emulated): tool overhead {result['tool_overhead_p50_ms']} ms, "
        f"the HTTP request itself {result['tool_http_p50_ms']} ms p50"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--turns", type=int, default=6)
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--write", action="store_true", help="write bench/results/tool_roundtrip.json"
    )
    args = parser.parse_args()
    asyncio.run(main(args.turns, args.json, args.write))

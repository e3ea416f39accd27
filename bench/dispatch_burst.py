"""Bursts of simultaneous Create Voice Session calls: how many get an agent, per mode.

    uv run python -m bench.dispatch_burst [--bursts 4,8,12,16] [--modes dev,start]

For each worker mode (`dev` is what `make run` starts, `start` production) one worker
with CALLWRIGHT_WORKER_MAX_JOBS=16 and its warm processes; each burst creates N sessions
at once, then waits (up to 90 s) for an agent in every room. Figures: agents / sessions,
and room created → agent joined from livekit-server's own clocks (p50, max), with the
1-session burst of the same run as the baseline the others are a ratio of.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from typing import Any

from livekit import api

from bench._stats import percentile
from bench._voice_stack import VoiceStack, agent_joined_ms, voice_stack
from bench.results import Recording

WAIT_S = 90.0


async def one_burst(stack: VoiceStack, lkapi: api.LiveKitAPI, n: int) -> dict[str, Any]:
    bodies = await asyncio.gather(*(stack.create_call() for _ in range(n)))
    joined = await asyncio.gather(
        *(agent_joined_ms(lkapi, b["room_name"], within=WAIT_S, poll=0.1) for b in bodies)
    )
    await asyncio.gather(
        *(
            stack.client.post(f"/v1/sessions/{b['session_id']}/end", headers=stack.tenant.headers)
            for b in bodies
        )
    )
    served = [ms for ms in joined if ms is not None]
    return {
        "sessions": n,
        "agents": len(served),
        "p50_ms": round(percentile(served, 50), 1) if served else None,
        "max_ms": round(max(served), 1) if served else None,
    }


async def run_mode(mode: str, bursts: list[int]) -> list[dict[str, Any]]:
    results = []
    async with voice_stack(
        worker_mode=mode, worker_overrides={"CALLWRIGHT_WORKER_MAX_JOBS": "16"}
    ) as stack:
        lkapi = api.LiveKitAPI(
            stack.livekit.http_url, stack.livekit.api_key, stack.livekit.api_secret
        )
        try:
            for n in [1, *bursts]:
                results.append({"mode": mode, **await one_burst(stack, lkapi, n)})
                await asyncio.sleep(10)  # job processes end and the warm ones refill
        finally:
            await lkapi.aclose()
    baseline = results[0]["p50_ms"] or 1.0
    for r in results:
        r["p50_vs_1_session"] = round(r["p50_ms"] / baseline, 2) if r["p50_ms"] else None
    return results


async def main(modes: list[str], bursts: list[int], as_json: bool, write: bool) -> None:
    recording = Recording("dispatch_burst")
    results = [r for mode in modes for r in await run_mode(mode, bursts)]
    if write:
        recording.write({"bursts": results})
    if as_json:
        print(json.dumps(results))
        return
    print("burst of simultaneous sessions → agents (room created → agent joined, livekit clocks)")
    for r in results:
        print(
            f"  {r['mode']:5} {r['sessions']:2} sessions: {r['agents']:2} agents   "
            f"p50 {r['p50_ms']} ms ({r['p50_vs_1_session']}× 1 session)   max {r['max_ms']} ms"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modes", default="dev,start")
    parser.add_argument("--bursts", default="4,8,12,16")
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--write", action="store_true", help="write bench/results/dispatch_burst.json"
    )
    args = parser.parse_args()
    asyncio.run(
        main(
            args.modes.split(","),
            [int(n) for n in args.bursts.split(",")],
            args.json,
            args.write,
        )
    )

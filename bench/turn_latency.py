"""Turn latency and density of pipeline calls, with provider emulators of fixed latency.

    uv run python -m bench.turn_latency                       # turn latency, 1 call
    uv run python -m bench.turn_latency --concurrency 1,4,8,12,16,20   # density

Each call is a real participant publishing espeak-ng speech through a real livekit-server
to a real `callwright worker start` process; the agent's STT/LLM/TTS are the loopback
emulators, with a fixed LLM first-token delay and TTS first-byte delay.

    measured  = first loud agent audio at the participant − end of the user's speech
    overhead  = measured − (LLM first token + TTS first byte) − endpointing delay

where the endpointing delay is the configured wait after the end of speech,
callwright_worker.providers.ENDPOINTING_DELAY_S: the larger of Silero's end-of-speech
silence (VAD_MIN_SILENCE_S) and the minimum endpointing delay (ENDPOINTING_MIN_DELAY_S),
which both count from the end of speech. Beside the measured figures it prints the
stored ones of the same calls (their timelines, GET /v1/sessions/{id}/timeline):
livekit-agents' per-turn e2e, LLM first token and TTS first byte, measured at the agent;
measured − stored e2e is the network and the participant's playout. The overhead
against the minimum endpointing delay alone is printed too, as an upper bound. Goal:
overhead ≤ 150 ms p50. With --concurrency, N calls talk at once (each doing --turns turns); the
report adds the worker's CPU and memory per job and the first N whose p50 turn latency is
15 % above the single-call one. The participants run on the same 2 cores as the worker,
so the density figure is a lower bound for a worker on a machine of its own.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import time
from pathlib import Path

from bench._stats import percentile
from bench._voice_stack import VoiceStack, voice_stack
from callwright_worker.providers import ENDPOINTING_DELAY_S, ENDPOINTING_MIN_DELAY_S
from tests.support.participant import Caller
from tests.support.waiting import eventually

LLM_FIRST_TOKEN_S = 0.30
TTS_FIRST_BYTE_S = 0.20
ENDPOINTING_S = ENDPOINTING_DELAY_S
PROVIDER_S = LLM_FIRST_TOKEN_S + TTS_FIRST_BYTE_S
CLK_TCK = os.sysconf("SC_CLK_TCK")


def _tree(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(stat[1]), []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo += children.get(current, [])
    return found


def _process_usage(pid: int) -> dict[int, tuple[float, float]]:
    """CPU seconds and PSS (MB) of each live process in the worker's tree."""
    usage: dict[int, tuple[float, float]] = {}
    for member in _tree(pid):
        try:
            stat = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
            # PSS, not RSS: forked job processes share the preloaded plugins' pages.
            rollup = Path(f"/proc/{member}/smaps_rollup").read_text()
        except OSError:
            continue
        pss_kb = [int(x.split()[1]) for x in rollup.splitlines() if x.startswith("Pss:")]
        usage[member] = ((int(stat[11]) + int(stat[12])) / CLK_TCK, sum(pss_kb) / 1024)
    return usage


class TreeMeter:
    """CPU and memory of the worker's process tree, sampled while calls run.

    Job processes exit when their call ends, taking their CPU counters with them, so the
    CPU is summed from samples of each process while it lives.
    """

    def __init__(self, pid: int) -> None:
        self._pid = pid
        self._baseline = {p: cpu for p, (cpu, _) in _process_usage(pid).items()}
        self._last = dict(self._baseline)
        self.pss_idle = sum(pss for _, pss in _process_usage(pid).values())
        self.pss_peak = self.pss_idle

    def sample(self) -> None:
        usage = _process_usage(self._pid)
        for member, (cpu, _) in usage.items():
            self._baseline.setdefault(member, 0.0)
            self._last[member] = cpu
        self.pss_peak = max(self.pss_peak, sum(pss for _, pss in usage.values()))

    @property
    def cpu_seconds(self) -> float:
        return sum(self._last[p] - self._baseline[p] for p in self._last)


STORED_PARTS = ("e2e_ms", "llm_ttft_ms", "tts_ttfb_ms")


async def stored_latency(stack: VoiceStack, session_id: str) -> dict[str, list[float]]:
    """The stored per-turn figures of a call, once it has ended."""
    url = f"/v1/sessions/{session_id}"

    async def ended() -> bool:
        status = (await stack.client.get(url, headers=stack.tenant.headers)).json()["status"]
        return status in ("ended", "failed")

    await eventually(ended, within=30, what=f"session {session_id} to end")
    response = await stack.client.get(f"{url}/timeline", headers=stack.tenant.headers)
    items = response.json()["items"]
    return {
        part: [i["latency"][part] for i in items if (i.get("latency") or {}).get(part)]
        for part in STORED_PARTS
    }


async def one_call(
    stack: VoiceStack, turns: int, latencies: list[float], stored: dict[str, list[float]]
) -> None:
    body = await stack.create_call()
    caller = Caller(body["livekit_url"], body["token"], measure_every_frame=False)
    await caller.join(queue_size_ms=20)
    try:
        async with asyncio.timeout(30):
            await caller.agent_joined.wait()
        await caller.keep_quiet(1.5)
        for _ in range(turns):
            caller.first_loud_agent_audio_at = None
            speech_end = await caller.speak(stack.speech_wav, then_silence_s=0.0)
            async with asyncio.timeout(20):
                while caller.first_loud_agent_audio_at is None:
                    await caller.keep_quiet(0.02)
            latencies.append(caller.first_loud_agent_audio_at - speech_end)
            await caller.keep_quiet(3.0)  # let the agent finish its answer
    finally:
        await caller.leave()
        await stack.client.post(
            f"/v1/sessions/{body['session_id']}/end", headers=stack.tenant.headers
        )
    for part, values in (await stored_latency(stack, body["session_id"])).items():
        stored.setdefault(part, []).extend(values)


async def level(stack: VoiceStack, calls: int, turns: int) -> dict[str, float]:
    latencies: list[float] = []
    stored: dict[str, list[float]] = {}
    meter = TreeMeter(stack.worker.pid)
    started = time.monotonic()

    async def sample() -> None:
        while True:
            meter.sample()
            await asyncio.sleep(0.5)

    sampler = asyncio.create_task(sample())
    outcomes = await asyncio.gather(
        *(one_call(stack, turns, latencies, stored) for _ in range(calls)),
        return_exceptions=True,
    )
    sampler.cancel()
    failed = sum(1 for outcome in outcomes if isinstance(outcome, BaseException))
    if not latencies:
        return {"calls": calls, "turns": 0, "failed_calls": failed, "p50_ms": math.inf}
    elapsed = time.monotonic() - started
    p50 = percentile(latencies, 50)
    cpu_percent = 100 * meter.cpu_seconds / elapsed
    return {
        "calls": calls,
        "turns": len(latencies),
        "failed_calls": failed,
        "p50_ms": round(p50 * 1000, 1),
        "p95_ms": round(percentile(latencies, 95) * 1000, 1),
        "overhead_p50_ms": round((p50 - PROVIDER_S - ENDPOINTING_S) * 1000, 1),
        "overhead_vs_min_delay_p50_ms": round(
            (p50 - PROVIDER_S - ENDPOINTING_MIN_DELAY_S) * 1000, 1
        ),
        "worker_cpu_percent": round(cpu_percent, 1),
        "worker_cpu_percent_per_call": round(cpu_percent / calls, 1),
        "worker_pss_peak_mb": round(meter.pss_peak, 1),
        "worker_pss_per_call_mb": round((meter.pss_peak - meter.pss_idle) / calls, 1),
        **{
            f"stored_{part.removesuffix('_ms')}_p50_ms": round(percentile(values, 50), 1)
            for part, values in stored.items()
            if values
        },
    }


async def main(concurrency: list[int], turns: int, as_json: bool) -> None:
    results = []
    async with voice_stack(
        llm_first_token_s=LLM_FIRST_TOKEN_S,
        tts_first_byte_s=TTS_FIRST_BYTE_S,
        worker_overrides={"CALLWRIGHT_WORKER_MAX_JOBS": str(max(concurrency) + 4)},
    ) as stack:
        await one_call(stack, 1, [], {})  # warm-up
        for calls in concurrency:
            results.append(await level(stack, calls, turns))
            if not as_json:
                print(json.dumps(results[-1]), flush=True)
    baseline = results[0]["p50_ms"]
    degraded = next(
        (r["calls"] for r in results if r["p50_ms"] > 1.15 * baseline or r["failed_calls"]),
        None,
    )
    summary = {
        "provider_latency_ms": PROVIDER_S * 1000,
        "endpointing_delay_ms": ENDPOINTING_S * 1000,
        "levels": results,
        "degrades_15pct_at_calls": degraded,
    }
    if as_json:
        print(json.dumps(summary))
        return
    print(
        f"provider latency {PROVIDER_S * 1000:.0f} ms + endpointing delay "
        f"{ENDPOINTING_S * 1000:.0f} ms are subtracted from the measured turn latency"
    )
    print(f"turn latency p50 (1 call): {results[0]['p50_ms']} ms")
    print(
        "stored by the agent, p50 (1 call): "
        + ", ".join(
            f"{part} {results[0].get(f'stored_{part}_p50_ms')} ms"
            for part in ("e2e", "llm_ttft", "tts_ttfb")
        )
    )
    print(f"overhead p50 (1 call): {results[0]['overhead_p50_ms']} ms (goal ≤ 150 ms)")
    print(
        "overhead p50 against the minimum endpointing delay alone (upper bound): "
        f"{results[0]['overhead_vs_min_delay_p50_ms']} ms"
    )
    if len(results) > 1:
        print(
            "turn latency degrades by >15 % at: "
            + (f"{degraded} concurrent calls" if degraded else f"> {concurrency[-1]} calls")
            + " (goal ≥ 16)"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--concurrency", default="1", help="comma-separated call counts")
    parser.add_argument("--turns", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    levels = [int(x) for x in args.concurrency.split(",")]
    asyncio.run(main(levels, args.turns, args.json))

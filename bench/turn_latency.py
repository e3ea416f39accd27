"""Turn latency and density of pipeline calls, with provider emulators of fixed latency.

    uv run python -m bench.turn_latency                       # turn latency, 1 call
    uv run python -m bench.turn_latency --concurrency 1,4,8,12,16,20   # density
    uv run python -m bench.turn_latency --no-old --voice elevenlabs   # another voice

Each call is a real participant publishing espeak-ng speech through a real livekit-server
to a real `callwright worker start` process; the agent's STT/LLM/TTS are the loopback
emulators, with a fixed LLM first-token delay and TTS first-byte delay.

    measured  = first loud agent audio at the participant − end of the user's speech
    overhead  = measured − (LLM first token + TTS first byte) − endpointing delay

where the endpointing delay is the minimum wait after the end of speech: the larger of
Silero's end-of-speech silence (CALLWRIGHT_WORKER_VAD_MIN_SILENCE_S) and the agent's
`turn_taking.min_delay`, which both count from the end of speech (with preemptive
generation the providers' time overlaps the wait, so the overhead can be negative).
The speech-to-text emulator finalizes as Deepgram does with the plugin's
`endpointing=25`: a final shortly after each pause.

One run measures the old turn taking first (a fixed 0.55 s wait on VAD silence, the LLM
alone prepared early; `--no-old` skips it), at one call, then the new defaults at each
--concurrency, and prints both p50s and their ratio. Beside the measured figures it prints
the stored ones of the same calls (their timelines, GET /v1/sessions/{id}/timeline):
livekit-agents' per-turn e2e, LLM first token and TTS first byte, measured at the agent;
measured − stored e2e is the network and the participant's playout.

With --concurrency, N calls are in progress at once: the callers join, then each takes
--turns measured turns and goes on talking until the last caller has measured its own, so
each measured turn is taken with all N calls talking (the calls' steady state, as on a
worker that keeps N calls). Their turns are spread over one turn's length (caller i starts
i/N of a turn later), as independent callers' are; `--lockstep` has them all speak at the
same moment, the worst case. The callers run in a process of their own
(bench/_caller_process.py), apart from the emulators and the issuer, which stay in this
one: sharing one loop, at 8 calls they delayed each other by up to 0.4 s.

Density is measured on a pinned core: the worker and all its job processes run on
--worker-core (1), everything else this script starts (livekit-server, the callers, the
emulators, the script itself) on --other-core (0), as with `taskset`. Per step it reports,
as ratios against the 1-call step of the same run: p50 turn latency, the worker's
CPU-seconds per call-minute (its whole process tree from /proc, job processes that ended
included; and the job processes' own in-call CPU), and PSS/RSS per job process. The most
calls whose p50 stays within 15 % of one call's is the calls per worker core. On a shared
machine each step also records the 1-minute load average and the CPU others used on the
worker's core (its busy time minus the worker's); a step where others used more than
--disturbed-pct of it is re-run (--reruns) and the least disturbed run counts.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import sys
import time
import wave
from pathlib import Path
from typing import Any

from bench._caller_process import QUIET_AFTER_ANSWER_S
from bench._stats import percentile
from bench._voice_stack import VOICES, VoiceStack, voice_stack
from bench.results import Recording
from callwright_devstack.waiting import eventually
from callwright_shared.agents.turn_taking import TurnTaking
from callwright_shared.settings import CallwrightSettings

LLM_FIRST_TOKEN_S = 0.30
TTS_FIRST_BYTE_S = 0.20
# The turn taking before agents had `turn_taking`: Silero's 0.55 s end-of-speech silence,
# a fixed 0.4 s minimum wait, no detector. Preemptive generation was livekit's default
# (the LLM alone, three attempts); `preemptive_generation: true` now also prepares the
# speech, so this old run is a little kinder than the old release was.
OLD_VAD_MIN_SILENCE_S = 0.55
OLD_TURN_TAKING = {"mode": "fixed", "min_delay": 0.4, "max_delay": 3.0, "detector": "vad"}
NEW_VAD_MIN_SILENCE_S: float = CallwrightSettings.model_fields["worker_vad_min_silence_s"].default
PROVIDER_S = LLM_FIRST_TOKEN_S + TTS_FIRST_BYTE_S
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024
CALLER_FRAME_MS = 20
DEGRADATION = 1.15  # the density goal: p50 turn latency within 15 % of one call's


def _stat(pid: int) -> list[str] | None:
    try:
        # Fields after the command name, which may itself hold spaces or parentheses.
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def _tree(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (stat := _stat(int(entry))) is not None:
            children.setdefault(int(stat[1]), []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo += children.get(current, [])
    return found


def tree_cpu_seconds(pid: int) -> float:
    """CPU seconds of the worker and every descendant, dead ones included.

    A live process's utime+stime plus cutime+cstime, which hold every child it has reaped
    (job processes that ended with their call); summed over the live tree, nothing is lost
    between samples.
    """
    total = 0
    for member in _tree(pid):
        if (stat := _stat(member)) is not None:
            total += sum(int(x) for x in stat[11:15])
    return total / CLK_TCK


def _memory_mb(pid: int) -> tuple[float, float] | None:
    """(PSS, RSS) of one process in MB. PSS counts pages shared with the other forked job
    processes (the preloaded plugins) by share; RSS counts them whole."""
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return None
    fields = {line.split(":")[0]: line.split()[1] for line in rollup.splitlines()[1:]}
    return int(fields.get("Pss", 0)) / 1024, int(fields.get("Rss", 0)) / 1024


def pin_tree(pid: int, core: int) -> None:
    """`taskset -a -p -c core` on every process of the tree: all threads, so processes the
    worker starts later (job processes) inherit the core from whichever thread forks them."""
    for member in _tree(pid):
        try:
            tasks = os.listdir(f"/proc/{member}/task")
        except OSError:
            continue
        for task in tasks:
            with contextlib.suppress(OSError):
                os.sched_setaffinity(int(task), {core})


def core_busy_seconds(core: int) -> float:
    """Non-idle time of one core since boot (user, nice, system, irq, softirq, steal)."""
    for line in Path("/proc/stat").read_text().splitlines():
        if line.startswith(f"cpu{core} "):
            user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, line.split()[1:9])
            return (user + nice + system + irq + softirq + steal) / CLK_TCK
    raise ValueError(f"no cpu{core} in /proc/stat")


class TreeMeter:
    """The worker tree's CPU (exact, from /proc counters) and each process's memory,
    sampled while calls run, and what else ran on the worker's and the callers' cores."""

    def __init__(self, pid: int, worker_core: int | None, other_core: int | None) -> None:
        self._pid = pid
        self._worker_core, self._other_core = worker_core, other_core
        self._cpu0 = tree_cpu_seconds(pid)
        self._core0 = {c: core_busy_seconds(c) for c in (worker_core, other_core) if c is not None}
        self._started = time.monotonic()
        self.process_cpu0: dict[int, float] = {}
        self.process_cpu: dict[int, float] = {}
        self.memory_peak: dict[int, tuple[float, float]] = {}
        self.loadavg = [os.getloadavg()[0]]

    def sample(self) -> None:
        if self._worker_core is not None:
            pin_tree(self._pid, self._worker_core)  # new job processes, new threads
        for member in _tree(self._pid)[1:]:  # the job processes, not the main one
            stat, memory = _stat(member), _memory_mb(member)
            if stat is None or memory is None:
                continue
            cpu = (int(stat[11]) + int(stat[12])) / CLK_TCK
            self.process_cpu0.setdefault(member, cpu)
            self.process_cpu[member] = cpu
            pss, rss = self.memory_peak.get(member, (0.0, 0.0))
            self.memory_peak[member] = (max(pss, memory[0]), max(rss, memory[1]))
        self.loadavg.append(os.getloadavg()[0])

    def finish(self, calls: int) -> dict[str, float]:
        elapsed = time.monotonic() - self._started
        worker_cpu = tree_cpu_seconds(self._pid) - self._cpu0
        # The job processes that served the calls: the `calls` busiest ones (the others
        # are the prewarmed idle processes, waiting).
        busiest = sorted(
            self.process_cpu, key=lambda p: self.process_cpu[p] - self.process_cpu0[p]
        )[-calls:]
        figures = {
            "elapsed_s": elapsed,
            "worker_cpu_s": worker_cpu,
            # Sampled every 0.5 s while each lives: what the calls themselves cost, without
            # the main process and the start of the job processes that replace them.
            "job_cpu_s": sum(self.process_cpu[p] - self.process_cpu0[p] for p in busiest),
            "job_pss_mb": sum(self.memory_peak[p][0] for p in busiest) / max(len(busiest), 1),
            "job_rss_mb": sum(self.memory_peak[p][1] for p in busiest) / max(len(busiest), 1),
            "loadavg_max": max(self.loadavg),
        }
        if self._worker_core is not None:
            core = core_busy_seconds(self._worker_core) - self._core0[self._worker_core]
            # The worker runs only on its core, so the rest of that core's busy time is
            # other processes (other people's tests on a shared machine): the disturbance.
            figures["others_on_worker_core_pct"] = 100 * max(core - worker_cpu, 0.0) / elapsed
        if self._other_core is not None:
            core = core_busy_seconds(self._other_core) - self._core0[self._other_core]
            figures["callers_core_pct"] = 100 * core / elapsed
        return figures


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


def turn_cycle_s(speech_wav: Path) -> float:
    """How long one turn of a caller takes: its speech, about a second until the answer
    starts, and the quiet while the agent answers."""
    with wave.open(str(speech_wav)) as f:
        speech_s: float = f.getnframes() / f.getframerate()
    return speech_s + 1.0 + QUIET_AFTER_ANSWER_S


class CallerProcess:
    """A caller of `bench._caller_process`, spoken to one JSON line at a time."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process

    @classmethod
    async def start(cls, spec: dict[str, Any], stderr: Path) -> CallerProcess:
        with stderr.open("ab") as log:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bench._caller_process",
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=log,
            )
        caller = cls(process)
        await caller.tell(json.dumps(spec))
        return caller

    async def tell(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line.encode() + b"\n")
        await self.process.stdin.drain()

    async def hear(self, key: str, within: float) -> Any:
        assert self.process.stdout is not None
        async with asyncio.timeout(within):
            line = await self.process.stdout.readline()
        if not line:
            code = await self.process.wait()
            raise RuntimeError(f"a caller exited ({code}) before sending {key!r}")
        return json.loads(line)[key]

    async def stop(self) -> None:
        if self.process.returncode is None:
            self.process.kill()
            await self.process.wait()


async def one_call(stack: VoiceStack, turns: int) -> None:
    """A single call with no figures kept: the warm-up."""
    await level(stack, 1, turns, None, None, 0.0, spread_s=0.0)


async def level(
    stack: VoiceStack,
    calls: int,
    turns: int,
    worker_core: int | None,
    other_core: int | None,
    endpointing_s: float,
    *,
    spread_s: float,
) -> dict[str, float]:
    """`calls` callers (one process of their own, `bench._caller_process`) join; once all
    are in, caller i waits i × spread_s / calls (0: all at once), takes its `turns`
    measured turns and goes on taking turns until every caller has measured its own, so
    every measured turn is taken with all `calls` calls talking."""
    latencies: list[float] = []
    stored: dict[str, list[float]] = {}
    call_seconds: list[float] = []
    meter = TreeMeter(stack.worker.pid, worker_core, other_core)

    async def sample() -> None:
        while True:
            meter.sample()
            await asyncio.sleep(0.5)

    sampler = asyncio.create_task(sample())
    bodies = await asyncio.gather(*(stack.create_call() for _ in range(calls)))
    spec = {
        "livekit_url": bodies[0]["livekit_url"],
        "speech_wav": str(stack.speech_wav),
        "turns": turns,
        "frame_ms": CALLER_FRAME_MS,
        "callers": [
            {"token": body["token"], "offset_s": i * spread_s / calls}
            for i, body in enumerate(bodies)
        ],
    }
    callers = await CallerProcess.start(spec, stack.workdir / "callers.log")
    failed = 0
    try:
        await callers.hear("ready", within=60)
        await callers.tell("go")
        for measured in await callers.hear("latencies", within=spread_s + turns * 60):
            latencies.extend(measured)
            failed += len(measured) < turns
        await callers.tell("leave")
        call_seconds = await callers.hear("call_seconds", within=60)
    finally:
        await callers.stop()
        for body in bodies:
            await stack.client.post(
                f"/v1/sessions/{body['session_id']}/end", headers=stack.tenant.headers
            )
    for body in bodies:
        for part, values in (await stored_latency(stack, body["session_id"])).items():
            stored.setdefault(part, []).extend(values)
    sampler.cancel()
    figures = meter.finish(calls)
    if not latencies:
        return {"calls": calls, "turns": 0, "failed_calls": failed, "p50_ms": math.inf}
    p50 = percentile(latencies, 50)
    call_minutes = sum(call_seconds) / 60
    return {
        "calls": calls,
        "turns": len(latencies),
        "failed_calls": failed,
        "p50_ms": round(p50 * 1000, 1),
        "p95_ms": round(percentile(latencies, 95) * 1000, 1),
        "overhead_p50_ms": round((p50 - PROVIDER_S - endpointing_s) * 1000, 1),
        "worker_cpu_percent": round(100 * figures["worker_cpu_s"] / figures["elapsed_s"], 1),
        "worker_cpu_s_per_call_minute": round(figures["worker_cpu_s"] / call_minutes, 2),
        "job_cpu_s_per_call_minute": round(figures["job_cpu_s"] / call_minutes, 2),
        "job_pss_mb": round(figures["job_pss_mb"], 1),
        "job_rss_mb": round(figures["job_rss_mb"], 1),
        "loadavg_max": round(figures["loadavg_max"], 2),
        **{
            key: round(figures[key], 1)
            for key in ("others_on_worker_core_pct", "callers_core_pct")
            if key in figures
        },
        **{
            f"stored_{part.removesuffix('_ms')}_p50_ms": round(percentile(values, 50), 1)
            for part, values in stored.items()
            if values
        },
    }


def disturbed(result: dict[str, float], threshold_pct: float) -> bool:
    return result.get("others_on_worker_core_pct", 0.0) > threshold_pct


def calls_per_core(results: list[dict[str, float]]) -> int:
    """The most calls at which every level so far stayed within 15 % of one call's p50."""
    baseline, fits = results[0]["p50_ms"], 0
    for result in results:
        if result["failed_calls"] or result["p50_ms"] > DEGRADATION * baseline:
            break
        fits = int(result["calls"])
    return fits


COLUMNS = (
    ("calls", "calls", "{:.0f}"),
    ("turns", "turns", "{:.0f}"),
    ("failed_calls", "failed", "{:.0f}"),
    ("p50_ms", "p50 ms", "{:.0f}"),
    ("p50_ratio", "×", "{:.2f}"),
    ("p95_ms", "p95 ms", "{:.0f}"),
    ("worker_cpu_percent", "worker core %", "{:.1f}"),
    ("worker_cpu_s_per_call_minute", "cpu-s/call-min", "{:.2f}"),
    ("cpu_ratio", "×", "{:.2f}"),
    ("job_cpu_s_per_call_minute", "in-call cpu-s/call-min", "{:.2f}"),
    ("job_cpu_ratio", "×", "{:.2f}"),
    ("job_pss_mb", "PSS/job MB", "{:.0f}"),
    ("pss_ratio", "×", "{:.2f}"),
    ("job_rss_mb", "RSS/job MB", "{:.0f}"),
    ("rss_ratio", "×", "{:.2f}"),
    ("others_on_worker_core_pct", "others on worker core %", "{:.1f}"),
    ("callers_core_pct", "callers' core %", "{:.1f}"),
    ("loadavg_max", "load1 max", "{:.2f}"),
    ("attempts", "runs", "{:.0f}"),
)


def with_ratios(results: list[dict[str, float]]) -> None:
    first = results[0]
    for result in results:
        for key, ratio in (
            ("p50_ms", "p50_ratio"),
            ("worker_cpu_s_per_call_minute", "cpu_ratio"),
            ("job_cpu_s_per_call_minute", "job_cpu_ratio"),
            ("job_pss_mb", "pss_ratio"),
            ("job_rss_mb", "rss_ratio"),
        ):
            if first.get(key) and key in result:
                result[ratio] = result[key] / first[key]


def table(results: list[dict[str, float]]) -> str:
    shown = [c for c in COLUMNS if any(c[0] in r for r in results)]
    rows = [[title for _, title, _ in shown]]
    rows += [[fmt.format(r[key]) if key in r else "-" for key, _, fmt in shown] for r in results]
    widths = [max(len(row[i]) for row in rows) for i in range(len(shown))]
    lines = [
        "| " + " | ".join(cell.rjust(w) for cell, w in zip(row, widths, strict=True)) + " |"
        for row in rows
    ]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


async def measure(
    args: argparse.Namespace,
    concurrency: list[int],
    *,
    turn_taking: dict[str, object],
    vad_min_silence_s: float,
    worker_core: int | None,
    other_core: int | None,
) -> tuple[list[dict[str, float]], dict[str, str]]:
    overrides = dict(item.split("=", 1) for item in args.worker_env)
    overrides.setdefault("CALLWRIGHT_WORKER_MAX_JOBS", str(max(concurrency) + 4))
    overrides["CALLWRIGHT_WORKER_VAD_MIN_SILENCE_S"] = str(vad_min_silence_s)
    endpointing_s = max(vad_min_silence_s, TurnTaking.model_validate(turn_taking).min_delay)
    results = []
    async with voice_stack(
        llm_first_token_s=LLM_FIRST_TOKEN_S,
        tts_first_byte_s=TTS_FIRST_BYTE_S,
        agent={"turn_taking": turn_taking},
        worker_overrides=overrides,
        voice=args.voice,
    ) as stack:
        if worker_core is not None:
            pin_tree(stack.worker.pid, worker_core)
        cycle_s = turn_cycle_s(stack.speech_wav)
        await one_call(stack, 1)  # warm-up
        for calls in concurrency:
            attempts = []
            for _ in range(1 + args.reruns):
                attempts.append(
                    await level(
                        stack,
                        calls,
                        args.turns,
                        worker_core,
                        other_core,
                        endpointing_s,
                        spread_s=cycle_s if args.spread and calls > 1 else 0.0,
                    )
                )
                if not args.json:
                    print(json.dumps(attempts[-1]), flush=True)
                if not disturbed(attempts[-1], args.disturbed_pct):
                    break
            # The least disturbed run of the step counts.
            best = min(attempts, key=lambda r: r.get("others_on_worker_core_pct", 0.0))
            results.append(
                {**best, "attempts": len(attempts), "endpointing_ms": endpointing_s * 1000}
            )
    return results, overrides


def variant_of(args: argparse.Namespace, levels: int) -> str:
    """`density` for a sweep of call counts, `voice-<voice>` for a voice run without the old
    turn taking, nothing for the old-against-new run; `--variant` names any other."""
    if args.variant:
        return str(args.variant)
    if levels > 1:
        return "density"
    return "" if args.old else f"voice-{args.voice}"


async def main(args: argparse.Namespace) -> None:
    recording = Recording("turn_latency")
    concurrency = [int(x) for x in args.concurrency.split(",")]
    pinned = args.pin and len(os.sched_getaffinity(0)) >= 2
    worker_core, other_core = (args.worker_core, args.other_core) if pinned else (None, None)
    if other_core is not None:
        # Before anything starts: livekit-server, the emulators and the callers (this
        # process and its threads) inherit the core; the worker is moved off it below.
        os.sched_setaffinity(0, {other_core})
    old: dict[str, float] | None = None
    if args.old:
        old_results, _ = await measure(
            args,
            [1],
            turn_taking=OLD_TURN_TAKING,
            vad_min_silence_s=OLD_VAD_MIN_SILENCE_S,
            worker_core=worker_core,
            other_core=other_core,
        )
        old = old_results[0]
    results, overrides = await measure(
        args,
        concurrency,
        turn_taking={},
        vad_min_silence_s=NEW_VAD_MIN_SILENCE_S,
        worker_core=worker_core,
        other_core=other_core,
    )
    with_ratios(results)
    fits = calls_per_core(results) if len(results) > 1 else None
    new_p50 = results[0]["p50_ms"]
    summary = {
        "voice": args.voice,
        "provider_latency_ms": PROVIDER_S * 1000,
        "pinned": {"worker_core": worker_core, "other_core": other_core},
        "worker_env": overrides,
        "turns_spread": args.spread,
        "old": old,
        "levels": results,
        "new_over_old_p50": round(new_p50 / old["p50_ms"], 3) if old else None,
        "calls_per_worker_core": fits,
    }
    if args.write:
        recording.write(summary, variant_of(args, len(results)))
    if args.json:
        print(json.dumps(summary))
        return
    print(
        f"provider latency {PROVIDER_S * 1000:.0f} ms + the endpointing delay are subtracted "
        "from the measured turn latency (the overhead)"
    )
    if old is not None:
        print(
            f"turn latency p50 (1 call), old turn taking: {old['p50_ms']} ms "
            f"(p95 {old.get('p95_ms')} ms, overhead {old.get('overhead_p50_ms')} ms)"
        )
    print(
        f"turn latency p50 (1 call), new defaults: {new_p50} ms "
        f"(p95 {results[0].get('p95_ms')} ms, overhead {results[0].get('overhead_p50_ms')} ms)"
    )
    if old is not None:
        print(f"new / old p50: {new_p50 / old['p50_ms']:.2f} (goal: p50 ≤ 800 ms)")
    print(
        "stored by the agent, p50 (1 call, new): "
        + ", ".join(
            f"{part} {results[0].get(f'stored_{part}_p50_ms')} ms"
            for part in ("e2e", "llm_ttft", "tts_ttfb")
        )
    )
    if len(results) > 1:
        where = (
            f"worker pinned to core {worker_core}, everything else to core {other_core}"
            if pinned
            else "not pinned: the worker shares the cores with the callers"
        )
        print(f"\n{where}; ratios (×) against the 1-call run")
        print(table(results))
        print(
            f"calls per worker core within 15 % of the 1-call p50: {fits} "
            f"(of {concurrency[-1]} tried; goal ≥ 8)"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--concurrency", default="1", help="comma-separated call counts")
    parser.add_argument(
        "--voice",
        choices=VOICES,
        default="openai",
        help="the agent's voice: each through its plugin and emulator, same first-byte delay",
    )
    parser.add_argument("--turns", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--write", action="store_true", help="write bench/results/turn_latency[-<variant>].json"
    )
    parser.add_argument(
        "--variant",
        default="",
        help="the result file's variant (default: density, voice-<voice> or none)",
    )
    parser.add_argument(
        "--no-old", dest="old", action="store_false", help="skip the old turn taking's run"
    )
    parser.add_argument(
        "--no-pin", dest="pin", action="store_false", help="do not pin the worker to a core"
    )
    parser.add_argument(
        "--lockstep",
        dest="spread",
        action="store_false",
        help="all callers take their turns at the same moment (default: spread over a turn)",
    )
    parser.add_argument("--worker-core", type=int, default=1)
    parser.add_argument("--other-core", type=int, default=0)
    parser.add_argument(
        "--worker-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a setting for the worker (repeatable), to measure a lever",
    )
    parser.add_argument(
        "--reruns",
        type=int,
        default=1,
        help="re-run a step this many times while others used the worker's core",
    )
    parser.add_argument(
        "--disturbed-pct",
        type=float,
        default=10.0,
        help="others' CPU on the worker's core (%% of the core) that makes a step disturbed",
    )
    asyncio.run(main(parser.parse_args()))

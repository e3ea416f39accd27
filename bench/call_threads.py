"""Where a pipeline call's CPU goes, thread by thread, while the call is quiet and while
it talks.

    uv run python -m bench.call_threads [--seconds 20] [--write]

One call through the benchmark's voice stack (bench/_voice_stack.py: a real
livekit-server, a `callwright worker start` process, the emulators, the caller in this
process). The job process that holds the call is read from /proc/<pid>/task/*/stat at the
start and end of two phases of --seconds each: the caller quiet after the agent's
greeting (neither side speaks), then the caller taking turns (its speech, the agent's
answer, 3 s of quiet). CPU time per thread as a share of one core, so the figures hold on
a busy machine.

Thread names are the kernel's, cut to 15 characters: `AudioEncoderQue` is WebRTC's audio
encoder queue (the agent's voice to Opus), `SyntheticAudioD` livekit-rtc's synthetic audio
device (which pulls the caller's decoded audio), `AudioSourceCapt` the agent's audio
source, `tokio-rt-worker` livekit-rtc's Rust runtime. Python names none of its threads
for the kernel: the main thread (the job's asyncio loop) is shown apart from the others
(Silero's inference executor, log forwarding, the loop monitor).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import time
from pathlib import Path
from typing import Any

from bench._voice_stack import VoiceStack, voice_stack
from bench.results import Recording
from bench.turn_latency import CLK_TCK, LLM_FIRST_TOKEN_S, TTS_FIRST_BYTE_S, _tree
from callwright_devstack.participant import Caller

GREETING_S = 8.0  # the agent's greeting is over by then
MAIN = "python (main thread: the asyncio loop)"
OTHER_PYTHON = "python (other threads)"


def thread_cpu(pid: int) -> dict[str, float]:
    """CPU seconds per thread of a process, keyed `<name>/<tid>`."""
    found: dict[str, float] = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            stat = Path(f"/proc/{pid}/task/{tid}/stat").read_text()
        except OSError:
            continue  # the thread ended
        name = stat[stat.index("(") + 1 : stat.rindex(")")].strip()
        fields = stat.rsplit(")", 1)[1].split()
        found[f"{name}/{tid}"] = (int(fields[11]) + int(fields[12])) / CLK_TCK
    return found


def by_name(
    pid: int, before: dict[str, float], after: dict[str, float], seconds: float
) -> dict[str, float]:
    """Each thread name's share of one core over the phase (threads of one name summed)."""
    shares: dict[str, float] = {}
    for key, cpu in after.items():
        name, tid = key.rsplit("/", 1)
        if name == "python":
            name = MAIN if int(tid) == pid else OTHER_PYTHON
        shares[name] = shares.get(name, 0.0) + 100 * (cpu - before.get(key, 0.0)) / seconds
    return shares


def job_cpu(worker_pid: int) -> dict[int, float]:
    """CPU seconds of each process under the worker (its job processes and forkserver)."""
    cpu: dict[int, float] = {}
    for pid in _tree(worker_pid):
        if pid != worker_pid:
            with contextlib.suppress(OSError):  # the process ended
                cpu[pid] = sum(thread_cpu(pid).values())
    return cpu


async def phase(
    caller: Caller, pid: int, seconds: float, stack: VoiceStack | None
) -> dict[str, float]:
    """The job's per-thread CPU over `seconds`: quiet, or taking turns when given the stack."""
    before, started = thread_cpu(pid), time.monotonic()
    while (elapsed := time.monotonic() - started) < seconds:
        if stack is None:
            await caller.keep_quiet(min(1.0, seconds - elapsed))
        else:
            await caller.speak(stack.speech_wav, then_silence_s=0.0)
            await caller.keep_quiet(3.0)
    return by_name(pid, before, thread_cpu(pid), time.monotonic() - started)


async def main(seconds: float, write: bool) -> None:
    recording = Recording("call_threads")
    async with voice_stack(
        llm_first_token_s=LLM_FIRST_TOKEN_S, tts_first_byte_s=TTS_FIRST_BYTE_S
    ) as stack:
        body = await stack.create_call()
        caller = Caller(body["livekit_url"], body["token"], measure_every_frame=False)
        before = job_cpu(stack.worker.pid)
        await caller.join()
        try:
            async with asyncio.timeout(30):
                await caller.agent_joined.wait()
            await caller.keep_quiet(GREETING_S)
            # The job process with the call is the one that worked through the greeting
            # (the others are idle, prewarmed).
            grew = {p: cpu - before.get(p, 0.0) for p, cpu in job_cpu(stack.worker.pid).items()}
            pid = max(grew, key=lambda p: grew[p])
            quiet = await phase(caller, pid, seconds, None)
            talking = await phase(caller, pid, seconds, stack)
        finally:
            await caller.leave()
    names = sorted(set(quiet) | set(talking), key=lambda n: -talking.get(n, 0.0))
    rows: list[dict[str, Any]] = [
        {
            "thread": n,
            "quiet_pct": round(quiet.get(n, 0.0), 1),
            "talking_pct": round(talking.get(n, 0.0), 1),
        }
        for n in names
        if quiet.get(n, 0.0) >= 0.05 or talking.get(n, 0.0) >= 0.05
    ]
    totals = {
        "quiet_pct": round(sum(quiet.values()), 1),
        "talking_pct": round(sum(talking.values()), 1),
    }
    width = max(len(row["thread"]) for row in rows)
    print(f"the call's job process, % of one core over {seconds:g} s each")
    print(f"  {'thread':<{width}}  quiet  talking")
    for row in rows:
        print(f"  {row['thread']:<{width}}  {row['quiet_pct']:5.1f}  {row['talking_pct']:7.1f}")
    print(f"  {'all':<{width}}  {totals['quiet_pct']:5.1f}  {totals['talking_pct']:7.1f}")
    if write:
        recording.write({"seconds": seconds, "threads": rows, "total": totals})


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="the length of each phase")
    parser.add_argument(
        "--write", action="store_true", help="write bench/results/call_threads.json"
    )
    args = parser.parse_args()
    asyncio.run(main(args.seconds, args.write))

"""The benchmark's callers, in a process of their own (`python -m bench._caller_process`,
driven by `bench.turn_latency`).

Why a process: the callers used to share one asyncio loop with the provider emulators and
the issuer; at 8 calls that loop lagged by up to 0.4 s, which delayed the emulated
providers' answers and the callers' clocks alike, and the worker was blamed for it. All
callers share this one process (one livekit-rtc runtime): a process per caller costs the
callers' core more than the worker's whole tree costs its own.

The conversation with the driver, one JSON object per line:
  stdin   {"livekit_url", "speech_wav", "turns", "frame_ms",
           "callers": [{"token", "offset_s"}, ...]}
  stdout  {"ready": true}          every caller joined and its agent is in the room
  stdin   "go"                     (each caller waits its offset_s, then takes turns)
  stdout  {"latencies": [[s, ...], ...]}   every caller's measured turns are done; each
                                   goes on taking turns, unmeasured, so that the load
                                   stays the same until the last caller has measured
  stdin   "leave"
  stdout  {"call_seconds": [s, ...]}
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

from callwright_devstack.participant import Caller

AGENT_JOIN_S = 30
ANSWER_WITHIN_S = 20
QUIET_BEFORE_FIRST_TURN_S = 1.5
QUIET_AFTER_ANSWER_S = 3.0  # lets the agent finish its answer


def _say(message: dict[str, Any]) -> None:
    print(json.dumps(message), flush=True)


async def _heard(word: str) -> None:
    while (await asyncio.to_thread(sys.stdin.readline)).strip() != word:
        pass


async def _turn(caller: Caller, wav: Path, frame_ms: int) -> float:
    caller.first_loud_agent_audio_at = None
    speech_end = await caller.speak(wav, then_silence_s=0.0)
    async with asyncio.timeout(ANSWER_WITHIN_S):
        while caller.first_loud_agent_audio_at is None:
            await caller.keep_quiet(frame_ms / 1000)
    latency = caller.first_loud_agent_audio_at - speech_end
    await caller.keep_quiet(QUIET_AFTER_ANSWER_S)
    return latency


class _OneCaller:
    def __init__(self, spec: dict[str, Any], caller: dict[str, Any]) -> None:
        self.frame_ms = int(spec["frame_ms"])
        self.turns = int(spec["turns"])
        self.offset_s = float(caller["offset_s"])
        self.wav = Path(spec["speech_wav"])
        # The callers share one core with livekit-server and the emulators: larger frames
        # and 16 kHz listening keep them cheap. The worker receives the same thing either
        # way (20 ms Opus packets, whatever the caller's capture frame).
        self.caller = Caller(
            spec["livekit_url"],
            caller["token"],
            measure_every_frame=False,
            frame_ms=self.frame_ms,
            listen_rate=16_000,
            listen_frame_ms=self.frame_ms,
        )
        self.joined = time.monotonic()
        self.latencies: list[float] = []
        self.measured = asyncio.Event()

    async def join(self) -> None:
        await self.caller.join(queue_size_ms=20)
        async with asyncio.timeout(AGENT_JOIN_S):
            await self.caller.agent_joined.wait()
        await self.caller.keep_quiet(QUIET_BEFORE_FIRST_TURN_S)

    async def wait(self, until: asyncio.Future[None]) -> None:
        """A microphone stays open while the caller waits."""
        while not until.done():
            await self.caller.keep_quiet(self.frame_ms / 1000)

    async def talk(self, leave: asyncio.Future[None]) -> None:
        """Its measured turns, then more until told to leave. A caller whose turn fails
        (no answer within ANSWER_WITHIN_S) stops measuring and stays on the line quiet:
        the driver counts it as a failed call."""
        try:
            await self.caller.keep_quiet(self.offset_s)
            for _ in range(self.turns):
                self.latencies.append(await _turn(self.caller, self.wav, self.frame_ms))
            self.measured.set()
            while not leave.done():
                await _turn(self.caller, self.wav, self.frame_ms)
        except Exception as exc:
            print(f"a caller failed: {exc!r}", file=sys.stderr, flush=True)
            self.measured.set()
            await self.wait(leave)


async def call(spec: dict[str, Any]) -> None:
    callers = [_OneCaller(spec, caller) for caller in spec["callers"]]
    try:
        await asyncio.gather(*(c.join() for c in callers))
        _say({"ready": True})
        go = asyncio.ensure_future(_heard("go"))
        await asyncio.gather(*(c.wait(go) for c in callers))
        leave = asyncio.ensure_future(_heard("leave"))
        talking = asyncio.gather(*(c.talk(leave) for c in callers))
        await asyncio.gather(*(c.measured.wait() for c in callers))
        _say({"latencies": [c.latencies for c in callers]})
        await talking
    finally:
        await asyncio.gather(*(c.caller.leave() for c in callers), return_exceptions=True)
    _say({"call_seconds": [time.monotonic() - c.joined for c in callers]})


def main() -> None:
    asyncio.run(call(json.loads(sys.stdin.readline())))


if __name__ == "__main__":
    main()

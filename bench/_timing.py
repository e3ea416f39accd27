"""Timing operations for the benchmarks: sequential latency and throughput with N in
flight, several targets interleaved so that noise on the machine falls on all alike."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from typing import Protocol

from bench._stats import Latency, Throughput


class Target(Protocol):
    """One operation, timed call by call."""

    name: str

    async def call(self) -> None: ...


def _rotate(targets: Sequence[Target], turn: int) -> list[Target]:
    """Who goes first alternates, so neither always runs on a warmer machine."""
    return list(targets) if turn % 2 == 0 else list(reversed(targets))


async def measure_sequential(targets: Sequence[Target], count: int) -> dict[str, list[float]]:
    """`count` calls of each target, one at a time, the targets taking turns."""
    samples: dict[str, list[float]] = {t.name: [] for t in targets}
    for turn in range(count):
        for target in _rotate(targets, turn):
            started = time.perf_counter()
            await target.call()
            samples[target.name].append(time.perf_counter() - started)
    return samples


async def _concurrent_block(target: Target, count: int, concurrency: int) -> list[float]:
    remaining = count
    latencies: list[float] = []

    async def caller() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            started = time.perf_counter()
            await target.call()
            latencies.append(time.perf_counter() - started)

    async with asyncio.TaskGroup() as group:
        for _ in range(min(concurrency, count)):
            group.create_task(caller())
    return latencies


async def measure_concurrent(
    targets: Sequence[Target], count: int, concurrency: int, rounds: int
) -> dict[str, Throughput]:
    """`count` calls per target, `concurrency` in flight, split into alternating rounds."""
    elapsed = {t.name: 0.0 for t in targets}
    latencies: dict[str, list[float]] = {t.name: [] for t in targets}
    rounds = max(1, min(rounds, count))
    for turn in range(rounds):
        share = count // rounds + (1 if turn < count % rounds else 0)
        for target in _rotate(targets, turn):
            started = time.perf_counter()
            latencies[target.name] += await _concurrent_block(target, share, concurrency)
            elapsed[target.name] += time.perf_counter() - started
    return {
        name: Throughput(count=len(lat), seconds=elapsed[name], latency=Latency.of(lat))
        for name, lat in latencies.items()
    }

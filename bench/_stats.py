"""Latency summaries for the benchmarks: percentiles, mean, throughput."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


def percentile(samples: Sequence[float], q: float) -> float:
    """The q-th percentile (0–100), linearly interpolated between closest ranks."""
    if not samples:
        raise ValueError("no samples")
    ordered = sorted(samples)
    position = (len(ordered) - 1) * q / 100
    lower = math.floor(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


@dataclass(frozen=True, slots=True)
class Latency:
    """A latency distribution, in seconds."""

    count: int
    p50: float
    p99: float
    mean: float

    @classmethod
    def of(cls, samples: Sequence[float]) -> Latency:
        return cls(
            count=len(samples),
            p50=percentile(samples, 50),
            p99=percentile(samples, 99),
            mean=sum(samples) / len(samples),
        )

    def as_ms(self) -> dict[str, float]:
        return {
            "count": self.count,
            "p50_ms": round(self.p50 * 1000, 3),
            "p99_ms": round(self.p99 * 1000, 3),
            "mean_ms": round(self.mean * 1000, 3),
        }


@dataclass(frozen=True, slots=True)
class Throughput:
    """Completed operations over the wall-clock time they took, with their latencies."""

    count: int
    seconds: float
    latency: Latency

    @property
    def per_second(self) -> float:
        return self.count / self.seconds

"""The agent clock: the seconds a call is charged for, and the time it reads them from."""

from __future__ import annotations

import asyncio
import time
from typing import Protocol


class TimeSource(Protocol):
    """Where the clock reads the time and waits (monotonic seconds)."""

    def now(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class MonotonicTime:
    """The process's monotonic clock and the event loop's sleep."""

    def now(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class AgentClock:
    """Seconds the agent spent in the room with the user (what a call is charged for):
    paused while the user is away, stopped for good when the call ends."""

    def __init__(self, time_source: TimeSource | None = None) -> None:
        self._time = time_source or MonotonicTime()
        self._counted = 0.0
        self._running_since: float | None = None
        self._stopped = False

    def now(self) -> float:
        """The time source's reading, in seconds (to measure between two moments)."""
        return self._time.now()

    def start(self) -> None:
        """Start, or resume after a pause."""
        if not self._stopped and self._running_since is None:
            self._running_since = self._time.now()

    def pause(self) -> None:
        if self._running_since is not None:
            self._counted += self._time.now() - self._running_since
            self._running_since = None

    def stop(self) -> None:
        self.pause()
        self._stopped = True

    @property
    def seconds(self) -> float:
        running = 0.0 if self._running_since is None else self._time.now() - self._running_since
        return self._counted + running

    async def reached(self, seconds: float) -> None:
        """Return once the clock has counted `seconds` (time paused does not count)."""
        while (remaining := seconds - self.seconds) > 0:
            await self._time.sleep(remaining)

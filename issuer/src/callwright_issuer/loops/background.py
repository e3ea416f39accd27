"""The issuer's background loops (the reconciler, the re-dispatcher): one pass every
interval, ± 10 % jitter so several issuers spread out, until told to stop. A failed pass
is logged and retried at the next interval."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable

logger = logging.getLogger(__name__)

# Its own generator: the global one belongs to whoever else uses it (Hypothesis warns
# when a background task draws from it during a test).
_jitter = random.Random()


async def every(
    interval: float, stop: asyncio.Event, one_pass: Callable[[], Awaitable[None]], *, name: str
) -> None:
    while True:
        try:
            await asyncio.wait_for(stop.wait(), timeout=interval * _jitter.uniform(0.9, 1.1))
            return
        except TimeoutError:
            pass
        try:
            await one_pass()
        except Exception as exc:
            logger.warning(
                "background pass failed", extra={"loop": name, "error": type(exc).__name__}
            )

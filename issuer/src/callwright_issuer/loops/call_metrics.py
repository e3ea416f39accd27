"""The issuer's Prometheus view of calls: turn latency histograms by part and calls by
end reason, observed from the stored records of sessions as they settle.

Sessions are settled by workers, the reconciler, End Session or chat expiry, often in
another process, so the issuer does not observe them at settlement: every
CALLWRIGHT_CALL_METRICS_INTERVAL_SECONDS it reads the sessions settled since its last
look (a watermark on `settled_at`, trailing the clock by `SETTLE_LAG` so a settlement
committed a moment after its timestamp is not skipped) and observes their stored
per-turn latency (callwright_shared.calls.records). Each issuer observes every session
settled after it started: with several issuers, aggregate with `max`, not `sum`.
"""

from __future__ import annotations

import asyncio
import logging
import random
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from callwright_issuer.http.metrics import CALLS_ENDED, TURN_LATENCY
from callwright_shared.calls.records import entries_of, latency_values
from callwright_shared.db.models import Session, utcnow
from callwright_shared.settings import IssuerSettings

logger = logging.getLogger(__name__)

SETTLE_LAG = timedelta(seconds=5)
BATCH = 500


def observe(row: Session) -> None:
    """Count one settled session and observe its turns' latency parts."""
    CALLS_ENDED.labels(
        row.kind.value, row.end_reason.value if row.end_reason is not None else "unknown"
    ).inc()
    for part, values in latency_values(entries_of(row.transcript)).items():
        histogram = TURN_LATENCY.labels(part.removesuffix("_ms"))
        for value in values:
            histogram.observe(value / 1000)


async def observe_settled(db: AsyncSession, *, after: datetime, until: datetime) -> datetime:
    """Observe the sessions settled in (after, until]; returns the new watermark."""
    rows = list(
        (
            await db.execute(
                select(Session)
                .where(Session.settled_at > after, Session.settled_at <= until)
                .order_by(Session.settled_at)
                .limit(BATCH)
            )
        ).scalars()
    )
    for row in rows:
        observe(row)
    if len(rows) == BATCH:  # more to read: go on from the last one seen
        last = rows[-1].settled_at
        assert last is not None
        return last
    return until


# Its own generator, as in loops/background.py: a draw from the global one during a
# Hypothesis test (the schemathesis module serves the issuer in-process) fails that test.
_jitter = random.Random()


async def run_call_metrics(
    session_factory: async_sessionmaker[AsyncSession],
    settings: IssuerSettings,
    stop: asyncio.Event,
) -> None:
    interval = settings.call_metrics_interval_seconds
    watermark = utcnow() - SETTLE_LAG
    while True:
        try:
            await asyncio.wait_for(stop.wait(), timeout=interval * _jitter.uniform(0.9, 1.1))
            return
        except TimeoutError:
            pass
        try:
            async with session_factory() as db:
                watermark = await observe_settled(db, after=watermark, until=utcnow() - SETTLE_LAG)
        except Exception as exc:  # retried from the same watermark at the next interval
            logger.warning("call metrics pass failed", extra={"error": type(exc).__name__})

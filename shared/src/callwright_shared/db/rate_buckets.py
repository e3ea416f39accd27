"""Rate limits every issuer sees: a bucket per name (`create:<key id>`, `read:<key id>`,
`token:<key id>`) kept in the database, so N issuers behind a load balancer allow the
rate once, not N times (docs/security.md#rate-limits-in-the-database).

Each bucket is one row holding its "theoretical arrival time" (`tat`, Unix seconds): the
generic cell rate algorithm, a token bucket in one number. A request at `now` is allowed
when `max(tat, now) - now` leaves room for one more within the burst, and moves `tat` on by
one interval (1 / per_second); a bucket whose `tat` is past equals a full one, so those
rows are deleted now and then. `take` runs in a short transaction of the request's own
session (a second connection per request would let a burst hold every pooled connection
while each waits for another): the row is locked (`FOR UPDATE` on Postgres; on SQLite the
write is queued like every hot write, `serialized_writes`) from the read to the write, so
two issuers cannot both take the last token.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable

from sqlalchemy import Float, String, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from callwright_shared.db.engine import serialized_writes, transaction
from callwright_shared.db.models import Base
from callwright_shared.errors import RateLimitedError

# One take in this many also deletes the buckets that are full again. Its own generator:
# the global one belongs to whoever else uses it (Hypothesis fails a test that draws
# from it while the issuer runs in the same process).
_PRUNE_ONE_IN = 500
_prune = random.Random()


class RateBucket(Base):
    __tablename__ = "rate_buckets"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    tat: Mapped[float] = mapped_column(Float)


def decide(tat: float, now: float, *, burst: int, per_second: float) -> tuple[float | None, int]:
    """(the bucket's new `tat` when the request is allowed else None, the seconds to wait
    when it is not)."""
    interval = 1.0 / per_second
    start = max(tat, now)
    if start - now <= (burst - 1) * interval + 1e-9:
        return start + interval, 0
    return None, max(1, math.ceil(start - now - (burst - 1) * interval))


class RateBuckets:
    """Takes tokens from the database's buckets (`clock`: Unix seconds, for tests)."""

    def __init__(self, *, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock

    async def take(
        self, db: AsyncSession, name: str, *, burst: int, per_second: float, message: str
    ) -> None:
        """Spend one request of bucket `name` in `db`'s transaction (committed here), or
        raise RateLimitedError (429, with the seconds to wait; nothing spent). A burst of 0
        turns the limit off."""
        if burst <= 0:
            return
        async with serialized_writes(db), transaction(db):
            now = self._clock()
            insert = (
                postgresql.insert(RateBucket)
                if db.get_bind().dialect.name == "postgresql"
                else sqlite.insert(RateBucket)
            )
            await db.execute(
                insert.values(name=name, tat=0.0).on_conflict_do_nothing(index_elements=["name"])
            )
            tat = (
                await db.execute(
                    select(RateBucket.tat).where(RateBucket.name == name).with_for_update()
                )
            ).scalar_one()
            new_tat, wait = decide(tat, now, burst=burst, per_second=per_second)
            if new_tat is not None:
                await db.execute(
                    update(RateBucket).where(RateBucket.name == name).values(tat=new_tat)
                )
            if _prune.randrange(_PRUNE_ONE_IN) == 0:
                await db.execute(delete(RateBucket).where(RateBucket.tat < now))
        if new_tat is None:
            raise RateLimitedError(message, retry_after_seconds=wait)

"""LiveKit webhook events already handled, so a redelivered event changes nothing.

Writer and reader: the issuer's `POST /v1/livekit/webhook`. `claim` runs in the same
transaction as the event's effects: either both commit or neither does (and LiveKit's
redelivery is then handled afresh).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from callwright_shared.db.models import WebhookEvent, utcnow

KEEP_FOR = timedelta(days=2)


async def claim(db: AsyncSession, *, event_id: str, event: str, room_name: str | None) -> bool:
    """Record the event; False when it was recorded before (a duplicate delivery).

    INSERT … ON CONFLICT DO NOTHING: a concurrent duplicate waits for the first
    transaction on Postgres (unique index) and on SQLite (write lock), then sees it.
    """
    values = {
        "id": event_id[:100],
        "event": event[:64],
        "room_name": room_name[:200] if room_name else None,
        "received_at": utcnow(),
    }
    dialect = db.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    result = await db.execute(
        insert(WebhookEvent)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["id"])
        .returning(WebhookEvent.id)
    )
    return result.one_or_none() is not None


async def purge_old(db: AsyncSession, *, now: datetime | None = None) -> int:
    result = await db.execute(
        delete(WebhookEvent)
        .where(WebhookEvent.received_at < (now or utcnow()) - KEEP_FOR)
        .returning(WebhookEvent.id)
    )
    return len(result.all())

"""A database session on a URL, for tests that read or arrange rows directly."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from callwright_shared.db.engine import create_engine, create_session_factory
from callwright_shared.db.models import LedgerEntry, LedgerKind, Session


@asynccontextmanager
async def database(url: str) -> AsyncIterator[AsyncSession]:
    """One session on its own engine; committed on a clean exit, the engine disposed."""
    engine = create_engine(url)
    try:
        async with create_session_factory(engine)() as db:
            yield db
            await db.commit()
    finally:
        await engine.dispose()


async def session_row(url: str, session_id: str) -> Session:
    """The session's row as stored (what the API does not show: claims, dispatches)."""
    async with database(url) as db:
        row = await db.get(Session, session_id)
        assert row is not None, session_id
        return row


async def captures_of(url: str, session_id: str) -> int:
    """How many capture rows the ledger holds for the session (exactly one per charge)."""
    async with database(url) as db:
        count = await db.scalar(
            select(func.count())
            .select_from(LedgerEntry)
            .where(LedgerEntry.session_id == session_id, LedgerEntry.kind == LedgerKind.CAPTURE)
        )
    return int(count or 0)


async def age_session(url: str, session_id: str, seconds: float) -> None:
    """Move the session's creation `seconds` into the past: a chat session's expiry
    (created_at + its TTL) passes without the test racing the wall clock."""
    async with database(url) as db:
        row = await db.get(Session, session_id)
        assert row is not None, session_id
        row.created_at -= timedelta(seconds=seconds)
        if row.started_at is not None:
            row.started_at -= timedelta(seconds=seconds)

"""The recordings' upkeep. Retention: recordings older than
CALLWRIGHT_RECORDINGS_RETENTION_DAYS (counted from their call's end) are deleted from the
store, and their sessions keep the record that they existed (`deleted`). Abandoned: a
recording still `pending` well after its call ended (its worker stopped before storing
it; the file went with the job's folder) becomes `failed`. Several issuers may run it:
deleting an object twice is harmless, and a row is only marked once the store said the
object is gone."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from callwright_issuer.http.recording_store import recording_settings_of, recording_store_of
from callwright_issuer.loops.background import every
from callwright_shared.recordings.models import RecordingInfo
from callwright_shared.recordings.storage import StorageError
from callwright_shared.sessions.recordings import abandoned, expired, set_recording

logger = logging.getLogger(__name__)

RETENTION_INTERVAL_S = 300.0
# A worker stores a recording within its attempts' timeouts and the delays between them.
ABANDON_MARGIN_S = 120.0
ABANDONED = "the worker stopped before the recording was stored"


async def retention_pass(state: Any, factory: async_sessionmaker[AsyncSession]) -> int:
    """Delete what outlived the retention; how many recordings were deleted."""
    settings = recording_settings_of(state)
    store = recording_store_of(state)
    async with factory() as db:
        rows = await expired(db, retention_days=settings.retention_days, now=datetime.now(UTC))
        due = [(row.id, RecordingInfo.stored(row.recording)) for row in rows]
    deleted = 0
    for session_id, info in due:
        if info is None or info.key is None:
            continue
        try:
            await store.delete(info.key)
        except StorageError as exc:
            logger.warning("could not delete an old recording", extra={"error": str(exc)})
            continue
        async with factory.begin() as db:
            await set_recording(db, session_id, info.model_copy(update={"status": "deleted"}))
        deleted += 1
    return deleted


async def abandoned_pass(state: Any, factory: async_sessionmaker[AsyncSession]) -> int:
    """Mark `failed` what no worker will store any more; how many."""
    settings = recording_settings_of(state)
    longest = settings.upload_attempts * (settings.upload_timeout_seconds + 10) + ABANDON_MARGIN_S
    async with factory.begin() as db:
        rows = await abandoned(db, ended_before=datetime.now(UTC) - timedelta(seconds=longest))
        for row in rows:
            info = RecordingInfo.stored(row.recording)
            if info is not None:
                failed = info.model_copy(update={"status": "failed", "error": ABANDONED})
                await set_recording(db, row.id, failed)
        return len(rows)


async def run_recording_retention(
    state: Any, factory: async_sessionmaker[AsyncSession], stop: asyncio.Event
) -> None:
    async def one_pass() -> None:
        await abandoned_pass(state, factory)
        await retention_pass(state, factory)

    await every(RETENTION_INTERVAL_S, stop, one_pass, name="recording_retention")

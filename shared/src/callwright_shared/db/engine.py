"""Engine and session factory. Opened by each process at start-up, never at import.

The transaction rule, for the issuer and the worker alike: a service function owns its
transactions; a repository (callwright_shared) never commits. A write that locks an
organization row (a hold, a settlement) runs in `org_write`, which queues it on SQLite
and commits or rolls back; other writes use `async with db.begin()` /
`session_factory.begin()`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An async engine; SQLite gets WAL, a busy timeout and enforced foreign keys."""
    # Statement parameters (transcripts, metadata, instructions) stay out of the message
    # of a database error, which is logged.
    kwargs.setdefault("hide_parameters", True)
    if is_sqlite(url):
        engine = create_async_engine(url, connect_args={"timeout": 30}, **kwargs)

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_conn: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    if "poolclass" not in kwargs:  # a NullPool (the worker's job processes) takes no sizes
        kwargs.setdefault("pool_size", 10)
        kwargs.setdefault("max_overflow", 20)
    kwargs.setdefault("pool_pre_ping", True)
    return create_async_engine(url, **kwargs)


def quiet_statement_logs() -> None:
    """aiosqlite logs every statement with its parameters at DEBUG: keep transcripts,
    metadata and key hashes out of a process's logs even when it runs at DEBUG."""
    logging.getLogger("aiosqlite").setLevel(logging.INFO)


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


_sqlite_writers: weakref.WeakKeyDictionary[Engine, asyncio.Lock] = weakref.WeakKeyDictionary()


@contextlib.asynccontextmanager
async def serialized_writes(db: AsyncSession) -> AsyncIterator[None]:
    """Around a hot write transaction (a session's hold): on SQLite, one at a time per
    process. SQLite allows one writer; the others sleep in its busy handler with a growing
    back-off (up to 100 ms a try), which made p99 at 8 creations in flight hundreds of ms.
    Queueing on an asyncio lock instead hands the write lock over at once. Postgres locks
    rows, so there it does nothing.
    """
    engine = db.get_bind()
    if not isinstance(engine, Engine) or engine.dialect.name != "sqlite":
        yield
        return
    # The connection first: a writer at the head of the queue must never wait for the
    # pool, which those queued behind it may have drained (a 30 s pool timeout each).
    await db.connection()
    lock = _sqlite_writers.setdefault(engine, asyncio.Lock())
    async with lock:
        yield


@contextlib.asynccontextmanager
async def org_write(db: AsyncSession) -> AsyncIterator[AsyncSession]:
    """The transaction of a write that locks an organization row (`credits.lock`: a
    session's creation, a message's hold): queued on SQLite (`serialized_writes`),
    committed when the block ends, rolled back when it raises, before the next writer in
    the queue goes. Reads before it may have left a transaction open; it joins it.
    """
    async with serialized_writes(db), transaction(db):
        yield db


@contextlib.asynccontextmanager
async def transaction(db: AsyncSession) -> AsyncIterator[AsyncSession]:
    """`db.begin()` for a session whose reads (authentication, lookups) may have begun a
    transaction already: committed when the block ends, rolled back when it raises."""
    try:
        yield db
        await db.commit()
    except BaseException:
        await db.rollback()
        raise

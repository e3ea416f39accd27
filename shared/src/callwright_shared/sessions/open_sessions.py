"""Open sessions as the reconciler sweeps them: one query per rule, paged oldest first.

Reader: the issuer's reconciler (callwright_issuer.loops.reconciler), which narrows
`open_sessions` with its rules and closes what `pages` yields through `sessions.settle`.
`ends_before` is the SQL form of a session's time limit (`sessions.chat_expires_at` is
the same rule for one chat row).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Float, Select, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from callwright_shared.db.models import Session, SessionKind, SessionStatus

PAGE = 500
Query = Select[*tuple[Any, ...]]


@dataclass(frozen=True, slots=True)
class OpenSession:
    id: str
    kind: SessionKind
    status: SessionStatus
    room_name: str | None
    user_id: str
    created_at: datetime
    started_at: datetime | None
    last_heartbeat_at: datetime | None
    max_duration_seconds: int
    limited_by_credits: bool


def open_sessions(kind: SessionKind, status: SessionStatus) -> Query:
    """The open sessions of this kind and status (`OpenSession` columns), to narrow."""
    return select(
        Session.id,
        Session.kind,
        Session.status,
        Session.room_name,
        Session.user_id,
        Session.created_at,
        Session.started_at,
        Session.last_heartbeat_at,
        Session.max_duration_seconds,
        Session.limited_by_credits,
    ).where(Session.kind == kind, Session.status == status, Session.settled_at.is_(None))


async def pages(
    session_factory: async_sessionmaker[AsyncSession], query: Query
) -> AsyncIterator[list[OpenSession]]:
    """The query's rows, oldest first, a page at a time (keyset on created_at, id); each
    page is read in a short transaction of its own, before the caller closes any."""
    after: tuple[datetime, str] | None = None
    while True:
        page_query = query
        if after is not None:
            page_query = page_query.where(
                or_(
                    Session.created_at > after[0],
                    and_(Session.created_at == after[0], Session.id > after[1]),
                )
            )
        async with session_factory() as db:
            rows = (
                await db.execute(page_query.order_by(Session.created_at, Session.id).limit(PAGE))
            ).all()
            await db.rollback()
        if rows:
            yield [OpenSession(*row) for row in rows]
        if len(rows) < PAGE:
            return
        after = (rows[-1].created_at, rows[-1].id)


class _epoch_seconds(FunctionElement[float]):
    """A timestamp as Unix seconds, in SQL: it makes "start + max_duration_seconds" a
    comparison the database does, on both backends."""

    type = Float()
    inherit_cache = True


@compiles(_epoch_seconds)
def _epoch_seconds_postgres(element: _epoch_seconds, compiler: SQLCompiler, **kw: Any) -> str:
    return f"EXTRACT(EPOCH FROM {compiler.process(element.clauses, **kw)})"


@compiles(_epoch_seconds, "sqlite")
def _epoch_seconds_sqlite(element: _epoch_seconds, compiler: SQLCompiler, **kw: Any) -> str:
    # SQLite keeps UTC as text, which julianday() reads; 2440587.5 is the Unix epoch.
    return f"((julianday({compiler.process(element.clauses, **kw)}) - 2440587.5) * 86400.0)"


def ends_before(
    start: ColumnElement[datetime] | InstrumentedAttribute[datetime],
    margin_seconds: float,
    now: datetime,
) -> ColumnElement[bool]:
    """start + the session's max_duration_seconds + margin is at or before `now`."""
    deadline = _epoch_seconds(start) + Session.max_duration_seconds + margin_seconds
    return deadline <= now.timestamp()

"""Sessions: their record, their lifecycle, and the one exactly-once settlement.

    created ──(agent and user in the room)──▶ active ──▶ ended
       │                                                  ▲
       └──────────────(ended before it started)───────────┘
    created ──(room could not be created)──▶ failed

`settle` is the only way a session leaves `created`/`active`. Every path that ends a
session (the worker, End Session, webhooks, the reconciler) calls it; the first one wins
— a conditional UPDATE on `settled_at IS NULL` — and the others change nothing.

`record_created`, `mark_active` and `settle` write the matching `session.*` webhook to
the outbox in the caller's transaction (callwright_shared.sessions.outbox): one each per session.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from callwright_shared.billing import credits
from callwright_shared.db import pagination
from callwright_shared.db.models import (
    EndReason,
    Session,
    SessionKind,
    SessionStatus,
    as_utc,
    utcnow,
)
from callwright_shared.errors import InvalidRequestError, SessionNotFoundError
from callwright_shared.sessions import analyses, outbox

OPEN_STATUSES = (SessionStatus.CREATED, SessionStatus.ACTIVE)


@dataclass(frozen=True, slots=True)
class Settlement:
    """What one settlement did; `applied` is False when another path had settled first."""

    applied: bool
    credits_charged: int


async def get_session(db: AsyncSession, *, org_id: str, session_id: str) -> Session:
    row = (
        await db.execute(select(Session).where(Session.id == session_id, Session.org_id == org_id))
    ).scalar_one_or_none()
    if row is None:
        raise SessionNotFoundError(f"No session with id '{session_id[:60]}'.")
    return row


async def get_session_by_room(db: AsyncSession, room_name: str) -> Session | None:
    return (
        await db.execute(select(Session).where(Session.room_name == room_name))
    ).scalar_one_or_none()


@dataclass(frozen=True, slots=True)
class SessionFilter:
    """What `GET /v1/sessions` may filter on: exact matches, and `created_at` in
    [created_from, created_to) (UTC, see `created_range`). None is no filter."""

    agent_id: str | None = None
    kind: SessionKind | None = None
    status: SessionStatus | None = None
    end_reason: EndReason | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None

    def apply(self, query: Select[Session]) -> Select[Session]:
        if self.agent_id is not None:
            query = query.where(Session.agent_id == self.agent_id)
        if self.kind is not None:
            query = query.where(Session.kind == self.kind)
        if self.status is not None:
            query = query.where(Session.status == self.status)
        if self.end_reason is not None:
            query = query.where(Session.end_reason == self.end_reason)
        if self.created_from is not None:
            query = query.where(Session.created_at >= self.created_from)
        if self.created_to is not None:
            query = query.where(Session.created_at < self.created_to)
        return query


def created_range(
    start: datetime | None, end: datetime | None
) -> tuple[datetime | None, datetime | None]:
    """The API's `from`/`to` bounds on `created_at` in UTC (a time without an offset is
    UTC); InvalidRequestError naming the bound that UTC cannot hold, or `from` when the
    range is empty or reversed."""
    bounds: list[datetime | None] = []
    for moment, param in ((start, "from"), (end, "to")):
        try:
            bounds.append(None if moment is None else as_utc(moment))
        except OverflowError:  # a time at the edge of the calendar, moved to UTC
            raise InvalidRequestError(f"{param}: out of range", param=param) from None
    first, last = bounds
    if first is not None and last is not None and first >= last:
        raise InvalidRequestError("from: must be before to", param="from")
    return first, last


async def list_sessions(
    db: AsyncSession,
    *,
    org_id: str,
    limit: int,
    starting_after: str | None,
    where: SessionFilter | None = None,
) -> tuple[list[Session], bool]:
    """A page of the organization's sessions matching `where`, newest first; the cursor
    is the previous page's last id, read with the same filter (404 when unknown)."""
    cursor = (
        None
        if starting_after is None
        else await get_session(db, org_id=org_id, session_id=starting_after)
    )
    query = select(Session).where(Session.org_id == org_id)
    if where is not None:
        query = where.apply(query)
    return await pagination.newest_first(db, query, Session, cursor=cursor, limit=limit)


def chat_expires_at(created_at: datetime, max_duration_seconds: int) -> datetime:
    """A chat session ends `max_duration_seconds` (its TTL) after its creation; the
    reconciler's query says the same in SQL (`reconciler._ends_before`)."""
    return created_at + timedelta(seconds=max_duration_seconds)


async def count_open(db: AsyncSession, org_id: str, *, now: datetime) -> int:
    """The organization's open sessions (`created` or `active`; a chat session past its
    expiry no longer counts): what its concurrency limit counts."""
    rows = (
        await db.execute(
            select(Session.kind, Session.created_at, Session.max_duration_seconds).where(
                Session.org_id == org_id, Session.status.in_(OPEN_STATUSES)
            )
        )
    ).all()
    return sum(
        1
        for row in rows
        if not (
            row.kind is SessionKind.CHAT
            and chat_expires_at(row.created_at, row.max_duration_seconds) <= now
        )
    )


def new_voice_session(
    *,
    session_id: str,
    org_id: str,
    user_id: str,
    agent_id: str,
    room_name: str,
    hold: credits.Hold,
    credits_per_minute: int,
    metadata: dict[str, Any] | None,
    config: dict[str, Any] | None = None,
) -> Session:
    now = utcnow()
    return Session(
        id=session_id,
        org_id=org_id,
        user_id=user_id,
        agent_id=agent_id,
        kind=SessionKind.VOICE,
        room_name=room_name,
        status=SessionStatus.CREATED,
        credits_per_minute=credits_per_minute,
        credits_held=hold.amount,
        credits_charged=0,
        max_duration_seconds=hold.max_duration_seconds,
        limited_by_credits=hold.limited_by_credits,
        agent_seconds=0.0,
        request_metadata=metadata,
        config=config,
        created_at=now,
        dispatched_at=now,  # CreateRoom dispatches the agent
        dispatch_count=1,
    )


async def mark_active(db: AsyncSession, session_id: str, *, at: datetime | None = None) -> bool:
    result = await db.execute(
        update(Session)
        .where(Session.id == session_id, Session.status == SessionStatus.CREATED)
        .values(status=SessionStatus.ACTIVE, started_at=at or utcnow())
        .returning(Session.id)
    )
    if result.one_or_none() is None:
        return False
    await outbox.emit(db, "session.started", session_id)
    return True


async def record_created(db: AsyncSession, row: Session) -> None:
    """Insert a new session (`new_voice_session`, `chat.new_chat_session`) and queue its
    `session.created` (and, for a chat session, which starts at once, `session.started`)."""
    db.add(row)
    await db.flush()
    await outbox.emit(db, "session.created", row.id)
    if row.status is SessionStatus.ACTIVE:
        await outbox.emit(db, "session.started", row.id)


async def set_away(db: AsyncSession, session_id: str, *, since: datetime | None) -> None:
    """The worker: the user left mid-call (`since`) or came back (None). The caller commits."""
    await db.execute(
        update(Session)
        .where(Session.id == session_id, Session.settled_at.is_(None))
        .values(away_since=since)
    )


async def request_end(db: AsyncSession, session_id: str, reason: EndReason) -> None:
    """Record why the session is being ended before anything else happens (End Session
    deletes the room next): whoever settles it then, it ends with this reason."""
    await db.execute(
        update(Session)
        .where(
            Session.id == session_id,
            Session.settled_at.is_(None),
            Session.requested_end_reason.is_(None),
        )
        .values(requested_end_reason=reason)
    )


async def settle(
    db: AsyncSession,
    session_id: str,
    *,
    end_reason: EndReason,
    status: SessionStatus = SessionStatus.ENDED,
    agent_seconds: float | None = None,
    usage: dict[str, Any] | None = None,
    transcript: list[dict[str, Any]] | None = None,
    error_message: str | None = None,
    expected_status: SessionStatus | None = None,
    job_id: str | None = None,
) -> Settlement:
    """End a session and settle its hold, exactly once across every path and process.

    Captures ceil(agent seconds × credits per minute ÷ 60) (capped by the hold) and
    releases the rest; `user_not_joined` captures nothing. A reason recorded by
    `request_end` (End Session) wins over `end_reason`. `expected_status` settles only a
    session still in that status (a decision taken on an earlier read stays valid);
    `job_id` settles only a session that job still holds (a worker that lost its claim
    changes nothing). Runs in the caller's transaction; the caller commits.
    """
    if status not in (SessionStatus.ENDED, SessionStatus.FAILED):
        raise ValueError("a session settles as ended or failed")
    now = utcnow()
    values: dict[str, Any] = {
        "status": status,
        "end_reason": end_reason,
        "ended_at": now,
        "settled_at": now,
    }
    if agent_seconds is not None:
        values["agent_seconds"] = agent_seconds
    if usage is not None:
        values["usage"] = usage
    if transcript is not None:
        values["transcript"] = transcript
    if error_message is not None:
        values["error_message"] = error_message[:1000]
    conditions = [Session.id == session_id, Session.settled_at.is_(None)]
    if expected_status is not None:
        conditions.append(Session.status == expected_status)
    if job_id is not None:
        conditions.append(Session.job_id == job_id)
    claimed = (
        await db.execute(
            update(Session)
            .where(*conditions)
            .values(**values)
            .returning(
                Session.org_id,
                Session.kind,
                Session.credits_held,
                Session.credits_per_minute,
                Session.agent_seconds,
                Session.requested_end_reason,
            )
        )
    ).one_or_none()
    if claimed is None:
        return Settlement(applied=False, credits_charged=0)
    requested: EndReason | None = claimed.requested_end_reason
    if requested is not None and requested is not end_reason:
        end_reason = requested
        await db.execute(
            update(Session).where(Session.id == session_id).values(end_reason=end_reason)
        )
    charge = 0
    if claimed.kind is SessionKind.VOICE and end_reason is not EndReason.USER_NOT_JOINED:
        charge = credits.voice_charge(
            agent_seconds=claimed.agent_seconds,
            credits_per_minute=claimed.credits_per_minute,
            held=claimed.credits_held,
        )
    if claimed.credits_held:
        await credits.settle_hold(
            db, claimed.org_id, session_id, held=claimed.credits_held, charge=charge
        )
    if charge:
        await db.execute(
            update(Session)
            .where(Session.id == session_id)
            .values(credits_charged=Session.credits_charged + charge)
        )
    await analyses.enqueue(db, session_id)
    await outbox.emit(db, "session.ended", session_id)
    return Settlement(applied=True, credits_charged=charge)

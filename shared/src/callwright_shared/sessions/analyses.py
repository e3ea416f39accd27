"""A session's post-call analysis as the database holds it: the analyses waiting to run
(`session_analyses`, migration 0012), their credits, their answer and their webhook.

    settle ──(agent asks for analysis)──▶ pending ──▶ succeeded (charged)
                                            │  ▲  ╲──▶ failed (released, not charged)
                                   attempt  └──┘   ╲─▶ skipped (nothing said; no charge)

`enqueue` runs in the transaction that settles the session (one row per session, as
settlement is once). The issuers' loop `claim`s due rows the way the webhook dispatcher
claims deliveries: `SELECT … FOR UPDATE SKIP LOCKED` on Postgres, the serialized writer on
SQLite, and in both a conditional UPDATE that moves `next_attempt_at` a lease ahead under
a fresh `lease_token`. Every later write is conditional on that token, so an issuer whose
lease ran out records nothing, and an analysis is charged and announced once.

Credits: the price is held once (`hold`, before the first attempt, like a chat message);
`finish` captures it when the analysis succeeded — the capture row's ledger `reference`
is `analysis:<session id>`, unique per organization, so a second capture cannot exist —
and releases it otherwise. The session's `analysis` (what the API answers) and the
`session.analyzed` webhook are written in that same transaction.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from callwright_shared.analysis.requests import Answer
from callwright_shared.billing import credits
from callwright_shared.billing.usage import ANALYSIS_REFERENCE
from callwright_shared.db.engine import serialized_writes
from callwright_shared.db.models import Session, SessionAnalysis, utcnow
from callwright_shared.recordings.models import AnalysisInfo, AnalysisSpec, AnalysisStatus
from callwright_shared.sessions import outbox


def charge_reference(session_id: str) -> str:
    """The ledger reference of an analysis's capture (what usage counts as an analysis)."""
    return f"{ANALYSIS_REFERENCE}{session_id}"


def spec_of(snapshot: dict[str, Any] | None) -> AnalysisSpec | None:
    """The analysis a session's configuration snapshot asks for (None: none)."""
    raw = ((snapshot or {}).get("agent") or {}).get("analysis")
    if not raw:
        return None
    try:
        return AnalysisSpec.model_validate(raw, strict=False)
    except ValidationError:
        return None


async def enqueue(db: AsyncSession, session_id: str) -> bool:
    """Queue the session's analysis when its agent asks for one; in the caller's
    transaction (the settlement's). True when queued."""
    row = (
        await db.execute(
            select(Session.org_id, Session.agent_id, Session.config).where(Session.id == session_id)
        )
    ).one_or_none()
    if row is None or spec_of(row.config) is None:
        return False
    now = utcnow()
    await db.execute(
        insert(SessionAnalysis).values(
            session_id=session_id,
            org_id=row.org_id,
            agent_id=row.agent_id,
            status="pending",
            attempts=0,
            next_attempt_at=now,
            credits_charged=0,
            created_at=now,
        )
    )
    await db.execute(
        update(Session)
        .where(Session.id == session_id)
        .values(analysis=AnalysisInfo(status="pending").model_dump(mode="json"))
    )
    return True


@dataclass(frozen=True, slots=True)
class Claimed:
    """An analysis this issuer holds the lease of."""

    session_id: str
    org_id: str
    token: str
    attempts: int
    credits_held: int | None
    spec: AnalysisSpec | None
    transcript: list[dict[str, Any]]
    # Whose price the analysis costs (callwright_shared.billing.pricing.analysis_price).
    agent_id: str | None = None


async def claim(
    factory: async_sessionmaker[AsyncSession],
    *,
    token: str,
    now: datetime,
    lease_seconds: float,
    delay_seconds: float,
    limit: int,
) -> list[Claimed]:
    """Take up to `limit` due analyses under `token` for `lease_seconds`."""
    lease_until = now + timedelta(seconds=lease_seconds)
    due = (
        select(SessionAnalysis.session_id)
        .where(
            SessionAnalysis.status == "pending",
            SessionAnalysis.next_attempt_at <= now,
            SessionAnalysis.created_at <= now - timedelta(seconds=delay_seconds),
        )
        .order_by(SessionAnalysis.next_attempt_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    async with factory() as db, serialized_writes(db):
        ids = list((await db.execute(due)).scalars())
        if not ids:
            await db.rollback()
            return []
        # Conditional as well: on SQLite, where FOR UPDATE does not exist, a second
        # process that read the same rows finds them moved and takes none.
        await db.execute(
            update(SessionAnalysis)
            .where(
                SessionAnalysis.session_id.in_(ids),
                SessionAnalysis.status == "pending",
                SessionAnalysis.next_attempt_at <= now,
            )
            .values(next_attempt_at=lease_until, lease_token=token)
        )
        rows = (
            await db.execute(
                select(SessionAnalysis, Session.config, Session.transcript)
                .join(Session, Session.id == SessionAnalysis.session_id)
                .where(SessionAnalysis.lease_token == token)
            )
        ).all()
        claimed = [
            Claimed(
                session_id=analysis.session_id,
                org_id=analysis.org_id,
                token=token,
                attempts=analysis.attempts,
                credits_held=analysis.credits_held,
                spec=spec_of(config),
                transcript=list(transcript or []),
                agent_id=analysis.agent_id,
            )
            for analysis, config, transcript in rows
        ]
        await db.commit()
    return claimed


class HoldOutcome(enum.Enum):
    HELD = "held"
    INSUFFICIENT = "insufficient"
    LOST = "lost"  # the lease ran out; another issuer has it


async def hold(db: AsyncSession, item: Claimed, *, price: int) -> HoldOutcome:
    """Hold the analysis's price, once; the caller commits (or rolls back on LOST)."""
    org_lock = await credits.lock(db, item.org_id)
    if org_lock.available_to_hold < price:
        return HoldOutcome.INSUFFICIENT
    won = (
        await db.execute(
            update(SessionAnalysis)
            .where(
                SessionAnalysis.session_id == item.session_id,
                SessionAnalysis.lease_token == item.token,
                SessionAnalysis.credits_held.is_(None),
            )
            .values(credits_held=price)
            .returning(SessionAnalysis.session_id)
        )
    ).one_or_none()
    if won is None:
        return HoldOutcome.LOST
    await credits.hold(db, org_lock, session_id=item.session_id, amount=price)
    return HoldOutcome.HELD


async def retry_later(db: AsyncSession, item: Claimed, *, at: datetime, error: str) -> bool:
    """Give the lease back after a failed attempt; the next one is due `at`."""
    won = (
        await db.execute(
            update(SessionAnalysis)
            .where(
                SessionAnalysis.session_id == item.session_id,
                SessionAnalysis.lease_token == item.token,
                SessionAnalysis.status == "pending",
            )
            .values(
                attempts=SessionAnalysis.attempts + 1,
                lease_token=None,
                next_attempt_at=at,
                error=error[:1000],
            )
            .returning(SessionAnalysis.session_id)
        )
    ).one_or_none()
    return won is not None


async def finish(
    db: AsyncSession,
    item: Claimed,
    *,
    status: AnalysisStatus,
    model: str | None,
    answer: Answer | None = None,
    error: str | None = None,
    attempted: bool = True,
) -> bool:
    """End the analysis (`succeeded`, `failed`, `skipped`): charge or release its hold,
    write the session's `analysis` and queue `session.analyzed`. False, changing nothing,
    when the lease was lost. The caller commits."""
    now = utcnow()
    ended = (
        await db.execute(
            update(SessionAnalysis)
            .where(
                SessionAnalysis.session_id == item.session_id,
                SessionAnalysis.lease_token == item.token,
                SessionAnalysis.status == "pending",
            )
            .values(
                status=status,
                attempts=SessionAnalysis.attempts + (1 if attempted else 0),
                lease_token=None,
                completed_at=now,
                error=None if error is None else error[:1000],
            )
            .returning(SessionAnalysis.credits_held)
        )
    ).one_or_none()
    if ended is None:
        return False
    held = int(ended.credits_held or 0)
    charge = held if status == "succeeded" else 0
    if held:
        await credits.settle_hold(
            db,
            item.org_id,
            item.session_id,
            held=held,
            charge=charge,
            reference=charge_reference(item.session_id),
        )
    info = AnalysisInfo(
        status=status,
        summary=answer.summary if answer else None,
        success=answer.success if answer else None,
        data=answer.data if answer else None,
        model=model,
        completed_at=now,
        error=error,
    )
    values: dict[str, Any] = {"analysis": info.model_dump(mode="json")}
    if charge:
        values["credits_charged"] = Session.credits_charged + charge
        await db.execute(
            update(SessionAnalysis)
            .where(SessionAnalysis.session_id == item.session_id)
            .values(credits_charged=charge)
        )
    await db.execute(update(Session).where(Session.id == item.session_id).values(**values))
    await outbox.emit(db, "session.analyzed", item.session_id)
    return True

"""Usage for an invoice, read from the credit ledger (callwright_shared.billing.credits).

Credits captured are the capture rows of the ledger, counted when they were written: a
voice call's at its settlement, a chat message's when its reply was charged. A charged
chat message is one capture row of a chat session; voice seconds are the agent's
seconds in the room of the voice sessions settled in the range (their capture's time).
A post-call analysis is counted when it succeeded (its `completed_at`); its charge is a
capture row whose `reference` is `analysis:<session id>`, counted in the credits and not
as a chat message.

Grouped by UTC day or by agent; the sum of the groups is the total, which equals the
capture rows of the ledger in the same range.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from callwright_shared.db.models import (
    LedgerEntry,
    LedgerKind,
    Session,
    SessionAnalysis,
    SessionKind,
)

# The ledger reference of an analysis's capture (callwright_shared.sessions.analyses).
ANALYSIS_REFERENCE = "analysis:"

GroupBy = Literal["day", "agent"]


@dataclass(slots=True)
class Usage:
    """One group's usage (or the total, `group` None)."""

    group: str | None = None
    credits_captured: int = 0
    voice_seconds: float = 0.0
    chat_messages: int = 0
    analyses: int = 0

    def add(self, other: Usage) -> None:
        self.credits_captured += other.credits_captured
        self.voice_seconds += other.voice_seconds
        self.chat_messages += other.chat_messages
        self.analyses += other.analyses


@dataclass(slots=True)
class UsageReport:
    total: Usage = field(default_factory=Usage)
    groups: list[Usage] = field(default_factory=list)


def _in_range(
    column: InstrumentedAttribute[datetime] | InstrumentedAttribute[datetime | None],
    start: datetime | None,
    end: datetime | None,
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if start is not None:
        conditions.append(column >= start)
    if end is not None:
        conditions.append(column < end)
    return conditions


async def usage(
    db: AsyncSession,
    org_id: str,
    *,
    start: datetime | None,
    end: datetime | None,
    group_by: GroupBy,
) -> UsageReport:
    """The organization's usage in [start, end), grouped (groups in key order)."""
    captures = (
        select(
            LedgerEntry.amount,
            LedgerEntry.created_at,
            Session.agent_id,
            Session.kind,
            LedgerEntry.reference,
        )
        .outerjoin(Session, Session.id == LedgerEntry.session_id)
        .where(
            LedgerEntry.org_id == org_id,
            LedgerEntry.kind == LedgerKind.CAPTURE,
            *_in_range(LedgerEntry.created_at, start, end),
        )
    )
    voice = select(Session.agent_seconds, Session.settled_at, Session.agent_id).where(
        Session.org_id == org_id,
        Session.kind == SessionKind.VOICE,
        Session.settled_at.is_not(None),
        *_in_range(Session.settled_at, start, end),
    )
    analysed = select(SessionAnalysis.completed_at, SessionAnalysis.agent_id).where(
        SessionAnalysis.org_id == org_id,
        SessionAnalysis.status == "succeeded",
        SessionAnalysis.completed_at.is_not(None),
        *_in_range(SessionAnalysis.completed_at, start, end),
    )
    groups: dict[str, Usage] = {}

    def group_of(at: datetime, agent_id: str | None) -> Usage:
        key = at.date().isoformat() if group_by == "day" else (agent_id or "")
        return groups.setdefault(key, Usage(group=key))

    for amount, at, agent_id, kind, reference in (await db.execute(captures)).all():
        bucket = group_of(at, agent_id)
        bucket.credits_captured += int(amount)
        analysis = reference is not None and reference.startswith(ANALYSIS_REFERENCE)
        if kind is SessionKind.CHAT and not analysis:
            bucket.chat_messages += 1
    for completed_at, agent_id in (await db.execute(analysed)).all():
        assert completed_at is not None
        group_of(completed_at, agent_id).analyses += 1
    for seconds, settled_at, agent_id in (await db.execute(voice)).all():
        assert settled_at is not None
        group_of(settled_at, agent_id).voice_seconds += float(seconds or 0.0)
    report = UsageReport(groups=[groups[key] for key in sorted(groups)])
    for bucket in report.groups:
        bucket.voice_seconds = round(bucket.voice_seconds, 3)
        report.total.add(bucket)
    report.total.voice_seconds = round(report.total.voice_seconds, 3)
    return report


async def ledger_page(
    db: AsyncSession, org_id: str, *, limit: int, starting_after: int | None
) -> tuple[list[LedgerEntry], bool]:
    """The ledger newest first (ids only grow), a page after the entry `starting_after`."""
    query = select(LedgerEntry).where(LedgerEntry.org_id == org_id)
    if starting_after is not None:
        query = query.where(LedgerEntry.id < starting_after)
    rows = list(
        (await db.execute(query.order_by(LedgerEntry.id.desc()).limit(limit + 1))).scalars()
    )
    return rows[:limit], len(rows) > limit

"""Credits: the append-only ledger and the operations on it (docs/decisions.md#credit-ledger).

Ledger kinds and their effect on the organization's cached totals:

    grant   +amount to balance
    hold    +amount to held              (a voice session's reservation)
    capture -amount from balance and held (what a session is charged)
    release -amount from held             (the unused rest of a hold)

available = balance - held, never negative. Every operation here runs inside the caller's
transaction and starts by locking the organization row (`lock`), so concurrent holds
serialize on Postgres (row lock) and SQLite (write lock); none of them commits. A hold
takes the `OrgLock` its caller read under the lock (admission checks what it needs under
the same lock), so the type says who holds it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from callwright_shared.db.models import LedgerEntry, LedgerKind, Organization
from callwright_shared.errors import ConflictError, InsufficientCreditsError, NotFoundError


@dataclass(frozen=True, slots=True)
class Balance:
    balance: int
    held: int

    @property
    def available(self) -> int:
        return self.balance - self.held


@dataclass(frozen=True, slots=True)
class Hold:
    amount: int
    max_duration_seconds: int
    limited_by_credits: bool


@dataclass(frozen=True, slots=True)
class Prereservation:
    """Credits the lock statement itself adds to `held` when at least `if_available` are
    available: the one-statement fast path of a voice hold (`voice_prereservation`)."""

    amount: int
    if_available: int


@dataclass(frozen=True, slots=True)
class OrgLock:
    """The organization's state read under its write lock, after any prereservation."""

    org_id: str
    balance: Balance
    max_concurrent_sessions: int | None
    # Already in `balance.held`; `hold` writes its ledger row without moving it again.
    prereserved: int = 0

    @property
    def available_to_hold(self) -> int:
        """What was available before this lock's own prereservation."""
        return self.balance.available + self.prereserved


async def lock(
    db: AsyncSession, org_id: str, *, prereserve: Prereservation | None = None
) -> OrgLock:
    """Take the organization's write lock and read its totals under it; with
    `prereserve`, the same statement also holds its amount when enough is available.

    A no-op UPDATE rather than SELECT FOR UPDATE: it locks the row on Postgres and takes
    the database write lock on SQLite, where SELECT FOR UPDATE does not exist.
    """
    statement = (
        update(Organization)
        .where(Organization.id == org_id)
        .returning(Organization.balance, Organization.held, Organization.max_concurrent_sessions)
    )
    if prereserve is not None and prereserve.amount > 0:
        available = Organization.balance - Organization.held
        wanted = max(prereserve.if_available, prereserve.amount)
        row = (
            await db.execute(
                statement.where(available >= wanted).values(
                    held=Organization.held + prereserve.amount
                )
            )
        ).one_or_none()
        if row is not None:
            return OrgLock(
                org_id,
                Balance(row.balance, row.held),
                row.max_concurrent_sessions,
                prereserve.amount,
            )
    row = (await db.execute(statement.values(held=Organization.held))).one_or_none()
    if row is None:
        raise NotFoundError("Organization not found.")
    return OrgLock(org_id, Balance(row.balance, row.held), row.max_concurrent_sessions)


async def read_balance(db: AsyncSession, org_id: str) -> Balance:
    row = (
        await db.execute(
            select(Organization.balance, Organization.held).where(Organization.id == org_id)
        )
    ).one_or_none()
    if row is None:
        raise NotFoundError("Organization not found.")
    return Balance(balance=row.balance, held=row.held)


# (sign on balance, sign on held) of each ledger kind.
_EFFECT = {
    LedgerKind.GRANT: (1, 0),
    LedgerKind.HOLD: (0, 1),
    LedgerKind.CAPTURE: (-1, -1),
    LedgerKind.RELEASE: (0, -1),
}


async def _append(
    db: AsyncSession,
    org_id: str,
    kind: LedgerKind,
    amount: int,
    session_id: str | None,
    *,
    already_moved: int = 0,
    reference: str | None = None,
) -> LedgerEntry | None:
    """A ledger row and the totals it moves, less `already_moved` (a prereservation)."""
    if amount < 0:
        raise ValueError("ledger amounts are never negative")
    entry = None
    if amount > 0 or kind is LedgerKind.GRANT:
        entry = LedgerEntry(
            org_id=org_id, session_id=session_id, kind=kind, amount=amount, reference=reference
        )
        db.add(entry)
    moved = amount - already_moved
    if moved == 0:
        return entry
    balance_sign, held_sign = _EFFECT[kind]
    await db.execute(
        update(Organization)
        .where(Organization.id == org_id)
        .values(
            balance=Organization.balance + balance_sign * moved,
            held=Organization.held + held_sign * moved,
        )
    )
    return entry


async def grant(db: AsyncSession, org_id: str, amount: int) -> Balance:
    await lock(db, org_id)
    await _append(db, org_id, LedgerKind.GRANT, amount, None)
    return await read_balance(db, org_id)


async def grant_once(
    db: AsyncSession, org_id: str, amount: int, *, reference: str
) -> tuple[LedgerEntry, bool]:
    """Grant `amount` under the operator's `reference` (an invoice, a payment), once: the
    same reference again is that grant (False), never a second one; with another amount
    it is 409. Under the organization's lock, so a concurrent repeat waits and finds it;
    the unique (org_id, reference) constraint stands behind the check."""
    await lock(db, org_id)
    existing = (
        await db.execute(
            select(LedgerEntry).where(
                LedgerEntry.org_id == org_id, LedgerEntry.reference == reference
            )
        )
    ).scalar_one_or_none()
    if existing is not None:
        if existing.amount != amount or existing.kind is not LedgerKind.GRANT:
            raise ConflictError(
                f"Reference '{reference[:60]}' already granted {existing.amount} credits.",
                param="reference",
            )
        return existing, False
    entry = await _append(db, org_id, LedgerKind.GRANT, amount, None, reference=reference)
    assert entry is not None
    await db.flush()
    return entry, True


def full_voice_hold(*, credits_per_minute: int, max_duration_seconds: int) -> Hold:
    """The hold of a call that may run its whole time limit (what `plan_voice_hold` gives
    when credits are plentiful)."""
    amount = (
        math.ceil(credits_per_minute * max_duration_seconds / 60) if credits_per_minute > 0 else 0
    )
    return Hold(amount=amount, max_duration_seconds=max_duration_seconds, limited_by_credits=False)


def voice_prereservation(*, credits_per_minute: int, max_duration_seconds: int) -> Prereservation:
    """The full call's hold, taken by the lock statement when it leaves at least a
    minute's worth (so that `plan_voice_hold` would plan exactly it)."""
    full = full_voice_hold(
        credits_per_minute=credits_per_minute, max_duration_seconds=max_duration_seconds
    )
    return Prereservation(amount=full.amount, if_available=max(full.amount, credits_per_minute))


def plan_voice_hold(*, available: int, credits_per_minute: int, max_duration_seconds: int) -> Hold:
    """Hold min(available, price of the longest call); refuse below one minute's worth."""
    full = full_voice_hold(
        credits_per_minute=credits_per_minute, max_duration_seconds=max_duration_seconds
    )
    if credits_per_minute <= 0:
        return full
    wanted = full.amount
    if available < credits_per_minute:
        raise InsufficientCreditsError(
            "The organization does not have enough credits for a one-minute call."
        )
    amount = min(available, wanted)
    limited = amount < wanted
    seconds = (
        min(max_duration_seconds, amount * 60 // credits_per_minute)
        if limited
        else max_duration_seconds
    )
    return Hold(amount=amount, max_duration_seconds=seconds, limited_by_credits=limited)


async def hold(db: AsyncSession, org_lock: OrgLock, *, session_id: str, amount: int) -> None:
    """Hold `amount` for a session under `org_lock` (one hold per lock): its ledger row,
    and the totals except what the lock statement already prereserved."""
    await _append(
        db,
        org_lock.org_id,
        LedgerKind.HOLD,
        amount,
        session_id,
        already_moved=org_lock.prereserved,
    )


def voice_charge(*, agent_seconds: float, credits_per_minute: int, held: int) -> int:
    """ceil(seconds with the agent in the room × credits per minute ÷ 60), capped by the hold."""
    if agent_seconds <= 0 or credits_per_minute <= 0:
        return 0
    # Round away float noise before the ceiling (59.99999997 s is a minute, not two).
    raw = round(agent_seconds * credits_per_minute / 60, 6)
    return min(held, math.ceil(raw))


async def settle_hold(
    db: AsyncSession,
    org_id: str,
    session_id: str,
    *,
    held: int,
    charge: int,
    reference: str | None = None,
) -> None:
    """Capture `charge` of a session's hold and release the rest. Called exactly once.
    `reference` marks the capture row (a post-call analysis's: unique, so never twice)."""
    charge = max(0, min(charge, held))
    await lock(db, org_id)
    await _append(db, org_id, LedgerKind.CAPTURE, charge, session_id, reference=reference)
    await _append(db, org_id, LedgerKind.RELEASE, held - charge, session_id)


async def ledger_totals(db: AsyncSession, org_id: str) -> Balance:
    """The totals recomputed from the ledger itself (what the cache must equal)."""
    rows = (
        await db.execute(
            select(LedgerEntry.kind, func.coalesce(func.sum(LedgerEntry.amount), 0))
            .where(LedgerEntry.org_id == org_id)
            .group_by(LedgerEntry.kind)
        )
    ).all()
    sums = {LedgerKind(kind): int(total) for kind, total in rows}
    grants, holds, captures, releases = (
        sums.get(kind, 0)
        for kind in (LedgerKind.GRANT, LedgerKind.HOLD, LedgerKind.CAPTURE, LedgerKind.RELEASE)
    )
    return Balance(balance=grants - captures, held=holds - captures - releases)

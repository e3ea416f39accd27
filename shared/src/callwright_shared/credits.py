"""Credits: the append-only ledger and the operations on it (SPEC §7).

Ledger kinds and their effect on the organization's cached totals:

    grant   +amount to balance
    hold    +amount to held              (a voice session's reservation)
    capture -amount from balance and held (what a session is charged)
    release -amount from held             (the unused rest of a hold)

available = balance - held, never negative. Every operation here runs inside the caller's
transaction and starts by locking the organization row, so concurrent holds serialize on
Postgres (row lock) and SQLite (write lock); none of them commits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from callwright_shared.db.models import LedgerEntry, LedgerKind, Organization
from callwright_shared.errors import InsufficientCreditsError, NotFoundError


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


async def lock_organization(db: AsyncSession, org_id: str) -> Balance:
    """Take the organization's write lock and read its totals under it.

    A no-op UPDATE rather than SELECT FOR UPDATE: it locks the row on Postgres and takes
    the database write lock on SQLite, where SELECT FOR UPDATE does not exist.
    """
    return (await lock_and_reserve(db, org_id, reserve=0, if_available=0)).balance


@dataclass(frozen=True, slots=True)
class Locked:
    """The organization's state read under its lock, after any reservation."""

    balance: Balance
    reserved: int
    max_concurrent_sessions: int | None


async def lock_and_reserve(
    db: AsyncSession, org_id: str, *, reserve: int, if_available: int
) -> Locked:
    """Lock the organization and, when at least `if_available` credits are available,
    add `reserve` to its held total — in one statement, the fast path of a voice hold.

    When they are not available the organization is locked without a reservation
    (`reserved == 0`) and the caller plans a smaller hold under the lock. The caller
    records the ledger entry of a reservation with `record_hold`.
    """
    lock = (
        update(Organization)
        .where(Organization.id == org_id)
        .returning(Organization.balance, Organization.held, Organization.max_concurrent_sessions)
    )
    available = Organization.balance - Organization.held
    if reserve > 0:
        row = (
            await db.execute(
                lock.where(available >= max(if_available, reserve)).values(
                    held=Organization.held + reserve
                )
            )
        ).one_or_none()
        if row is not None:
            return Locked(Balance(row.balance, row.held), reserve, row.max_concurrent_sessions)
    row = (await db.execute(lock.values(held=Organization.held))).one_or_none()
    if row is None:
        raise NotFoundError("Organization not found.")
    return Locked(Balance(row.balance, row.held), 0, row.max_concurrent_sessions)


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


def _record(
    db: AsyncSession, org_id: str, kind: LedgerKind, amount: int, session_id: str | None
) -> None:
    """The ledger row alone; `_append` also moves the organization's totals."""
    db.add(LedgerEntry(org_id=org_id, session_id=session_id, kind=kind, amount=amount))


async def _append(
    db: AsyncSession, org_id: str, kind: LedgerKind, amount: int, session_id: str | None
) -> None:
    if amount < 0:
        raise ValueError("ledger amounts are never negative")
    if amount == 0 and kind is not LedgerKind.GRANT:
        return
    _record(db, org_id, kind, amount, session_id)
    balance_sign, held_sign = _EFFECT[kind]
    await db.execute(
        update(Organization)
        .where(Organization.id == org_id)
        .values(
            balance=Organization.balance + balance_sign * amount,
            held=Organization.held + held_sign * amount,
        )
    )


async def grant(db: AsyncSession, org_id: str, amount: int) -> Balance:
    await lock_organization(db, org_id)
    await _append(db, org_id, LedgerKind.GRANT, amount, None)
    return await read_balance(db, org_id)


def full_voice_hold(*, credits_per_minute: int, max_duration_seconds: int) -> Hold:
    """The hold of a call that may run its whole time limit (what `plan_voice_hold` gives
    when credits are plentiful)."""
    amount = (
        math.ceil(credits_per_minute * max_duration_seconds / 60) if credits_per_minute > 0 else 0
    )
    return Hold(amount=amount, max_duration_seconds=max_duration_seconds, limited_by_credits=False)


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


async def place_hold(db: AsyncSession, org_id: str, session_id: str, amount: int) -> None:
    """Caller must hold the organization lock (see `lock_organization`)."""
    await _append(db, org_id, LedgerKind.HOLD, amount, session_id)


def record_hold(db: AsyncSession, org_id: str, session_id: str, amount: int) -> None:
    """The ledger entry of a hold `lock_and_reserve` already added to the totals."""
    if amount > 0:
        _record(db, org_id, LedgerKind.HOLD, amount, session_id)


def voice_charge(*, agent_seconds: float, credits_per_minute: int, held: int) -> int:
    """ceil(seconds with the agent in the room × credits per minute ÷ 60), capped by the hold."""
    if agent_seconds <= 0 or credits_per_minute <= 0:
        return 0
    # Round away float noise before the ceiling (59.99999997 s is a minute, not two).
    raw = round(agent_seconds * credits_per_minute / 60, 6)
    return min(held, math.ceil(raw))


async def settle_hold(
    db: AsyncSession, org_id: str, session_id: str, *, held: int, charge: int
) -> None:
    """Capture `charge` of a session's hold and release the rest. Called exactly once."""
    charge = max(0, min(charge, held))
    await lock_organization(db, org_id)
    await _append(db, org_id, LedgerKind.CAPTURE, charge, session_id)
    await _append(db, org_id, LedgerKind.RELEASE, held - charge, session_id)


async def charge_without_hold(
    db: AsyncSession, org_id: str, session_id: str, amount: int
) -> Balance:
    """Charge a chat message: hold and capture at once, refused if not available."""
    balance = await lock_organization(db, org_id)
    if balance.available < amount:
        raise InsufficientCreditsError("The organization does not have enough credits.")
    await _append(db, org_id, LedgerKind.HOLD, amount, session_id)
    await _append(db, org_id, LedgerKind.CAPTURE, amount, session_id)
    return Balance(balance=balance.balance - amount, held=balance.held)


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

"""The audit log of operator actions: one append-only row per action, in the action's
transaction (an action that fails leaves no row)."""

from __future__ import annotations

from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from callwright_shared.db.models import AuditEntry

# Who acted: the operator API or `callwright admin` on the issuer's machine.
Actor = Literal["api", "cli"]


def record(
    db: AsyncSession,
    actor: Actor,
    action: str,
    *,
    org_id: str | None = None,
    target: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    db.add(
        AuditEntry(actor=actor, action=action, org_id=org_id, target=target, details=details or {})
    )


async def entries(
    db: AsyncSession, *, org_id: str | None, limit: int, starting_after: int | None
) -> tuple[list[AuditEntry], bool]:
    """Newest first (ids only grow), optionally one organization's."""
    query = select(AuditEntry)
    if org_id is not None:
        query = query.where(AuditEntry.org_id == org_id)
    if starting_after is not None:
        query = query.where(AuditEntry.id < starting_after)
    rows = list((await db.execute(query.order_by(AuditEntry.id.desc()).limit(limit + 1))).scalars())
    return rows[:limit], len(rows) > limit

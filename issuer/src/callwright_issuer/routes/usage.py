"""/v1/usage and /v1/credits/ledger: what an invoice is made of, read from the ledger
(callwright_shared.billing.usage)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from callwright_issuer.http.deps import CurrentKey, DbSessionDep
from callwright_issuer.http.parameters import checked_parameters
from callwright_issuer.schemas import ListPage, error_responses
from callwright_shared.billing import usage
from callwright_shared.db.models import LedgerEntry
from callwright_shared.sessions.lifecycle import created_range

router = APIRouter(prefix="/v1", tags=["usage"], dependencies=[Depends(checked_parameters)])


class UsageGroup(BaseModel):
    # The UTC day (`2026-01-31`) or the agent id; null in `total`.
    group: str | None
    credits_captured: int
    voice_seconds: float
    chat_messages: int
    analyses: int


class UsageReport(BaseModel):
    object: Literal["usage"] = "usage"
    group_by: Literal["day", "agent"]
    start: datetime | None
    end: datetime | None
    total: UsageGroup
    data: list[UsageGroup]


class LedgerEntryPublic(BaseModel):
    object: Literal["ledger_entry"] = "ledger_entry"
    id: int
    kind: Literal["grant", "hold", "capture", "release"]
    amount: int
    session_id: str | None
    # A grant's operator reference (an invoice or a payment id).
    reference: str | None
    created_at: datetime

    @classmethod
    def of(cls, row: LedgerEntry) -> LedgerEntryPublic:
        return cls(
            id=row.id,
            kind=row.kind.value,
            amount=row.amount,
            session_id=row.session_id,
            reference=row.reference,
            created_at=row.created_at,
        )


class LedgerList(ListPage[LedgerEntryPublic]):
    pass


def _group(bucket: usage.Usage) -> UsageGroup:
    return UsageGroup(
        group=bucket.group,
        credits_captured=bucket.credits_captured,
        voice_seconds=bucket.voice_seconds,
        chat_messages=bucket.chat_messages,
        analyses=bucket.analyses,
    )


@router.get("/usage", response_model=UsageReport, responses=error_responses(400, 401, 403))
async def get_usage(
    *,
    key: CurrentKey,
    db: DbSessionDep,
    start: Annotated[datetime | None, Query(alias="from")] = None,
    end: Annotated[datetime | None, Query(alias="to")] = None,
    group_by: Literal["day", "agent"] = "day",
) -> UsageReport:
    """Usage in [from, to) (ISO 8601, UTC when no offset; either may be left out), by UTC
    day or by agent: credits captured (the ledger's captures), voice seconds (of the
    calls settled in the range), chat messages charged, post-call analyses. `total` is
    the sum of the groups and equals the ledger's captures in the range."""
    first, last = created_range(start, end)
    report = await usage.usage(db, key.org_id, start=first, end=last, group_by=group_by)
    return UsageReport(
        group_by=group_by,
        start=first,
        end=last,
        total=_group(report.total),
        data=[_group(g) for g in report.groups],
    )


@router.get("/credits/ledger", response_model=LedgerList, responses=error_responses(400, 401, 403))
async def get_ledger(
    *,
    key: CurrentKey,
    db: DbSessionDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    starting_after: Annotated[int | None, Query(ge=0, le=2**63 - 1)] = None,
) -> LedgerList:
    """The organization's credit ledger, newest first (`starting_after`: the previous
    page's last `id`): grants, holds, captures and releases; the balance is the sum."""
    rows, has_more = await usage.ledger_page(
        db, key.org_id, limit=limit, starting_after=starting_after
    )
    return LedgerList(data=[LedgerEntryPublic.of(r) for r in rows], has_more=has_more)

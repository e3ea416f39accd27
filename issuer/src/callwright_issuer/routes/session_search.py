"""GET /v1/sessions/search: the organization's sessions filtered by agent, kind, status,
end reason and creation time, newest first, with the same keyset pagination and list
shape as GET /v1/sessions (the operator console's list, src/callwright/web.py).

Its router is included before the sessions router: `/v1/sessions/{session_id}` would
otherwise take `search` for a session id.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy import and_, or_, select

from callwright_issuer.deps import CurrentKey, DbSessionDep
from callwright_issuer.parameters import checked_parameters
from callwright_issuer.schemas import SessionList, error_responses
from callwright_shared import sessions
from callwright_shared.db.models import EndReason, Session, SessionKind, SessionStatus
from callwright_shared.errors import InvalidRequestError
from callwright_shared.session_public import SessionPublic

router = APIRouter(
    prefix="/v1/sessions", tags=["sessions"], dependencies=[Depends(checked_parameters)]
)


def _utc(moment: datetime | None, param: str) -> datetime | None:
    if moment is None:
        return None
    try:
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except OverflowError:  # a time at the edge of the calendar, moved to UTC
        raise InvalidRequestError(f"{param}: out of range", param=param) from None


@router.get("/search", response_model=SessionList, responses=error_responses(400, 401, 404))
async def search_sessions(
    *,
    key: CurrentKey,
    db: DbSessionDep,
    agent_id: Annotated[str | None, Query(max_length=64)] = None,
    kind: SessionKind | None = None,
    status: SessionStatus | None = None,
    end_reason: EndReason | None = None,
    start: Annotated[datetime | None, Query(alias="from")] = None,
    end: Annotated[datetime | None, Query(alias="to")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    starting_after: Annotated[str | None, Query(max_length=64)] = None,
) -> SessionList:
    """Sessions created in [from, to) (ISO 8601, UTC when no offset; either may be left
    out) matching every filter given; `starting_after` is the last id of the previous
    page, with the same filters."""
    first, last = _utc(start, "from"), _utc(end, "to")
    query = select(Session).where(Session.org_id == key.org_id)
    if agent_id is not None:
        query = query.where(Session.agent_id == agent_id)
    if kind is not None:
        query = query.where(Session.kind == kind)
    if status is not None:
        query = query.where(Session.status == status)
    if end_reason is not None:
        query = query.where(Session.end_reason == end_reason)
    if first is not None:
        query = query.where(Session.created_at >= first)
    if last is not None:
        query = query.where(Session.created_at < last)
    if starting_after is not None:
        # The same keyset as GET /v1/sessions (callwright_shared.sessions.list_sessions).
        cursor = await sessions.get_session(db, org_id=key.org_id, session_id=starting_after)
        query = query.where(
            or_(
                Session.created_at < cursor.created_at,
                and_(Session.created_at == cursor.created_at, Session.id < cursor.id),
            )
        )
    ordered = query.order_by(Session.created_at.desc(), Session.id.desc()).limit(limit + 1)
    rows = list((await db.execute(ordered)).scalars())
    return SessionList(
        data=[SessionPublic.of(row) for row in rows[:limit]], has_more=len(rows) > limit
    )

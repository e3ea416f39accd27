"""Keyset pagination of the API's lists: newest first, `starting_after` an id.

The order is (created_at, id) descending, so a page never repeats or skips a row however
many are added meanwhile; the cursor row is read by the caller (404 for an unknown id).
"""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import Select, and_, or_
from sqlalchemy.ext.asyncio import AsyncSession

from callwright_shared.db.models import Agent, ApiKey, Organization, Session

Row = TypeVar("Row", Agent, Session, ApiKey, Organization)


async def newest_first(
    db: AsyncSession,
    query: Select[Row],
    model: type[Row],
    *,
    cursor: Row | None,
    limit: int,
) -> tuple[list[Row], bool]:
    """One page of `query`'s rows after `cursor`, and whether more follow."""
    if cursor is not None:
        query = query.where(
            or_(
                model.created_at < cursor.created_at,
                and_(model.created_at == cursor.created_at, model.id < cursor.id),
            )
        )
    ordered = query.order_by(model.created_at.desc(), model.id.desc()).limit(limit + 1)
    rows = list((await db.execute(ordered)).scalars())
    return rows[:limit], len(rows) > limit

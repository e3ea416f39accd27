"""Organizations and their users: what the operator's admin commands create."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from callwright_shared.db.models import Agent, Organization, User
from callwright_shared.errors import ConflictError, InvalidRequestError, NotFoundError
from callwright_shared.ids import is_valid_user_id, new_org_id


async def create_org(db: AsyncSession, *, name: str) -> Organization:
    if not name.strip():
        raise InvalidRequestError("Organization name must not be empty.", param="name")
    org = Organization(id=new_org_id(), name=name.strip(), balance=0, held=0)
    db.add(org)
    await db.flush()
    return org


async def get_org(db: AsyncSession, org_id: str) -> Organization:
    org = await db.get(Organization, org_id)
    if org is None:
        raise NotFoundError(f"No organization '{org_id}'.", param="org")
    return org


async def live_agent(db: AsyncSession, *, org_id: str, agent_id: str) -> Agent | None:
    """The organization's agent, unless deleted (or another organization's): the one query
    the API, the prices and the worker's transfers read an agent by."""
    agent: Agent | None = (
        await db.execute(
            select(Agent).where(
                Agent.id == agent_id, Agent.org_id == org_id, Agent.deleted_at.is_(None)
            )
        )
    ).scalar_one_or_none()
    return agent


async def create_user(db: AsyncSession, *, org_id: str, user_id: str) -> User:
    await get_org(db, org_id)
    if not is_valid_user_id(user_id):
        raise InvalidRequestError(
            "User ids are 1 to 64 characters of A-Z a-z 0-9 _ . @ -, starting with a "
            "letter or digit.",
            param="user_id",
        )
    if await db.get(User, (org_id, user_id)) is not None:
        raise ConflictError(f"User '{user_id}' already exists.", param="user_id")
    user = User(org_id=org_id, user_id=user_id)
    db.add(user)
    await db.flush()
    return user


async def set_concurrency_limit(db: AsyncSession, org_id: str, limit: int | None) -> None:
    """The organization's own limit of open sessions (None: the deployment's default)."""
    org = await get_org(db, org_id)
    org.max_concurrent_sessions = limit
    await db.flush()

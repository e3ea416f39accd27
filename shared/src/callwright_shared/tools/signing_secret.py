"""The organization's secret that signs its agents' tool calls: created on first use,
rotated at once."""

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from callwright_shared import outbound
from callwright_shared.db.models import Organization
from callwright_shared.errors import NotFoundError

# -- the organization's signing secret ----------------------------------------------------


async def signing_secret_of(db: AsyncSession, organization_id: str) -> str:
    """The organization's tool signing secret, created on first use (a concurrent first
    use keeps whichever was written first). Commit is the caller's."""
    secret = await _stored_secret(db, organization_id)
    if secret is not None:
        return secret
    await db.execute(
        update(Organization)
        .where(Organization.id == organization_id, Organization.tool_signing_secret.is_(None))
        .values(tool_signing_secret=outbound.new_signing_secret())
    )
    secret = await _stored_secret(db, organization_id)
    assert secret is not None
    return secret


async def rotate_signing_secret(db: AsyncSession, organization_id: str) -> str:
    """A new secret, at once: requests sign with it from now on."""
    await _stored_secret(db, organization_id)  # 404 for an unknown organization
    secret = outbound.new_signing_secret()
    await db.execute(
        update(Organization)
        .where(Organization.id == organization_id)
        .values(tool_signing_secret=secret)
    )
    return secret


async def _stored_secret(db: AsyncSession, organization_id: str) -> str | None:
    row = (
        await db.execute(
            select(Organization.id, Organization.tool_signing_secret)
            .where(Organization.id == organization_id)
            .execution_options(populate_existing=True)
        )
    ).one_or_none()
    if row is None:
        raise NotFoundError(f"No organization '{organization_id[:64]}'.", param="org")
    secret: str | None = row.tool_signing_secret
    return secret

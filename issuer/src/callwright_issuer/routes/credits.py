"""/v1/credits: the organization's balance."""

from __future__ import annotations

from fastapi import APIRouter

from callwright_issuer.http.deps import CurrentKey, DbSessionDep
from callwright_issuer.schemas import CreditsPublic, error_responses
from callwright_shared.billing import credits

router = APIRouter(prefix="/v1/credits", tags=["credits"])


@router.get("", response_model=CreditsPublic, responses=error_responses(401, 503))
async def get_credits(*, key: CurrentKey, db: DbSessionDep) -> CreditsPublic:
    balance = await credits.read_balance(db, key.org_id)
    return CreditsPublic(balance=balance.balance, held=balance.held, available=balance.available)

"""/v1/api-keys: the organization's own keys. Listing, creating and revoking need a
`full` key (the scope check is the authentication dependency's); a new key is never of a
wider scope than the key that creates it, and its secret is in the create answer only."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from callwright_issuer.http.deps import CurrentKey, DbSessionDep, body_schema, json_body
from callwright_issuer.http.parameters import checked_parameters
from callwright_issuer.schemas import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyList,
    ApiKeyPublic,
    error_responses,
)
from callwright_shared.db.engine import transaction
from callwright_shared.operators.actions import key_view, list_keys
from callwright_shared.tenants import api_keys

router = APIRouter(
    prefix="/v1/api-keys", tags=["api-keys"], dependencies=[Depends(checked_parameters)]
)


@router.get("", response_model=ApiKeyList, responses=error_responses(400, 401, 403, 404))
async def list_api_keys(
    *,
    key: CurrentKey,
    db: DbSessionDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    starting_after: Annotated[str | None, Query(max_length=64)] = None,
) -> ApiKeyList:
    """The organization's keys, newest first, revoked ones included (never a secret)."""
    rows, has_more = await list_keys(
        db, org_id=key.org_id, limit=limit, starting_after=starting_after
    )
    return ApiKeyList(data=[ApiKeyPublic(**key_view(r)) for r in rows], has_more=has_more)


@router.post(
    "",
    response_model=ApiKeyCreated,
    openapi_extra=body_schema(ApiKeyCreate),
    responses=error_responses(400, 401, 403, 404, 409, 413),
)
async def create_api_key(
    *,
    key: CurrentKey,
    body: Annotated[ApiKeyCreate, Depends(json_body(ApiKeyCreate))],
    db: DbSessionDep,
) -> ApiKeyCreated:
    """A new key of the organization; its `api_key` is shown in this answer only."""
    async with transaction(db):
        minted = await api_keys.mint_key(
            db,
            org_id=key.org_id,
            user_id=body.user_id or key.user_id,
            scope=body.scope,
            minted_by=key.scope,
        )
        row = await api_keys.get_key(db, minted.key_id, org_id=key.org_id)
        view = key_view(row)
    return ApiKeyCreated(**view, api_key=minted.api_key)


@router.delete(
    "/{key_id}", response_model=ApiKeyPublic, responses=error_responses(400, 401, 403, 404)
)
async def revoke_api_key(*, key_id: str, key: CurrentKey, db: DbSessionDep) -> ApiKeyPublic:
    """Revoke one of the organization's keys at once (idempotent); it is 401 from now on."""
    async with transaction(db):
        row = await api_keys.revoke_key(db, key_id, org_id=key.org_id)
        view = key_view(row)
    return ApiKeyPublic(**view)

"""/v1/tool-secret: the organization's secret that signs its agents' tool calls.

Shown to the organization's own keys (its tool servers verify with it); created on the
first GET or the first tool call, whichever comes first (callwright_shared.tools).
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from callwright_issuer.http.deps import CurrentKey, DbSessionDep
from callwright_issuer.http.parameters import checked_parameters
from callwright_issuer.schemas import error_responses
from callwright_shared.tools.signing_secret import rotate_signing_secret, signing_secret_of

router = APIRouter(
    prefix="/v1/tool-secret", tags=["tools"], dependencies=[Depends(checked_parameters)]
)


class ToolSecret(BaseModel):
    object: Literal["tool_secret"] = "tool_secret"
    # `whsec_…`: verify the Standard Webhooks signature of tool requests with it.
    secret: str


@router.get("", response_model=ToolSecret, responses=error_responses(400, 401))
async def get_tool_secret(*, key: CurrentKey, db: DbSessionDep) -> ToolSecret:
    """The organization's tool signing secret (`whsec_…`), created on first use."""
    secret = await signing_secret_of(db, key.org_id)
    await db.commit()
    return ToolSecret(secret=secret)


@router.post("/rotate", response_model=ToolSecret, responses=error_responses(400, 401))
async def rotate_tool_secret(*, key: CurrentKey, db: DbSessionDep) -> ToolSecret:
    """A new secret at once: tool calls from now on are signed with it only."""
    secret = await rotate_signing_secret(db, key.org_id)
    await db.commit()
    return ToolSecret(secret=secret)

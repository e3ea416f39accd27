"""/v1/admin: the operator API (docs/operator.md), `Authorization: Bearer
<CALLWRIGHT_OPERATOR_TOKEN>`; 404 while that is unset (docs/decisions.md#operator-api).

Every action runs the function `callwright admin` runs (callwright_shared.operators
.actions), which records it in the audit log, in one transaction.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from callwright_issuer.http.deps import (
    DbSessionDep,
    RoomsDep,
    SessionFactoryDep,
    SettingsDep,
    body_schema,
    operator,
    operator_json_body,
)
from callwright_issuer.http.parameters import checked_operator_parameters
from callwright_issuer.schemas import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyList,
    ApiKeyPublic,
    ListPage,
    error_responses,
)
from callwright_issuer.sessions.suspension import end_live_sessions
from callwright_shared.agents.definitions import AgentSpec
from callwright_shared.billing.pricing import PriceOverride
from callwright_shared.db.engine import transaction
from callwright_shared.db.models import ApiKey, AuditEntry
from callwright_shared.errors import InvalidRequestError
from callwright_shared.operators import actions, audit
from callwright_shared.tenants import api_keys

router = APIRouter(
    prefix="/v1/admin",
    tags=["admin"],
    dependencies=[Depends(operator), Depends(checked_operator_parameters)],
)

_ERRORS = (400, 401, 404)
Limit = Annotated[int, Query(ge=1, le=100)]


class OrganizationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    name: str = Field(min_length=1, max_length=200)


class OrganizationPublic(BaseModel):
    object: Literal["organization"] = "organization"
    id: str
    name: str
    balance: int
    held: int
    available: int
    max_concurrent_sessions: int | None
    # The organization's own prices; null: the deployment's defaults.
    credits_per_minute: int | None
    credits_per_message: int | None
    credits_per_analysis: int | None
    suspended: bool
    suspended_at: datetime | None
    created_at: datetime


class OrganizationList(ListPage[OrganizationPublic]):
    pass


class SuspensionResult(OrganizationPublic):
    # The sessions that were live and have been ended (`api_ended`, settled once).
    ended_sessions: list[str]


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    user_id: str = Field(min_length=1, max_length=64)


class UserCreated(BaseModel):
    object: Literal["user"] = "user"
    org_id: str
    user_id: str


class CreditGrantCreate(BaseModel):
    """`reference`: the invoice or payment the credits are for; the same reference again
    is the same grant (nothing added), with another amount 409."""

    model_config = ConfigDict(extra="forbid", strict=True)

    amount: int = Field(gt=0, le=10**12)
    reference: str | None = Field(None, min_length=1, max_length=actions.MAX_REFERENCE)


class CreditGrant(BaseModel):
    object: Literal["credit_grant"] = "credit_grant"
    org_id: str
    amount: int
    reference: str | None
    ledger_entry_id: int | None
    # False: this reference was granted before; nothing was added.
    created: bool
    balance: int


class PricesSet(BaseModel):
    """Set (or with `clear`, remove) the organization's prices, or with `agent_id` one
    agent's; an unset price inherits (the organization's, then the default)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    agent_id: str | None = Field(None, min_length=1, max_length=64)
    credits_per_minute: int | None = None
    credits_per_message: int | None = None
    credits_per_analysis: int | None = None
    clear: bool = False


class Prices(BaseModel):
    object: Literal["prices"] = "prices"
    org_id: str
    agent_id: str | None = None
    credits_per_minute: int | None
    credits_per_message: int | None
    credits_per_analysis: int | None


class ConcurrencySet(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    # null: the deployment's default (CALLWRIGHT_MAX_CONCURRENT_SESSIONS_PER_ORG).
    max_concurrent_sessions: int | None = Field(ge=1, le=100_000)


class Concurrency(BaseModel):
    object: Literal["concurrency_limit"] = "concurrency_limit"
    org_id: str
    max_concurrent_sessions: int | None


class OperatorToolSecret(BaseModel):
    object: Literal["tool_secret"] = "tool_secret"
    org_id: str
    tool_signing_secret: str


class AgentCreated(BaseModel):
    object: Literal["agent"] = "agent"
    agent_id: str


class AuditEntryPublic(BaseModel):
    object: Literal["audit_entry"] = "audit_entry"
    id: int
    at: datetime
    # `api` (this API) or `cli` (`callwright admin`).
    actor: str
    # e.g. `organization.create`, `api_key.create`, `credits.grant`.
    action: str
    org_id: str | None
    target: str | None
    details: dict[str, Any]

    @classmethod
    def of(cls, row: AuditEntry) -> AuditEntryPublic:
        return cls(
            id=row.id,
            at=row.at,
            actor=row.actor,
            action=row.action,
            org_id=row.org_id,
            target=row.target,
            details=row.details,
        )


class AuditList(ListPage[AuditEntryPublic]):
    pass


# --- organizations ---


@router.post(
    "/organizations",
    response_model=OrganizationPublic,
    openapi_extra=body_schema(OrganizationCreate),
    responses=error_responses(400, 401, 404, 413),
)
async def admin_create_organization(
    *,
    body: Annotated[OrganizationCreate, Depends(operator_json_body(OrganizationCreate))],
    db: DbSessionDep,
) -> OrganizationPublic:
    async with transaction(db):
        created = await actions.create_org(db, name=body.name, actor="api")
        view = await actions.get_org(db, created["org_id"])
    return OrganizationPublic(**view)


@router.get("/organizations", response_model=OrganizationList, responses=error_responses(*_ERRORS))
async def admin_list_organizations(
    *,
    db: DbSessionDep,
    limit: Limit = 20,
    starting_after: Annotated[str | None, Query(max_length=64)] = None,
) -> OrganizationList:
    """Every organization, newest first."""
    rows, has_more = await actions.list_orgs(db, limit=limit, starting_after=starting_after)
    return OrganizationList(
        data=[OrganizationPublic(**actions.org_view(r)) for r in rows], has_more=has_more
    )


@router.get(
    "/organizations/{org_id}",
    response_model=OrganizationPublic,
    responses=error_responses(*_ERRORS),
)
async def admin_get_organization(*, org_id: str, db: DbSessionDep) -> OrganizationPublic:
    return OrganizationPublic(**await actions.get_org(db, org_id))


async def _suspension(
    db: DbSessionDep,
    org_id: str,
    suspended: bool,
) -> dict[str, Any]:
    async with transaction(db):
        await actions.set_suspended(db, org_id, suspended=suspended, actor="api")
    return await actions.get_org(db, org_id)


@router.post(
    "/organizations/{org_id}/suspend",
    response_model=SuspensionResult,
    responses=error_responses(*_ERRORS),
)
async def admin_suspend_organization(
    *,
    org_id: str,
    db: DbSessionDep,
    session_factory: SessionFactoryDep,
    rooms: RoomsDep,
    settings: SettingsDep,
) -> SuspensionResult:
    """Its keys get 403 `organization_suspended` from now on, and its live sessions end
    (`api_ended`) as End Session ends them, each charged once for what it used."""
    await _suspension(db, org_id, True)
    ended = await end_live_sessions(
        session_factory,
        org_id,
        rooms=rooms,
        grace_seconds=settings.worker_heartbeat_grace_seconds,
    )
    await db.rollback()
    return SuspensionResult(**await actions.get_org(db, org_id), ended_sessions=ended)


@router.post(
    "/organizations/{org_id}/reinstate",
    response_model=OrganizationPublic,
    responses=error_responses(*_ERRORS),
)
async def admin_reinstate_organization(*, org_id: str, db: DbSessionDep) -> OrganizationPublic:
    """Lift a suspension: the organization's keys work again."""
    return OrganizationPublic(**await _suspension(db, org_id, False))


# --- users and keys ---


@router.post(
    "/organizations/{org_id}/users",
    response_model=UserCreated,
    openapi_extra=body_schema(UserCreate),
    responses=error_responses(400, 401, 404, 409, 413),
)
async def admin_create_user(
    *,
    org_id: str,
    body: Annotated[UserCreate, Depends(operator_json_body(UserCreate))],
    db: DbSessionDep,
) -> UserCreated:
    async with transaction(db):
        created = await actions.create_user(db, org_id=org_id, user_id=body.user_id, actor="api")
    return UserCreated(**created)


@router.post(
    "/organizations/{org_id}/api-keys",
    response_model=ApiKeyCreated,
    openapi_extra=body_schema(ApiKeyCreate),
    responses=error_responses(400, 401, 404, 409, 413),
)
async def admin_create_api_key(
    *,
    org_id: str,
    body: Annotated[ApiKeyCreate, Depends(operator_json_body(ApiKeyCreate))],
    db: DbSessionDep,
) -> ApiKeyCreated:
    """A key for the organization's user (`user_id` is required here), of any scope; its
    `api_key` is shown in this answer only."""
    if body.user_id is None:
        raise InvalidRequestError("user_id: required", param="user_id")
    async with transaction(db):
        created = await actions.create_key(
            db, org_id=org_id, user_id=body.user_id, scope=body.scope, actor="api"
        )
        view = actions.key_view(await api_keys.get_key(db, created["key_id"], org_id=org_id))
    return ApiKeyCreated(**view, api_key=created["api_key"])


@router.get(
    "/organizations/{org_id}/api-keys",
    response_model=ApiKeyList,
    responses=error_responses(*_ERRORS),
)
async def admin_list_api_keys(
    *,
    org_id: str,
    db: DbSessionDep,
    limit: Limit = 20,
    starting_after: Annotated[str | None, Query(max_length=64)] = None,
) -> ApiKeyList:
    await actions.get_org(db, org_id)
    rows, has_more = await actions.list_keys(
        db, org_id=org_id, limit=limit, starting_after=starting_after
    )
    return ApiKeyList(data=[ApiKeyPublic(**actions.key_view(r)) for r in rows], has_more=has_more)


@router.delete(
    "/api-keys/{key_id}", response_model=ApiKeyPublic, responses=error_responses(*_ERRORS)
)
async def admin_revoke_api_key(*, key_id: str, db: DbSessionDep) -> ApiKeyPublic:
    """Revoke any organization's key at once (idempotent)."""
    async with transaction(db):
        await actions.revoke_key(db, key_id=key_id, actor="api")
        row = await db.get(ApiKey, key_id, populate_existing=True)
        assert row is not None  # revoke_key found it
        view = actions.key_view(row)
    return ApiKeyPublic(**view)


# --- credits, prices, limits, agents, tool secrets ---


@router.post(
    "/organizations/{org_id}/credit-grants",
    response_model=CreditGrant,
    openapi_extra=body_schema(CreditGrantCreate),
    responses=error_responses(400, 401, 404, 409, 413),
)
async def admin_grant_credits(
    *,
    org_id: str,
    body: Annotated[CreditGrantCreate, Depends(operator_json_body(CreditGrantCreate))],
    db: DbSessionDep,
) -> CreditGrant:
    async with transaction(db):
        granted = await actions.add_credits(
            db, org_id=org_id, amount=body.amount, reference=body.reference, actor="api"
        )
    return CreditGrant(**granted)


@router.post(
    "/organizations/{org_id}/prices",
    response_model=Prices,
    openapi_extra=body_schema(PricesSet),
    responses=error_responses(400, 401, 404, 413),
)
async def admin_set_prices(
    *,
    org_id: str,
    body: Annotated[PricesSet, Depends(operator_json_body(PricesSet))],
    db: DbSessionDep,
) -> Prices:
    async with transaction(db):
        answer = await actions.set_price(
            db,
            org_id=org_id,
            agent_id=body.agent_id,
            prices=PriceOverride(
                body.credits_per_minute, body.credits_per_message, body.credits_per_analysis
            ),
            clear=body.clear,
            actor="api",
        )
    return Prices(**answer)


@router.post(
    "/organizations/{org_id}/concurrency",
    response_model=Concurrency,
    openapi_extra=body_schema(ConcurrencySet),
    responses=error_responses(400, 401, 404, 413),
)
async def admin_set_concurrency(
    *,
    org_id: str,
    body: Annotated[ConcurrencySet, Depends(operator_json_body(ConcurrencySet))],
    db: DbSessionDep,
) -> Concurrency:
    async with transaction(db):
        answer = await actions.set_concurrency(
            db, org_id=org_id, limit=body.max_concurrent_sessions, actor="api"
        )
    return Concurrency(**answer)


async def _agent_fields(request: Request, _operator: Annotated[None, Depends(operator)]) -> Any:
    try:
        fields = json.loads(await request.body() or b"{}")
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise InvalidRequestError("The request body is not valid JSON.") from None
    if not isinstance(fields, dict):
        raise InvalidRequestError("The request body must be one JSON object (an agent).")
    return fields


@router.post(
    "/organizations/{org_id}/agents",
    response_model=AgentCreated,
    openapi_extra=body_schema(AgentSpec),
    responses=error_responses(400, 401, 404, 413),
)
async def admin_create_agent(
    *,
    org_id: str,
    fields: Annotated[dict[str, Any], Depends(_agent_fields)],
    db: DbSessionDep,
) -> AgentCreated:
    """An agent for the organization, as `callwright admin create-agent` makes it: the
    agent object, and optionally its prices (`credits_per_minute`,
    `credits_per_message`: the operator's per-agent override)."""
    async with transaction(db):
        answer = await actions.create_agent(db, org_id=org_id, fields=fields, actor="api")
    return AgentCreated(**answer)


@router.get(
    "/organizations/{org_id}/tool-secret",
    response_model=OperatorToolSecret,
    responses=error_responses(*_ERRORS),
)
async def admin_get_tool_secret(*, org_id: str, db: DbSessionDep) -> OperatorToolSecret:
    """The organization's tool signing secret, created on first use."""
    async with transaction(db):
        answer = await actions.tool_secret(db, org_id=org_id, rotate=False, actor="api")
    return OperatorToolSecret(**answer)


@router.post(
    "/organizations/{org_id}/tool-secret/rotate",
    response_model=OperatorToolSecret,
    responses=error_responses(*_ERRORS),
)
async def admin_rotate_tool_secret(*, org_id: str, db: DbSessionDep) -> OperatorToolSecret:
    async with transaction(db):
        answer = await actions.tool_secret(db, org_id=org_id, rotate=True, actor="api")
    return OperatorToolSecret(**answer)


# --- the audit log ---


@router.get("/audit", response_model=AuditList, responses=error_responses(*_ERRORS))
async def admin_list_audit(
    *,
    db: DbSessionDep,
    org_id: Annotated[str | None, Query(max_length=64)] = None,
    limit: Limit = 20,
    starting_after: Annotated[int | None, Query(ge=0, le=2**63 - 1)] = None,
) -> AuditList:
    """Operator actions newest first (of the API and of `callwright admin`), optionally
    one organization's."""
    rows, has_more = await audit.entries(
        db, org_id=org_id, limit=limit, starting_after=starting_after
    )
    return AuditList(data=[AuditEntryPublic.of(r) for r in rows], has_more=has_more)

"""/v1/webhook-endpoints: the organization's outbound webhooks, their log, redelivery."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from callwright_issuer.http.deps import (
    CurrentKey,
    DbSessionDep,
    SettingsDep,
    body_schema,
    json_body,
)
from callwright_issuer.http.parameters import checked_parameters
from callwright_issuer.outbound_webhooks.dispatcher import WebhookDispatcher, redeliver
from callwright_issuer.outbound_webhooks.endpoints import (
    DeletedWebhookEndpoint,
    DeliveryList,
    DeliveryPublic,
    WebhookEndpointCreate,
    WebhookEndpointList,
    WebhookEndpointPublic,
    WebhookEndpointUpdate,
    WebhookEndpointWithSecret,
    check_test_rate,
    create_endpoint,
    delete_endpoint,
    delivery_view,
    get_delivery,
    get_endpoint,
    list_deliveries,
    list_endpoints,
    rotate_secret,
    update_endpoint,
)
from callwright_issuer.schemas import error_responses
from callwright_shared.db.models import (
    DeliveryStatus,
    WebhookDelivery,
    WebhookMessage,
    utcnow,
)
from callwright_shared.errors import WebhookEndpointDisabledError
from callwright_shared.ids import new_webhook_delivery_id, new_webhook_message_id
from callwright_shared.sessions.outbox import TEST_EVENT, envelope

router = APIRouter(
    prefix="/v1/webhook-endpoints",
    tags=["webhooks"],
    dependencies=[Depends(checked_parameters)],
)


async def get_dispatcher(request: Request) -> WebhookDispatcher:
    dispatcher: WebhookDispatcher = request.app.state.webhook_dispatcher
    return dispatcher


DispatcherDep = Annotated[WebhookDispatcher, Depends(get_dispatcher)]


def _with_secret(row_public: WebhookEndpointPublic, secret: str) -> WebhookEndpointWithSecret:
    return WebhookEndpointWithSecret(**row_public.model_dump(), secret=secret)


@router.post(
    "",
    response_model=WebhookEndpointWithSecret,
    openapi_extra=body_schema(WebhookEndpointCreate),
    responses=error_responses(400, 401, 404, 409, 413),
)
async def create_webhook_endpoint(
    *,
    key: CurrentKey,
    body: Annotated[WebhookEndpointCreate, Depends(json_body(WebhookEndpointCreate))],
    db: DbSessionDep,
    settings: SettingsDep,
) -> WebhookEndpointWithSecret:
    row = await create_endpoint(db, org_id=key.org_id, body=body, settings=settings)
    await db.commit()
    return _with_secret(WebhookEndpointPublic.of(row), row.secret)


@router.get("", response_model=WebhookEndpointList, responses=error_responses(400, 401, 404))
async def list_webhook_endpoints(
    *,
    key: CurrentKey,
    db: DbSessionDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    starting_after: Annotated[str | None, Query(max_length=64)] = None,
) -> WebhookEndpointList:
    rows, has_more = await list_endpoints(
        db, org_id=key.org_id, limit=limit, starting_after=starting_after
    )
    return WebhookEndpointList(data=[WebhookEndpointPublic.of(r) for r in rows], has_more=has_more)


@router.get(
    "/{endpoint_id}", response_model=WebhookEndpointPublic, responses=error_responses(400, 401, 404)
)
async def get_webhook_endpoint(
    *, endpoint_id: str, key: CurrentKey, db: DbSessionDep
) -> WebhookEndpointPublic:
    return WebhookEndpointPublic.of(
        await get_endpoint(db, org_id=key.org_id, endpoint_id=endpoint_id)
    )


@router.patch(
    "/{endpoint_id}",
    response_model=WebhookEndpointPublic,
    openapi_extra=body_schema(WebhookEndpointUpdate),
    responses=error_responses(400, 401, 404, 413),
)
async def update_webhook_endpoint(
    *,
    endpoint_id: str,
    key: CurrentKey,
    body: Annotated[WebhookEndpointUpdate, Depends(json_body(WebhookEndpointUpdate))],
    db: DbSessionDep,
    settings: SettingsDep,
) -> WebhookEndpointPublic:
    row = await get_endpoint(db, org_id=key.org_id, endpoint_id=endpoint_id)
    await update_endpoint(db, row, body, settings)
    await db.commit()
    return WebhookEndpointPublic.of(row)


@router.delete(
    "/{endpoint_id}",
    response_model=DeletedWebhookEndpoint,
    responses=error_responses(400, 401, 404),
)
async def delete_webhook_endpoint(
    *, endpoint_id: str, key: CurrentKey, db: DbSessionDep
) -> DeletedWebhookEndpoint:
    row = await get_endpoint(db, org_id=key.org_id, endpoint_id=endpoint_id)
    await delete_endpoint(db, row)
    await db.commit()
    return DeletedWebhookEndpoint(id=endpoint_id)


@router.post(
    "/{endpoint_id}/rotate-secret",
    response_model=WebhookEndpointWithSecret,
    responses=error_responses(400, 401, 404),
)
async def rotate_webhook_secret(
    *, endpoint_id: str, key: CurrentKey, db: DbSessionDep, settings: SettingsDep
) -> WebhookEndpointWithSecret:
    """A new secret, shown once; the previous one also signs until
    `previous_secret_expires_at` (CALLWRIGHT_WEBHOOK_SECRET_OVERLAP_SECONDS)."""
    row = await get_endpoint(db, org_id=key.org_id, endpoint_id=endpoint_id)
    secret = await rotate_secret(db, row, settings)
    await db.commit()
    return _with_secret(WebhookEndpointPublic.of(row), secret)


@router.post(
    "/{endpoint_id}/test",
    response_model=DeliveryPublic,
    responses=error_responses(400, 401, 404, 409, 429),
)
async def send_test_event(
    *,
    endpoint_id: str,
    key: CurrentKey,
    db: DbSessionDep,
    dispatcher: DispatcherDep,
    settings: SettingsDep,
) -> DeliveryPublic:
    """Send a `webhook.test` event now; answers the delivery with its first attempt (a
    failed one is retried on the schedule like any other). At most
    CALLWRIGHT_WEBHOOK_TEST_EVENTS_PER_MINUTE per organization (429 beyond)."""
    row = await get_endpoint(db, org_id=key.org_id, endpoint_id=endpoint_id)
    if not row.enabled:
        raise WebhookEndpointDisabledError("The webhook endpoint is disabled; enable it first.")
    await check_test_rate(db, org_id=key.org_id, settings=settings)
    now = utcnow()
    # Written already claimed by this request, so its answer holds the first attempt:
    # written due, a dispatcher pass could take it before this request did.
    lease = dispatcher.lease()
    message = WebhookMessage(
        id=new_webhook_message_id(),
        org_id=key.org_id,
        type=TEST_EVENT,
        session_id=None,
        payload=envelope(TEST_EVENT, now, {"endpoint_id": row.id}),
        created_at=now,
    )
    delivery = WebhookDelivery(
        id=new_webhook_delivery_id(),
        org_id=key.org_id,
        message_id=message.id,
        endpoint_id=row.id,
        status=DeliveryStatus.PENDING,
        attempts=0,
        next_attempt_at=lease.until,
        lease_token=lease.token,
        created_at=now,
    )
    db.add(message)
    await db.flush()
    db.add(delivery)
    await db.commit()
    await dispatcher.deliver_leased(lease)
    await db.refresh(delivery)
    return await delivery_view(db, delivery)


@router.get(
    "/{endpoint_id}/deliveries",
    response_model=DeliveryList,
    responses=error_responses(400, 401, 404),
)
async def list_webhook_deliveries(
    *,
    endpoint_id: str,
    key: CurrentKey,
    db: DbSessionDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    starting_after: Annotated[str | None, Query(max_length=64)] = None,
    status: DeliveryStatus | None = None,
) -> DeliveryList:
    """Newest first, each with every attempt: status code, latency, response excerpt."""
    endpoint = await get_endpoint(db, org_id=key.org_id, endpoint_id=endpoint_id)
    views, has_more = await list_deliveries(
        db, endpoint, limit=limit, starting_after=starting_after, status=status
    )
    return DeliveryList(data=views, has_more=has_more)


@router.post(
    "/{endpoint_id}/deliveries/{delivery_id}/redeliver",
    response_model=DeliveryPublic,
    responses=error_responses(400, 401, 404, 409),
)
async def redeliver_webhook(
    *, endpoint_id: str, delivery_id: str, key: CurrentKey, db: DbSessionDep
) -> DeliveryPublic:
    """Send the same message (same `webhook-id`) again, with a fresh retry schedule."""
    endpoint = await get_endpoint(db, org_id=key.org_id, endpoint_id=endpoint_id)
    if not endpoint.enabled:
        raise WebhookEndpointDisabledError("The webhook endpoint is disabled; enable it first.")
    delivery = await get_delivery(db, endpoint, delivery_id)
    await redeliver(db, delivery)
    await db.commit()
    await db.refresh(delivery)
    return await delivery_view(db, delivery)

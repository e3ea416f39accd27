"""/v1/livekit/webhook: LiveKit's signed webhooks (no API key; the signature is the auth)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request

from callwright_issuer.http.deps import DbSessionDep, SettingsDep
from callwright_issuer.livekit import webhooks as livekit_webhooks
from callwright_issuer.livekit.probes import answer_webhook_probe
from callwright_issuer.schemas import WebhookAck, error_responses
from callwright_shared.db.engine import org_write

router = APIRouter(prefix="/v1/livekit", tags=["livekit"])

_WEBHOOK_BODY = {
    "requestBody": {
        "required": True,
        "description": "A LiveKit WebhookEvent, as livekit-server sends it.",
        "content": {
            "application/webhook+json": {"schema": {"type": "object"}},
            "application/json": {"schema": {"type": "object"}},
        },
    }
}


@router.post(
    "/webhook",
    response_model=WebhookAck,
    openapi_extra=_WEBHOOK_BODY,
    responses=error_responses(401, 413, 503),
)
async def livekit_webhook(
    *,
    request: Request,
    db: DbSessionDep,
    settings: SettingsDep,
    authorization: Annotated[str | None, Header()] = None,
) -> WebhookAck:
    # Read before the signature check: BodyLimitMiddleware stops an oversized body early.
    raw = await request.body()
    event = livekit_webhooks.verify(settings, raw, authorization)
    if await answer_webhook_probe(event, settings):  # `callwright doctor`'s test room
        return WebhookAck()
    # An event may settle a session: a write that locks its organization.
    async with org_write(db):
        return await livekit_webhooks.handle(db, event, settings=settings)

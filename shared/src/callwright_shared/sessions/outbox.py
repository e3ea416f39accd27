"""The outbox of lifecycle webhooks: an event is written in the transaction of the state
change it reports, so it is sent if and only if that change committed.

Writers: `sessions.mark_active` and `sessions.settle` (any process: the worker, End
Session, LiveKit's webhooks, the reconciler) and the issuer's session creation. Reader:
the issuer's webhook dispatcher (callwright_issuer.outbound_webhooks.dispatcher), which signs and
sends each delivery.

A message is the exact body sent, in the Standard Webhooks shape:
`{"type": "session.ended", "timestamp": <ISO 8601>, "data": {"session": <GET /v1/sessions/{id}>}}`;
one delivery row per endpoint of the organization that wants the event (its `events`
list, its agent filter). No endpoint, no message.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from callwright_shared.db.models import (
    DeliveryStatus,
    Session,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookMessage,
    utcnow,
)
from callwright_shared.ids import new_webhook_delivery_id, new_webhook_message_id
from callwright_shared.sessions.public import SessionPublic

SessionEvent = Literal[
    "session.created",
    "session.started",
    "session.ended",
    "session.recording_ready",
    "session.analyzed",
]
SESSION_EVENTS: tuple[SessionEvent, ...] = (
    "session.created",
    "session.started",
    "session.ended",
    "session.recording_ready",
    "session.analyzed",
)
TEST_EVENT = "webhook.test"


def envelope(event_type: str, occurred_at: datetime, data: dict[str, Any]) -> str:
    """The body sent, serialized once: retries and redeliveries send these same bytes."""
    body = {"type": event_type, "timestamp": occurred_at.isoformat(), "data": data}
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False)


async def emit(db: AsyncSession, event_type: SessionEvent, session_id: str) -> None:
    """Queue `event_type` for the session as it now stands in this transaction."""
    endpoints = (
        await db.execute(
            select(WebhookEndpoint.id, WebhookEndpoint.events, WebhookEndpoint.agent_id)
            .join(Session, Session.org_id == WebhookEndpoint.org_id)
            .where(
                Session.id == session_id,
                WebhookEndpoint.enabled.is_(True),
                WebhookEndpoint.deleted_at.is_(None),
            )
        )
    ).all()
    if not endpoints:
        return
    # populate_existing: the caller's session may hold this row from before its UPDATEs.
    row = (
        await db.execute(
            select(Session)
            .where(Session.id == session_id)
            .execution_options(populate_existing=True)
        )
    ).scalar_one()
    wanted = [
        e.id for e in endpoints if event_type in e.events and e.agent_id in (None, row.agent_id)
    ]
    if not wanted:
        return
    now = utcnow()
    message_id = new_webhook_message_id()
    session = SessionPublic.of(row).model_dump(mode="json")
    await db.execute(
        insert(WebhookMessage).values(
            id=message_id,
            org_id=row.org_id,
            type=event_type,
            session_id=session_id,
            payload=envelope(event_type, now, {"session": session}),
            created_at=now,
        )
    )
    await db.execute(
        insert(WebhookDelivery),
        [
            {
                "id": new_webhook_delivery_id(),
                "org_id": row.org_id,
                "message_id": message_id,
                "endpoint_id": endpoint_id,
                "status": DeliveryStatus.PENDING,
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
            }
            for endpoint_id in wanted
        ],
    )

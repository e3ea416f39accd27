"""LiveKit's webhooks (`POST /v1/livekit/webhook`): close the sessions the worker did not.

Writer: livekit-server (`webhook: {api_key, urls}` in its config), which signs every
delivery with a JWT in the `Authorization` header carrying the sha256 of the body.
Reader: this module, which verifies it with livekit-api's
`WebhookReceiver(TokenVerifier(key, secret))` — a missing or bad signature is 401
`invalid_signature` and changes nothing — and records the event's id
(callwright_shared.calls.livekit_events) in the same transaction as its effects, so a
redelivered event changes nothing.

- `room_finished`: the session of that room, if still open, is settled with the agent
  time recorded so far — `user_not_joined` (nothing captured) when it never became
  active, else `user_left`.
- `participant_left` of the session's user: settled `user_left` likewise.

A session held by a live worker (`heartbeats.worker_is_alive`: claimed, and its heartbeat
— else its claim or start — within CALLWRIGHT_WORKER_HEARTBEAT_GRACE_SECONDS) is left to
that worker: it is ending the call itself and knows the exact agent time, transcript and
usage. A call shorter than the first heartbeat interval is such a call: its claim counts
as its first heartbeat. If the worker does not settle, the reconciler does once the
heartbeat is stale. Whichever settles first wins; `sessions.settle` is exactly-once.
"""

from __future__ import annotations

import logging

from livekit import api
from sqlalchemy.ext.asyncio import AsyncSession

from callwright_issuer.schemas import WebhookAck
from callwright_shared.calls import livekit_events
from callwright_shared.calls.heartbeats import worker_is_alive
from callwright_shared.db.models import EndReason, SessionKind, SessionStatus, utcnow
from callwright_shared.errors import WebhookSignatureError
from callwright_shared.sessions import lifecycle as sessions
from callwright_shared.settings import IssuerSettings

logger = logging.getLogger(__name__)

HANDLED_EVENTS = ("room_finished", "participant_left")


def verify(settings: IssuerSettings, body: bytes, authorization: str | None) -> api.WebhookEvent:
    """The event, if LiveKit signed exactly this body with our API key; else 401."""
    token = (authorization or "").strip()
    if token.lower().startswith("bearer "):
        token = token[len("bearer ") :].strip()
    if not token:
        raise WebhookSignatureError("Missing webhook signature (Authorization header).")
    receiver = api.WebhookReceiver(
        api.TokenVerifier(settings.livekit_api_key, settings.livekit_api_secret.get_secret_value())
    )
    try:
        event: api.WebhookEvent = receiver.receive(body.decode("utf-8"), token)
    except Exception as exc:  # jwt, hash mismatch, decoding, protobuf parsing: all 401
        logger.warning("webhook signature rejected", extra={"error": type(exc).__name__})
        raise WebhookSignatureError("Invalid webhook signature.") from None
    return event


async def handle(
    db: AsyncSession, event: api.WebhookEvent, *, settings: IssuerSettings
) -> WebhookAck:
    """Apply one verified event, at most once per event id. The caller commits."""
    room_name = event.room.name or None
    if event.id and not await livekit_events.claim(
        db, event_id=event.id, event=event.event, room_name=room_name
    ):
        logger.info("webhook event already handled", extra={"event": event.event})
        return WebhookAck(duplicate=True)
    if event.event not in HANDLED_EVENTS or room_name is None:
        return WebhookAck()
    row = await sessions.get_session_by_room(db, room_name)
    if row is None or row.kind is not SessionKind.VOICE or row.settled_at is not None:
        return WebhookAck()
    if event.event == "participant_left" and event.participant.identity != row.user_id:
        return WebhookAck()
    now = utcnow()
    if worker_is_alive(row, now=now, grace_seconds=settings.worker_heartbeat_grace_seconds):
        logger.info(
            "webhook left the session to its worker",
            extra={"session_id": row.id, "event": event.event},
        )
        return WebhookAck()
    reason = EndReason.USER_LEFT
    if event.event == "room_finished" and row.status is SessionStatus.CREATED:
        reason = EndReason.USER_NOT_JOINED
    settlement = await sessions.settle(db, row.id, end_reason=reason, expected_status=row.status)
    if settlement.applied:
        logger.info(
            "session settled from a webhook",
            extra={
                "session_id": row.id,
                "event": event.event,
                "end_reason": reason.value,
                "credits_charged": settlement.credits_charged,
            },
        )
    return WebhookAck()

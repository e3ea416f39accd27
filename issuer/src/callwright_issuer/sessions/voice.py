"""Create Voice Session: six steps, in order, leaving nothing behind.

1. key validated (the `CurrentKey` dependency)   → 401
2. body validated (the `json_body` dependency)   → 400
3. agent in the key's organization, voice architecture, its configuration and price
   (`admission.plan_session`) → 404 / 400
4. under the organization's lock (`admission.admitted`): an `Idempotency-Key` already
   seen is replayed (409 if its request differs), the concurrency limit checked (429),
   credits held atomically, the session and the key recorded, all in one transaction
   (`_admit`) → 402 / 503
5. room created with the agent dispatched in the same CreateRoom call (`_create_room`)
   → 503, session marked `failed`, its hold released and its idempotency key forgotten
   (a retry may reuse it)
6. participant token minted (`_answer`)

A replay answers the first request's room and session with a freshly minted token for
the same user and room: tokens are never stored.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from callwright_issuer.livekit.rooms import Rooms
from callwright_issuer.livekit.tokens import mint_participant_token
from callwright_issuer.schemas import VoiceSessionCreate, VoiceSessionCreated
from callwright_issuer.sessions.admission import (
    Created,
    IdempotentRequest,
    Plan,
    Replayed,
    admitted,
    plan_session,
    remember,
)
from callwright_shared.billing import credits
from callwright_shared.calls.dispatch import DispatchMetadata
from callwright_shared.calls.room_names import format_room_name
from callwright_shared.db.engine import org_write
from callwright_shared.db.models import Agent, EndReason, SessionKind, SessionStatus
from callwright_shared.errors import (
    InvalidRequestError,
    LiveKitUnavailableError,
    SessionEndedError,
    SessionNotFoundError,
)
from callwright_shared.sessions import idempotency
from callwright_shared.sessions import lifecycle as sessions
from callwright_shared.settings import IssuerSettings
from callwright_shared.tenants.api_keys import ApiKeyContext

logger = logging.getLogger(__name__)

ENDPOINT = "POST /v1/sessions/voice"


class _RoomClock:
    """Milliseconds for room names that never repeat within this process: a room name
    can then only collide with another issuer's, in the same millisecond."""

    def __init__(self) -> None:
        self._last = 0

    def next(self) -> int:
        self._last = max(time.time_ns() // 1_000_000, self._last + 1)
        return self._last


_room_clock = _RoomClock()


async def create_voice_session(
    db: AsyncSession,
    *,
    key: ApiKeyContext,
    body: VoiceSessionCreate,
    rooms: Rooms,
    settings: IssuerSettings,
    idempotency_key: str | None = None,
) -> Created[VoiceSessionCreated]:
    request = IdempotentRequest.of(
        idempotency_key, endpoint=ENDPOINT, user_id=key.user_id, body=body
    )
    try:
        plan = await plan_session(
            db, key=key, kind=SessionKind.VOICE, body=body, request=request, settings=settings
        )
        room_name = await _admit(db, plan, key=key, body=body, request=request, settings=settings)
    except Replayed as replayed:
        return _replay(replayed.response, key=key, settings=settings)
    await _create_room(
        db, rooms, plan, key=key, room_name=room_name, request=request, settings=settings
    )
    return await _answer(db, plan, key=key, room_name=room_name, request=request, settings=settings)


async def _admit(
    db: AsyncSession,
    plan: Plan,
    *,
    key: ApiKeyContext,
    body: VoiceSessionCreate,
    request: IdempotentRequest | None,
    settings: IssuerSettings,
) -> str:
    """Step 4, one transaction; returns the session's room name. Room names are unique in
    the database: one taken by another issuer in the same millisecond is retried once."""
    room_name = format_room_name(plan.agent_id, key.user_id, _room_clock.next())
    try:
        await _record(
            db, plan, key=key, body=body, request=request, room_name=room_name, settings=settings
        )
    except IntegrityError:
        if await sessions.get_session_by_room(db, room_name) is None:
            raise
        room_name = format_room_name(plan.agent_id, key.user_id, _room_clock.next())
        await _record(
            db, plan, key=key, body=body, request=request, room_name=room_name, settings=settings
        )
    return room_name


async def _record(
    db: AsyncSession,
    plan: Plan,
    *,
    key: ApiKeyContext,
    body: VoiceSessionCreate,
    request: IdempotentRequest | None,
    room_name: str,
    settings: IssuerSettings,
) -> None:
    max_duration_seconds = plan.resolved.config.max_duration_seconds
    # The fast path: the lock statement itself holds the whole call's credits when they
    # are there; otherwise a smaller hold is planned under the lock.
    prereserve = credits.voice_prereservation(
        credits_per_minute=plan.price.credits_per_minute, max_duration_seconds=max_duration_seconds
    )
    async with admitted(
        db,
        org_id=key.org_id,
        request=request,
        default_limit=settings.default_max_concurrent_sessions,
        prereserve=prereserve,
    ) as org_lock:
        hold = credits.plan_voice_hold(
            available=org_lock.available_to_hold,
            credits_per_minute=plan.price.credits_per_minute,
            max_duration_seconds=max_duration_seconds,
        )
        await sessions.record_created(
            db,
            sessions.new_voice_session(
                session_id=plan.session_id,
                org_id=key.org_id,
                user_id=key.user_id,
                agent_id=plan.agent_id,
                room_name=room_name,
                hold=hold,
                credits_per_minute=plan.price.credits_per_minute,
                metadata=body.metadata,
                config=plan.resolved.snapshot(),
            ),
        )
        await credits.hold(db, org_lock, session_id=plan.session_id, amount=hold.amount)
        await remember(db, request, org_id=key.org_id, session_id=plan.session_id)


async def _create_room(
    db: AsyncSession,
    rooms: Rooms,
    plan: Plan,
    *,
    key: ApiKeyContext,
    room_name: str,
    request: IdempotentRequest | None,
    settings: IssuerSettings,
) -> None:
    """Step 5: the room, with the agent dispatched; or the session failed and released."""
    metadata = DispatchMetadata(
        session_id=plan.session_id, agent_id=plan.agent_id, user_id=key.user_id, org_id=key.org_id
    )
    try:
        await rooms.create_room_with_agent(
            room_name=room_name,
            agent_name=settings.livekit_agent_name,
            dispatch_metadata=metadata.to_json(),
        )
    except LiveKitUnavailableError:
        async with org_write(db):
            await sessions.settle(
                db,
                plan.session_id,
                status=SessionStatus.FAILED,
                end_reason=EndReason.LIVEKIT_UNAVAILABLE,
            )
            if request is not None:
                await idempotency.forget(db, org_id=key.org_id, key=request.key)
        raise


async def _answer(
    db: AsyncSession,
    plan: Plan,
    *,
    key: ApiKeyContext,
    room_name: str,
    request: IdempotentRequest | None,
    settings: IssuerSettings,
) -> Created[VoiceSessionCreated]:
    """Step 6: the token, and the answer stored (without it) for a replay."""
    token = mint_participant_token(settings, room_name=room_name, identity=key.user_id)
    logger.info(
        "voice session created",
        extra={"session_id": plan.session_id, "agent_id": plan.agent_id, "org_id": key.org_id},
    )
    response = VoiceSessionCreated(
        room_name=room_name,
        token=token.jwt,
        livekit_url=settings.client_livekit_url,
        agent_name=plan.agent_name,
        session_id=plan.session_id,
        expires_at=token.expires_at,
        variables=plan.resolved.shown_variables(),
        applied_overrides=plan.resolved.overrides,
    )
    if request is not None:
        async with db.begin():
            await idempotency.complete(
                db,
                org_id=key.org_id,
                key=request.key,
                response=response.model_dump(mode="json", exclude={"token", "expires_at"}),
            )
    return Created(response)


async def rejoin_token(
    db: AsyncSession, *, key: ApiKeyContext, session_id: str, settings: IssuerSettings
) -> VoiceSessionCreated:
    """`POST /v1/sessions/{id}/token`: the Create Voice Session answer again, with a fresh
    token, for a voice session that is still open."""
    row = await sessions.get_session(db, org_id=key.org_id, session_id=session_id)
    if row.user_id != key.user_id:
        # The token joins as the session's user, and a second join of one identity
        # disconnects the first: only that user's keys may ask for it. 404, as for an id
        # that does not exist (docs/security.md#rejoin-tokens-for-the-sessions-user).
        logger.info(
            "rejoin token refused: another user's session",
            extra={"session_id": row.id, "org_id": key.org_id, "key_id": key.key_id},
        )
        raise SessionNotFoundError(f"No session with id '{session_id[:60]}'.")
    if row.kind is not SessionKind.VOICE or row.room_name is None:
        raise InvalidRequestError("Chat sessions have no room to join.")
    if row.settled_at is not None or row.status not in sessions.OPEN_STATUSES:
        raise SessionEndedError("The session has ended; create a new one.")
    agent = await db.get(Agent, row.agent_id)
    token = mint_participant_token(settings, room_name=row.room_name, identity=row.user_id)
    logger.info(
        "rejoin token issued",
        extra={"session_id": row.id, "org_id": key.org_id, "key_id": key.key_id},
    )
    return VoiceSessionCreated(
        room_name=row.room_name,
        token=token.jwt,
        livekit_url=settings.client_livekit_url,
        agent_name=agent.name if agent is not None else "",
        session_id=row.id,
        expires_at=token.expires_at,
    )


def _replay(
    stored: dict[str, Any], *, key: ApiKeyContext, settings: IssuerSettings
) -> Created[VoiceSessionCreated]:
    """The first request's answer again, with a fresh token for the same user and room."""
    token = mint_participant_token(settings, room_name=stored["room_name"], identity=key.user_id)
    response = VoiceSessionCreated.model_validate(
        {**stored, "token": token.jwt, "expires_at": token.expires_at}
    )
    return Created(response, replayed=True)

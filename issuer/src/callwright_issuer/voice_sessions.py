"""Create Voice Session: the six steps of SPEC §4, in order, leaving nothing behind.

1. key validated (the `CurrentKey` dependency)   → 401
2. body validated (the `json_body` dependency)   → 400
3. agent in the key's organization, voice architecture → 404 / 400
4. under the organization's lock (`admission.admit`): an `Idempotency-Key` already seen
   is replayed (409 if its request differs), the concurrency limit checked (429), credits
   held atomically, the session and the key recorded, all in one transaction → 402 / 503
5. room created with the agent dispatched in the same CreateRoom call → 503, session
   marked `failed`, its hold released and its idempotency key forgotten (a retry may
   reuse it)
6. participant token minted

A replay answers the first request's room and session with a freshly minted token for
the same user and room: tokens are never stored.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from callwright_issuer.admission import (
    IdempotentRequest,
    admit,
    agent_for,
    recorded_response,
    resolve_config,
)
from callwright_issuer.livekit_rooms import Rooms
from callwright_issuer.livekit_tokens import mint_participant_token
from callwright_issuer.schemas import VoiceSessionCreate, VoiceSessionCreated
from callwright_shared import agents, credits, idempotency, pricing, sessions
from callwright_shared.api_keys import ApiKeyContext
from callwright_shared.db.engine import serialized_writes
from callwright_shared.db.models import Agent, Architecture, EndReason, SessionKind, SessionStatus
from callwright_shared.dispatch import DispatchMetadata
from callwright_shared.errors import (
    InvalidRequestError,
    LiveKitUnavailableError,
    SessionEndedError,
)
from callwright_shared.ids import new_session_id
from callwright_shared.room_names import format_room_name
from callwright_shared.settings import CallwrightSettings

logger = logging.getLogger(__name__)

VOICE_ARCHITECTURES = (Architecture.PIPELINE, Architecture.REALTIME)
ENDPOINT = "POST /v1/sessions/voice"
_ROOM_NAME_ATTEMPTS = 20


@dataclass(frozen=True, slots=True)
class VoiceCreation:
    response: VoiceSessionCreated
    replayed: bool = False


async def create_voice_session(
    db: AsyncSession,
    *,
    key: ApiKeyContext,
    body: VoiceSessionCreate,
    rooms: Rooms,
    settings: CallwrightSettings,
    idempotency_key: str | None = None,
) -> VoiceCreation:
    request = IdempotentRequest.of(
        idempotency_key, endpoint=ENDPOINT, user_id=key.user_id, body=body
    )
    replay = await recorded_response(db, org_id=key.org_id, request=request)
    if replay is not None:
        return _replay(replay, key=key, settings=settings)

    agent = await agent_for(
        db,
        org_id=key.org_id,
        agent_id=body.agent_id,
        architectures=VOICE_ARCHITECTURES,
        needs="voice sessions need a pipeline or realtime agent (text agents use chat sessions)",
    )
    session_id = new_session_id()
    resolved = resolve_config(
        agent,
        session_id=session_id,
        user_id=key.user_id,
        channel=SessionKind.VOICE,
        variables=body.variables,
        overrides=body.overrides,
        settings=settings,
    )
    # Plain values: a rollback below would expire the ORM object.
    config = resolved.config
    price = await pricing.price_of(db, agent, settings)
    agent_id, agent_name = agent.id, agent.name

    room_name, replay = await _hold_and_record(
        db,
        key=key,
        agent_id=agent_id,
        session_id=session_id,
        config=config,
        snapshot=resolved.snapshot(),
        credits_per_minute=price.credits_per_minute,
        body=body,
        request=request,
        default_limit=settings.default_max_concurrent_sessions,
    )
    if replay is not None:
        return _replay(replay, key=key, settings=settings)

    metadata = DispatchMetadata(
        session_id=session_id, agent_id=agent_id, user_id=key.user_id, org_id=key.org_id
    )
    try:
        await rooms.create_room_with_agent(
            room_name=room_name,
            agent_name=settings.livekit_agent_name,
            dispatch_metadata=metadata.to_json(),
        )
    except LiveKitUnavailableError:
        await sessions.settle(
            db,
            session_id,
            status=SessionStatus.FAILED,
            end_reason=EndReason.LIVEKIT_UNAVAILABLE,
        )
        if request is not None:
            await idempotency.forget(db, org_id=key.org_id, key=request.key)
        await db.commit()
        raise

    token = mint_participant_token(settings, room_name=room_name, identity=key.user_id)
    logger.info(
        "voice session created",
        extra={"session_id": session_id, "agent_id": agent_id, "org_id": key.org_id},
    )
    response = VoiceSessionCreated(
        room_name=room_name,
        token=token.jwt,
        livekit_url=settings.client_livekit_url,
        agent_name=agent_name,
        session_id=session_id,
        expires_at=token.expires_at,
        variables=resolved.shown_variables(),
        applied_overrides=resolved.overrides,
    )
    if request is not None:
        await idempotency.complete(
            db,
            org_id=key.org_id,
            key=request.key,
            response=response.model_dump(mode="json", exclude={"token", "expires_at"}),
        )
        await db.commit()
    return VoiceCreation(response=response)


async def rejoin_token(
    db: AsyncSession, *, key: ApiKeyContext, session_id: str, settings: CallwrightSettings
) -> VoiceSessionCreated:
    """`POST /v1/sessions/{id}/token`: the Create Voice Session answer again, with a fresh
    token, for a voice session that is still open."""
    row = await sessions.get_session(db, org_id=key.org_id, session_id=session_id)
    if row.kind is not SessionKind.VOICE or row.room_name is None:
        raise InvalidRequestError("Chat sessions have no room to join.")
    if row.settled_at is not None or row.status not in sessions.OPEN_STATUSES:
        raise SessionEndedError("The session has ended; create a new one.")
    agent = await db.get(Agent, row.agent_id)
    token = mint_participant_token(settings, room_name=row.room_name, identity=row.user_id)
    logger.info("rejoin token issued", extra={"session_id": row.id, "org_id": key.org_id})
    return VoiceSessionCreated(
        room_name=row.room_name,
        token=token.jwt,
        livekit_url=settings.client_livekit_url,
        agent_name=agent.name if agent is not None else "",
        session_id=row.id,
        expires_at=token.expires_at,
    )


def _replay(
    stored: dict[str, Any], *, key: ApiKeyContext, settings: CallwrightSettings
) -> VoiceCreation:
    """The first request's answer again, with a fresh token for the same user and room."""
    token = mint_participant_token(settings, room_name=stored["room_name"], identity=key.user_id)
    response = VoiceSessionCreated.model_validate(
        {**stored, "token": token.jwt, "expires_at": token.expires_at}
    )
    return VoiceCreation(response=response, replayed=True)


async def _hold_and_record(
    db: AsyncSession,
    *,
    key: ApiKeyContext,
    agent_id: str,
    session_id: str,
    config: agents.AgentConfig,
    snapshot: dict[str, Any],
    credits_per_minute: int,
    body: VoiceSessionCreate,
    request: IdempotentRequest | None,
    default_limit: int,
) -> tuple[str, dict[str, Any] | None]:
    """Step 4 in one transaction: lock the org, admit, hold credits, record the session.

    Returns the room name, or the stored response when the idempotency key turned out
    to be recorded already. The room name is unique in the database; the same
    millisecond moves to the next one.
    """
    # Fast path: the lock statement itself holds the full call's credits when they are
    # there; otherwise a smaller hold is planned under the lock.
    prereserve = credits.voice_prereservation(
        credits_per_minute=credits_per_minute,
        max_duration_seconds=config.max_duration_seconds,
    )
    timestamp = time.time_ns() // 1_000_000
    async with serialized_writes(db):
        for _ in range(_ROOM_NAME_ATTEMPTS):
            room_name = format_room_name(agent_id, key.user_id, timestamp)
            try:
                admission = await admit(
                    db,
                    org_id=key.org_id,
                    request=request,
                    default_limit=default_limit,
                    prereserve=prereserve,
                )
                if admission.replay is not None:
                    await db.rollback()
                    return room_name, admission.replay
                hold = credits.plan_voice_hold(
                    available=admission.lock.available_to_hold,
                    credits_per_minute=credits_per_minute,
                    max_duration_seconds=config.max_duration_seconds,
                )
                await sessions.record_created(
                    db,
                    sessions.new_voice_session(
                        session_id=session_id,
                        org_id=key.org_id,
                        user_id=key.user_id,
                        agent_id=agent_id,
                        room_name=room_name,
                        hold=hold,
                        credits_per_minute=credits_per_minute,
                        metadata=body.metadata,
                        config=snapshot,
                    ),
                )
                await credits.hold(db, admission.lock, session_id=session_id, amount=hold.amount)
                if request is not None:
                    await idempotency.record(
                        db,
                        org_id=key.org_id,
                        key=request.key,
                        request_hash=request.request_hash,
                        session_id=session_id,
                    )
                await db.commit()
                return room_name, None
            except IntegrityError:
                await db.rollback()
                if await sessions.get_session_by_room(db, room_name) is None:
                    raise
                timestamp += 1
            except BaseException:
                await db.rollback()
                raise
        raise LiveKitUnavailableError("Could not allocate a unique room name; try again.")

"""Participant tokens: one user, one room, publish/subscribe/data, a bounded lifetime."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
from livekit import api

from callwright_shared.settings import IssuerSettings


@dataclass(frozen=True, slots=True)
class ParticipantToken:
    jwt: str
    expires_at: datetime


def mint_participant_token(
    settings: IssuerSettings, *, room_name: str, identity: str
) -> ParticipantToken:
    # No room_config in the token: agents listed there are ignored once the room exists
    # (livekit/livekit#4390); the issuer dispatches through CreateRoom instead.
    token = (
        api.AccessToken(settings.livekit_api_key, settings.livekit_api_secret.get_secret_value())
        .with_identity(identity)
        .with_kind("standard")
        .with_ttl(timedelta(seconds=settings.token_ttl_seconds))
        .with_grants(
            api.VideoGrants(
                room_join=True,
                room=room_name,
                can_publish=True,
                can_subscribe=True,
                can_publish_data=True,
                can_publish_sources=["microphone"],
            )
        )
        .to_jwt()
    )
    exp = jwt.decode(token, options={"verify_signature": False})["exp"]
    return ParticipantToken(jwt=token, expires_at=datetime.fromtimestamp(exp, UTC))

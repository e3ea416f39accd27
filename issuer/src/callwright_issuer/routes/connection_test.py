"""/v1/connection-test: a room and a short-lived token for the page's "Test connection"
(livekit-client's `ConnectionCheck`): no session, no agent, nothing charged."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel

from callwright_issuer.http.deps import SettingsDep
from callwright_issuer.http.rate_limits import ConnectionTestAllowed
from callwright_issuer.livekit.probes import open_connection_test
from callwright_issuer.schemas import error_responses

router = APIRouter(prefix="/v1", tags=["connection-test"])


class ConnectionTestPublic(BaseModel):
    object: str = "connection_test"
    livekit_url: str
    token: str
    room_name: str
    expires_at: datetime


@router.post(
    "/connection-test",
    response_model=ConnectionTestPublic,
    responses=error_responses(401, 429, 503),
)
async def create_connection_test(
    *, _allowed: ConnectionTestAllowed, settings: SettingsDep
) -> ConnectionTestPublic:
    """A room with no agent and a participant token valid for two minutes, for
    livekit-client's `ConnectionCheck` (signal, WebRTC, TURN, publishing audio). No session
    is created and nothing is charged; LiveKit closes the room soon after the check leaves
    it. Rate-limited per API key: 429 `rate_limited` with Retry-After."""
    test = await open_connection_test(settings)
    return ConnectionTestPublic(
        livekit_url=test.livekit_url,
        token=test.token,
        room_name=test.room_name,
        expires_at=test.expires_at,
    )

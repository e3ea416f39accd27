"""/v1/connection-test: a room and a short-lived token for the page's "Test connection"
(livekit-client's `ConnectionCheck`): no session, no agent, nothing charged."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from pydantic import BaseModel

from callwright_issuer.http.deps import CurrentKey, SettingsDep
from callwright_issuer.http.rate_limits import CreationRateLimiter
from callwright_issuer.livekit.probes import open_connection_test
from callwright_issuer.schemas import error_responses

# Per API key: 3 at once, then one every 20 s.
CONNECTION_TEST_BURST = 3
CONNECTION_TEST_PER_SECOND = 1 / 20


def connection_test_limiter() -> CreationRateLimiter:
    return CreationRateLimiter(burst=CONNECTION_TEST_BURST, per_second=CONNECTION_TEST_PER_SECOND)


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
    *, request: Request, key: CurrentKey, settings: SettingsDep
) -> ConnectionTestPublic:
    """A room with no agent and a participant token valid for two minutes, for
    livekit-client's `ConnectionCheck` (signal, WebRTC, TURN, publishing audio). No session
    is created and nothing is charged; LiveKit closes the room soon after the check leaves
    it. Rate-limited per API key: 429 `rate_limited` with Retry-After."""
    # One limiter per app, made on first use (the app's lifespan does not know it).
    limiter: CreationRateLimiter | None = getattr(
        request.app.state, "connection_test_limiter", None
    )
    if limiter is None:
        limiter = request.app.state.connection_test_limiter = connection_test_limiter()
    limiter.take(key.key_id)
    test = await open_connection_test(settings)
    return ConnectionTestPublic(
        livekit_url=test.livekit_url,
        token=test.token,
        room_name=test.room_name,
        expires_at=test.expires_at,
    )

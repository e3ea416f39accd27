"""The issuer's part in testing a deployment (callwright_shared.calls.probe_rooms).

- The doctor's webhook probe: on LiveKit's verified `room_started` for a webhook probe
  room, mark the room's metadata (`WEBHOOK_SEEN`). The doctor reads the room through
  LiveKit, so the answer does not depend on which issuer process got the delivery.
- The page's "Test connection": a room with no agent and a short-lived token for it,
  for livekit-client's `ConnectionCheck`. No session, no dispatch, no credits held;
  LiveKit closes the room once the check has left it (its empty and departure timeouts).
  Each API key may ask for a few at once, refilled slowly, per issuer process
  (routes/connection_test.py; docs/decisions.md#connection-test-room).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import aiohttp
import jwt
from livekit import api

from callwright_shared.calls.probe_rooms import WEBHOOK_SEEN, connection_test_room, is_webhook_probe
from callwright_shared.errors import LiveKitUnavailableError
from callwright_shared.settings import IssuerSettings

logger = logging.getLogger(__name__)

CONNECTION_TEST_IDENTITY = "connection-test"
# ConnectionCheck connects several times in a row (signal, WebRTC, TURN, publishing):
# the token must still admit it at its last connect.
CONNECTION_TEST_TOKEN_SECONDS = 120
# Never joined: gone after this; after the check leaves: gone after the other one.
CONNECTION_TEST_EMPTY_TIMEOUT = 60
CONNECTION_TEST_DEPARTURE_TIMEOUT = 10


@asynccontextmanager
async def _livekit(settings: IssuerSettings) -> AsyncIterator[api.LiveKitAPI]:
    # A client per use: probes and connection tests are rare (and rate-limited).
    client = api.LiveKitAPI(
        url=settings.livekit_http_url,
        api_key=settings.livekit_api_key,
        api_secret=settings.livekit_api_secret.get_secret_value(),
        timeout=aiohttp.ClientTimeout(total=settings.livekit_timeout_seconds),
        failover=False,
    )
    try:
        yield client
    finally:
        await client.aclose()


async def answer_webhook_probe(event: api.WebhookEvent, settings: IssuerSettings) -> bool:
    """True when the event was a doctor's webhook probe (answered here, nothing else to do)."""
    if not is_webhook_probe(event.room.name):
        return False
    if event.event == "room_started":
        request = api.UpdateRoomMetadataRequest(room=event.room.name, metadata=WEBHOOK_SEEN)
        try:
            async with _livekit(settings) as livekit:
                await livekit.room.update_room_metadata(request)
        except (api.TwirpError, aiohttp.ClientError, TimeoutError, OSError) as exc:
            # The doctor then reports that the webhook did not arrive: say why here.
            logger.warning(
                "could not answer the doctor's webhook probe", extra={"error": type(exc).__name__}
            )
    return True


@dataclass(frozen=True, slots=True)
class ConnectionTest:
    livekit_url: str
    token: str
    room_name: str
    expires_at: datetime


async def open_connection_test(settings: IssuerSettings) -> ConnectionTest:
    room = connection_test_room()
    request = api.CreateRoomRequest(
        name=room,
        empty_timeout=CONNECTION_TEST_EMPTY_TIMEOUT,
        departure_timeout=CONNECTION_TEST_DEPARTURE_TIMEOUT,
        max_participants=2,  # the check's reconnect test joins again before the old leaves
    )
    try:
        async with _livekit(settings) as livekit:
            await livekit.room.create_room(request)
    except (api.TwirpError, aiohttp.ClientError, TimeoutError, OSError) as exc:
        raise LiveKitUnavailableError(
            "LiveKit is unavailable; the connection test could not start. Try again shortly."
        ) from exc
    token = (
        api.AccessToken(settings.livekit_api_key, settings.livekit_api_secret.get_secret_value())
        .with_identity(CONNECTION_TEST_IDENTITY)
        .with_kind("standard")
        .with_ttl(timedelta(seconds=CONNECTION_TEST_TOKEN_SECONDS))
        .with_grants(
            api.VideoGrants(
                room_join=True,
                room=room,
                can_publish=True,
                can_subscribe=True,
                can_publish_data=False,
                can_publish_sources=["microphone"],
            )
        )
        .to_jwt()
    )
    exp = jwt.decode(token, options={"verify_signature": False})["exp"]
    return ConnectionTest(
        livekit_url=settings.client_livekit_url,
        token=token,
        room_name=room,
        expires_at=datetime.fromtimestamp(exp, UTC),
    )

"""The LiveKit tier's issuer: on both databases, against the session's livekit-server,
with its reconciler off so that a test decides when reconciliation runs."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from callwright_devstack.api import issuer_client
from callwright_devstack.services.livekit_server import LiveKitServer
from callwright_devstack.tenants import make_settings
from callwright_shared.settings import CallwrightSettings


@pytest.fixture
def settings(database_url: str, livekit_server: LiveKitServer) -> CallwrightSettings:
    return make_settings(database_url, livekit_server, reconcile_interval_seconds=0)


@pytest.fixture
async def client(settings: CallwrightSettings) -> AsyncIterator[httpx.AsyncClient]:
    async with issuer_client(settings) as c:
        yield c

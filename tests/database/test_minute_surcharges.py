"""The operator's surcharges on both databases: an agent using a surcharged voice shows the
surcharged minute read-only, its voice session snapshots it and is charged it when the
worker settles; a voice chosen per session pays its own surcharge; an agent's own price
is the final word (docs/decisions.md#minute-surcharges)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest

from callwright_devstack.tenants import Tenant, make_settings, seed_tenant
from callwright_issuer.app import create_app
from callwright_issuer.livekit.rooms import RoomDispatches, RoomParticipant
from callwright_shared.db.models import EndReason
from callwright_shared.settings import CallwrightSettings
from callwright_worker.call_store import CallStore

pytestmark = pytest.mark.database

PROVIDERS = """
providers:
  - name: openai
    kind: openai
    stages: [llm, tts]
    models: [gpt-4o-mini, gpt-4o-mini-tts]
    voices: [alloy, premium_voice]
    surcharges: {voices: {premium_voice: 2}}
  - name: deepgram
    kind: deepgram
    stages: [stt]
    models: [nova-3]
"""
PREMIUM = {"tts": {"provider": "openai", "voice": "premium_voice"}}
BASE = 10  # CALLWRIGHT_PRICE_PIPELINE_CREDITS_PER_MINUTE below


class NoRooms:
    """LiveKit's part of a voice session, which this test does not need: every room made."""

    async def create_room_with_agent(
        self, *, room_name: str, agent_name: str, dispatch_metadata: str
    ) -> None:
        return None

    async def delete_room(self, room_name: str) -> None:
        return None

    async def dispatch_agent(self, *, room_name: str, agent_name: str, metadata: str) -> None:
        return None

    async def dispatches(self, room_name: str) -> RoomDispatches | None:
        return None

    async def room_exists(self, room_name: str) -> bool:
        return True

    async def existing_rooms(self, room_names: Sequence[str]) -> set[str]:
        return set(room_names)

    async def participants(self, room_name: str) -> list[RoomParticipant] | None:
        return []

    async def ping(self) -> None:
        return None

    async def aclose(self) -> None:
        return None


def priced_settings(database_url: str, tmp_path: Path) -> CallwrightSettings:
    path = tmp_path / "providers.yaml"
    path.write_text(PROVIDERS)
    return make_settings(
        database_url,
        None,
        providers_file=str(path),
        price_pipeline_credits_per_minute=BASE,
        reconcile_interval_seconds=0,
        redispatch_interval_seconds=0,
        webhook_dispatch_interval_seconds=0,
        call_metrics_interval_seconds=0,
    )


@asynccontextmanager
async def issuer(settings: CallwrightSettings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, rooms=NoRooms())
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://issuer") as client:
            yield client


async def voice_session(
    client: httpx.AsyncClient, tenant: Tenant, **body: object
) -> tuple[str, str]:
    response = await client.post(
        "/v1/sessions/voice", json={"agent_id": tenant.agent_id, **body}, headers=tenant.headers
    )
    assert response.status_code == 200, response.text
    created = response.json()
    return created["session_id"], created["room_name"]


async def charged_for_a_minute(database_url: str, room_name: str) -> int:
    """What the worker charges when the call ends after 60 s."""
    store = CallStore(database_url)
    try:
        record = await store.load(room_name)
        assert record is not None
        assert await store.claim(record.session_id, "AJ_test", grace_seconds=30)
        settled = await store.settle(
            record.session_id,
            end_reason=EndReason.USER_LEFT,
            agent_seconds=60.0,
            usage=None,
            transcript=None,
            job_id="AJ_test",
        )
        assert settled.applied
        return settled.credits_charged
    finally:
        await store.aclose()


async def test_a_surcharged_voice_is_shown_snapshotted_and_charged(
    database_url: str, tmp_path: Path
) -> None:
    settings = priced_settings(database_url, tmp_path)
    tenant = await seed_tenant(database_url, agent={**PREMIUM, "overridable": ["tts.voice"]})
    async with issuer(settings) as client:
        shown = (await client.get(f"/v1/agents/{tenant.agent_id}", headers=tenant.headers)).json()
        assert shown["credits_per_minute"] == BASE + 2
        listed = (await client.get("/v1/agents", headers=tenant.headers)).json()["data"]
        assert [a["credits_per_minute"] for a in listed] == [BASE + 2]

        session_id, room_name = await voice_session(client, tenant)
        session = await client.get(f"/v1/sessions/{session_id}", headers=tenant.headers)
        assert session.json()["credits_per_minute"] == BASE + 2
        assert await charged_for_a_minute(database_url, room_name) == BASE + 2

        # The voice a session chooses is what it pays for: the plain one, no surcharge.
        _, plain_room = await voice_session(client, tenant, overrides={"tts": {"voice": "alloy"}})
        assert await charged_for_a_minute(database_url, plain_room) == BASE


async def test_a_plain_agent_pays_for_a_premium_voice_chosen_per_session(
    database_url: str, tmp_path: Path
) -> None:
    settings = priced_settings(database_url, tmp_path)
    tenant = await seed_tenant(database_url, agent={"overridable": ["tts.voice"]})
    async with issuer(settings) as client:
        shown = (await client.get(f"/v1/agents/{tenant.agent_id}", headers=tenant.headers)).json()
        assert shown["credits_per_minute"] == BASE
        _, room_name = await voice_session(
            client, tenant, overrides={"tts": {"voice": "premium_voice"}}
        )
        assert await charged_for_a_minute(database_url, room_name) == BASE + 2


async def test_an_agent_s_own_price_is_the_final_word(database_url: str, tmp_path: Path) -> None:
    settings = priced_settings(database_url, tmp_path)
    tenant = await seed_tenant(database_url, agent={**PREMIUM, "credits_per_minute": 7})
    async with issuer(settings) as client:
        shown = (await client.get(f"/v1/agents/{tenant.agent_id}", headers=tenant.headers)).json()
        assert shown["credits_per_minute"] == 7
        _, room_name = await voice_session(client, tenant)
        assert await charged_for_a_minute(database_url, room_name) == 7

"""An agent's stages through the API: `stt`, `llm`, `tts` and `realtime` objects checked
against the operator's providers (CALLWRIGHT_PROVIDERS_FILE), the deprecated flat fields
mapped onto them, and every refusal a 400 with `param` that stores nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from callwright_devstack.api import assert_error, issuer_client
from callwright_devstack.tenants import Tenant, seed_tenant
from callwright_shared.settings import CallwrightSettings

pytestmark = pytest.mark.livekit

PROVIDERS = """
providers:
  - name: groq
    kind: openai
    base_url: http://127.0.0.1:9/groq/v1
    stages: [llm]
    models: [llama-3.3-70b-versatile]
  - name: speaches
    kind: openai
    base_url: http://127.0.0.1:9/speaches/v1
    stages: [stt, tts]
    models: [Systran/faster-whisper-small, speaches-ai/Kokoro-82M-v1.0-ONNX]
    voices: [af_heart]
  - name: openai
    kind: openai
    stages: [llm, tts, realtime]
    models: [gpt-4o-mini, gpt-4o-mini-tts, gpt-realtime]
    voices: [alloy]
  - name: deepgram
    kind: deepgram
    stages: [stt, tts]
    models: [nova-3, aura-2-thalia-en]
    voices: [aura-2-thalia-en]
  - name: gemini
    kind: google
    stages: [realtime]
    models: [gemini-2.5-flash-native-audio-preview-12-2025]
    voices: [Puck]
"""
SELF_HOSTED = {
    "name": "Local",
    "architecture": "pipeline",
    "stt": {"provider": "speaches", "model": "Systran/faster-whisper-small"},
    "llm": {
        "provider": "groq",
        "model": "llama-3.3-70b-versatile",
        "temperature": 0.2,
        "fallback": [{"provider": "openai", "model": "gpt-4o-mini"}],
    },
    "tts": {
        "provider": "speaches",
        "model": "speaches-ai/Kokoro-82M-v1.0-ONNX",
        "voice": "af_heart",
        "fallback": [{"provider": "deepgram", "voice": "aura-2-thalia-en"}],
    },
}


@pytest.fixture
async def stage_client(
    settings: CallwrightSettings, tmp_path: Path
) -> AsyncIterator[httpx.AsyncClient]:
    path = tmp_path / "providers.yaml"
    path.write_text(PROVIDERS)
    async with issuer_client(settings.model_copy(update={"providers_file": str(path)})) as c:
        yield c


async def agents_of(client: httpx.AsyncClient, tenant: Tenant) -> list[dict[str, Any]]:
    listed = await client.get("/v1/agents", headers=tenant.headers)
    assert listed.status_code == 200, listed.text
    return list(listed.json()["data"])


async def test_a_pipeline_of_three_providers_is_stored_and_shown_as_objects(
    stage_client: httpx.AsyncClient, database_url: str
) -> None:
    tenant = await seed_tenant(database_url)
    created = await stage_client.post("/v1/agents", json=SELF_HOSTED, headers=tenant.headers)
    assert created.status_code == 200, created.text
    agent = created.json()
    assert agent["stt"]["provider"] == "speaches"
    assert agent["llm"]["fallback"] == [
        {"provider": "openai", "model": "gpt-4o-mini", "voice": None}
    ]
    assert agent["tts"]["voice"] == "af_heart"
    assert not {"stt_model", "llm_model", "tts_voice", "provider", "temperature"} & set(agent)
    assert "base_url" not in created.text and "127.0.0.1" not in created.text


@pytest.mark.parametrize(
    ("fields", "param"),
    [
        ({"tts": {"provider": "nobody", "voice": "af_heart"}}, "tts.provider"),
        ({"stt": {"provider": "groq", "model": "llama-3.3-70b-versatile"}}, "stt.provider"),
        ({"llm": {"provider": "groq", "model": "gpt-4o-mini"}}, "llm.model"),
        ({"tts": {"provider": "speaches", "voice": "alloy"}}, "tts.voice"),
        (
            {
                "tts": {
                    "provider": "speaches",
                    "voice": "af_heart",
                    "fallback": [{"provider": "openai"}],
                }
            },
            "tts.fallback.0.voice",
        ),
        (
            {
                "llm": {
                    "provider": "groq",
                    "model": "llama-3.3-70b-versatile",
                    "fallback": [
                        {"provider": "openai"},
                        {"provider": "openai"},
                        {"provider": "openai"},
                    ],
                }
            },
            "llm.fallback",
        ),
        ({"llm_model": "gpt-4o-mini", "llm": {"provider": "openai"}}, "llm_model"),
        (
            {
                "tts": {
                    "provider": "speaches",
                    "voice": "af_heart",
                    "base_url": "http://evil.example/v1",
                }
            },
            "tts.base_url",
        ),
        (
            {"architecture": "realtime", "realtime": {"provider": "gemini", "voice": "alloy"}},
            "realtime.voice",
        ),
        ({"architecture": "realtime", "provider": "groq"}, "realtime.provider"),
    ],
)
async def test_every_refusal_names_the_field_and_stores_nothing(
    stage_client: httpx.AsyncClient, database_url: str, fields: dict[str, Any], param: str
) -> None:
    tenant = await seed_tenant(database_url)
    before = await agents_of(stage_client, tenant)
    created = await stage_client.post(
        "/v1/agents", json={**SELF_HOSTED, **fields}, headers=tenant.headers
    )
    assert assert_error(created, 400, "invalid_request")["param"] == param
    patched = await stage_client.patch(
        f"/v1/agents/{tenant.agent_id}", json=fields, headers=tenant.headers
    )
    assert assert_error(patched, 400, "invalid_request")["param"] == param
    assert await agents_of(stage_client, tenant) == before


async def test_flat_fields_still_write_and_merge_into_the_objects(
    client: httpx.AsyncClient, database_url: str
) -> None:
    tenant = await seed_tenant(database_url)
    created = await client.post(
        "/v1/agents",
        json={"name": "Old", "architecture": "pipeline", "tts_voice": "nova", "temperature": 0.4},
        headers=tenant.headers,
    )
    assert created.status_code == 200, created.text
    agent = created.json()
    assert agent["tts"] == {"provider": "openai", "model": None, "voice": "nova", "fallback": []}
    assert agent["llm"]["temperature"] == 0.4
    patched = await client.patch(
        f"/v1/agents/{agent['id']}",
        json={"stt_model": "nova-2", "overridable": ["tts_voice"]},
        headers=tenant.headers,
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["stt"]["model"] == "nova-2"
    assert patched.json()["tts"]["voice"] == "nova"  # the rest of the object stays
    assert patched.json()["overridable"] == ["tts.voice"]
    # A session overrides the new field, in either form.
    for overrides in ({"tts": {"voice": "echo"}}, {"tts_voice": "echo"}):
        session = await client.post(
            "/v1/sessions/chat",
            json={"agent_id": agent["id"], "overrides": overrides},
            headers=tenant.headers,
        )
        assert session.status_code == 200, session.text
        assert session.json()["applied_overrides"] == ["tts.voice"]
    # The realtime shape, Gemini under today's name.
    realtime = await client.post(
        "/v1/agents",
        json={"name": "G", "architecture": "realtime", "provider": "gemini", "voice": "Kore"},
        headers=tenant.headers,
    )
    assert realtime.status_code == 200, realtime.text
    assert realtime.json()["realtime"]["provider"] == "gemini"
    assert realtime.json()["realtime"]["voice"] == "Kore"

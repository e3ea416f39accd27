"""`callwright dev`'s demo agent follows the providers file: seeded on the file's servers
(`make run` with deploy/providers.self-hosted.yaml), moved onto the registry's stages when
a later run's registry refuses it, and left alone when it still fits."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from callwright_devstack.dev import _seed
from callwright_shared.agents import definitions as agents
from callwright_shared.agents.definitions import AgentUpdate
from callwright_shared.db.engine import create_engine, create_session_factory
from callwright_shared.settings import CallwrightSettings

pytestmark = pytest.mark.database

SELF_HOSTED = Path(__file__).resolve().parents[2] / "deploy" / "providers.self-hosted.yaml"


async def stages_of(url: str, demo: dict[str, Any]) -> dict[str, str]:
    engine = create_engine(url)
    try:
        async with create_session_factory(engine)() as db:
            agent = await agents.get_agent(db, org_id=demo["org_id"], agent_id=demo["agent_id"])
            config = agents.config_of(agent)
            return {
                "stt": config.stt.provider,
                "llm": config.llm.provider,
                "tts": f"{config.tts.provider}/{config.tts.voice}",
            }
    finally:
        await engine.dispose()


async def test_the_demo_agent_follows_the_providers_file(sqlite_url: str) -> None:
    with_file = CallwrightSettings.model_validate(
        {"database_url": sqlite_url, "providers_file": str(SELF_HOSTED)}
    )
    builtin = CallwrightSettings.model_validate({"database_url": sqlite_url})
    demo = await _seed(with_file, None)
    assert await stages_of(sqlite_url, demo) == {
        "stt": "speaches-stt",
        "llm": "ollama",
        "tts": "speaches-tts/af_heart",
    }
    # A run without the file: its built-ins refuse the agent, which moves onto them.
    assert await _seed(builtin, demo) == demo
    today = {"stt": "deepgram", "llm": "openai", "tts": "openai/alloy"}
    assert await stages_of(sqlite_url, demo) == today
    # A developer's edit the registry accepts is kept.
    engine = create_engine(sqlite_url)
    async with create_session_factory(engine)() as db:
        agent = await agents.get_agent(db, org_id=demo["org_id"], agent_id=demo["agent_id"])
        await agents.update_agent(
            db, agent, AgentUpdate.model_validate({"tts": {"provider": "openai", "voice": "nova"}})
        )
        await db.commit()
    await engine.dispose()
    await _seed(builtin, demo)
    assert await stages_of(sqlite_url, demo) == {**today, "tts": "openai/nova"}

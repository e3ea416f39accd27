"""0008: agents and session snapshots stored with the flat model fields move onto the stage
objects, on SQLite and Postgres, and keep working: read back, checked, resolved with their
overrides, and run by the worker's plan."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from callwright_devstack.services.postgres_server import fresh_postgres_url
from callwright_shared.agents import definitions as agents
from callwright_shared.db.engine import create_engine, create_session_factory
from callwright_shared.db.migrate import upgrade_async
from callwright_shared.db.models import (
    Agent,
    Architecture,
    Organization,
    Session,
    SessionKind,
    SessionStatus,
)
from callwright_shared.sessions import config as session_config
from callwright_shared.settings import CallwrightSettings

pytestmark = pytest.mark.database

OLD_PIPELINE = {
    "instructions": "Hi.",
    "stt_model": "nova-2",
    "llm_model": "gpt-4.1-mini",
    "temperature": 0.3,
    "tts_model": "tts-1",
    "tts_voice": "nova",
    "provider": "openai",
    "model": None,
    "voice": None,
    "overridable": ["tts_voice", "temperature", "greeting"],
}
OLD_GEMINI = {
    "instructions": "Hi.",
    "provider": "gemini",
    "model": "gemini-3.1-flash-live-preview",
    "voice": "Kore",
    "temperature": 0.5,
    "overridable": ["voice"],
}


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
async def test_0010_moves_flat_agents_and_snapshots_onto_the_stages(
    request: pytest.FixtureRequest, tmp_path: Path, backend: str
) -> None:
    if backend == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
    else:
        url = await fresh_postgres_url(request.getfixturevalue("postgres_server"))
    await upgrade_async(url, "0009")  # the revision before the stages
    engine = create_engine(url)
    now = datetime.now(UTC)
    try:
        async with create_session_factory(engine)() as db, db.begin():
            # Rows as 0009 has them: the models' later columns (prices added since) are
            # not in its tables, so only these columns are written.
            await db.execute(
                sa.insert(Organization).values(
                    id="org_1", name="Acme", balance=0, held=0, created_at=now
                )
            )
            await db.execute(
                sa.insert(Agent),
                [
                    dict(id="a1", org_id="org_1", name="P", architecture=Architecture.PIPELINE,
                         config=OLD_PIPELINE, created_at=now, updated_at=now),
                    dict(id="a2", org_id="org_1", name="G", architecture=Architecture.REALTIME,
                         config=OLD_GEMINI, created_at=now, updated_at=now),
                ],
            )  # fmt: skip
            db.add(
                Session(
                    id="s1",
                    org_id="org_1",
                    user_id="u",
                    agent_id="a1",
                    kind=SessionKind.VOICE,
                    status=SessionStatus.ACTIVE,
                    config={
                        "agent": {**OLD_PIPELINE, "tts_voice": "shimmer"},
                        "variables": {},
                        "secrets": [],
                        "overrides": ["tts_voice"],
                    },
                )
            )
        await upgrade_async(url)

        async with create_session_factory(engine)() as db:
            rows = {a.id: a for a in (await db.execute(sa.select(Agent))).scalars()}
            snapshot = (await db.execute(sa.select(Session.config))).scalar_one()
    finally:
        await engine.dispose()

    pipeline = rows["a1"].config
    assert not {"stt_model", "llm_model", "tts_voice", "provider", "temperature"} & set(pipeline)
    assert pipeline["stt"] == {"provider": "deepgram", "model": "nova-2"}
    assert pipeline["llm"] == {"provider": "openai", "model": "gpt-4.1-mini", "temperature": 0.3}
    assert pipeline["tts"] == {"provider": "openai", "model": "tts-1", "voice": "nova"}
    assert pipeline["overridable"] == [
        "tts.voice",
        "llm.temperature",
        "realtime.temperature",
        "greeting",
    ]
    assert rows["a2"].config["realtime"] == {
        "provider": "gemini",
        "model": "gemini-3.1-flash-live-preview",
        "voice": "Kore",
        "temperature": 0.5,
    }
    assert rows["a2"].config["overridable"] == ["realtime.voice"]
    assert snapshot is not None
    assert snapshot["agent"]["tts"]["voice"] == "shimmer"
    assert snapshot["overrides"] == ["tts.voice"]

    # They keep working: read back, checked against today's built-ins, overridden.
    settings = CallwrightSettings.model_validate({"environment": "test"})
    for row in rows.values():
        config = agents.config_of(row)
        agents.check_choices(config, row.architecture.value, settings)
    stored = session_config.stored_config(snapshot)
    assert stored is not None and stored.tts.voice == "shimmer"
    resolved = session_config.resolve(
        agents.config_of(rows["a1"]),
        given=None,
        overrides={"tts": {"voice": "echo"}, "temperature": 0.1},
        session_id="s2",
        agent_id="a1",
        agent_name="P",
        user_id="u",
        channel="voice",
        now=now,
    )
    assert resolved.config.tts.voice == "echo"
    assert resolved.config.llm.temperature == 0.1
    # The flat temperature is both temperatures the agent lets a session override.
    assert resolved.overrides == ["llm.temperature", "realtime.temperature", "tts.voice"]

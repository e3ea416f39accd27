"""Migrations: `callwright db upgrade` from several issuers at once on one Postgres (every
issuer migrates on start, so `docker compose up --scale issuer=3` on an empty database does
this), and what a migration does to existing rows."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import pytest
import sqlalchemy as sa

from callwright_devstack.services.postgres_server import PostgresServer, fresh_postgres_url
from callwright_shared.agents import definitions as agents
from callwright_shared.billing import pricing
from callwright_shared.db.engine import create_engine, create_session_factory
from callwright_shared.db.migrate import MIGRATION_LOCK_KEY, upgrade_async
from callwright_shared.db.models import Agent
from callwright_shared.settings import CallwrightSettings

pytestmark = pytest.mark.database


async def _start_upgrade(url: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "callwright.cli",
        "db",
        "upgrade",
        env={**os.environ, "DATABASE_URL": url},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def _finished(process: asyncio.subprocess.Process) -> tuple[int, str]:
    stdout, stderr = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode is not None
    return process.returncode, (stdout + stderr).decode(errors="replace")


async def test_issuers_migrating_an_empty_postgres_at_once_all_succeed(
    postgres_server: PostgresServer,
) -> None:
    url = await fresh_postgres_url(postgres_server)
    processes = [await _start_upgrade(url) for _ in range(8)]
    results = await asyncio.gather(*(_finished(p) for p in processes))
    for returncode, output in results:
        assert returncode == 0, output
        assert '"upgraded": true' in output

    conn = await _connect(postgres_server, url)
    try:
        versions = await conn.fetch("SELECT version_num FROM alembic_version")
        tables = {
            r["tablename"]
            for r in await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname='public'")
        }
    finally:
        await conn.close()
    assert len(versions) == 1  # one head, written once
    assert {"organizations", "sessions", "credit_ledger", "api_keys", "agents"} <= tables


async def test_an_upgrade_waits_for_the_one_already_running(
    postgres_server: PostgresServer,
) -> None:
    url = await fresh_postgres_url(postgres_server)
    holder = await _connect(postgres_server, url)
    try:
        # Stand in for an issuer that is migrating: hold the migration lock.
        await holder.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK_KEY)
        waiting = await _start_upgrade(url)
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(asyncio.shield(waiting.wait()), 8)
        assert await holder.fetchval("SELECT to_regclass('public.alembic_version')") is None
        await holder.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK_KEY)
        returncode, output = await _finished(waiting)
        assert returncode == 0, output
        assert await holder.fetchval("SELECT count(*) FROM alembic_version") == 1
    finally:
        await holder.close()


async def _connect(server: PostgresServer, url: str) -> asyncpg.Connection:
    return await asyncpg.connect(
        host="127.0.0.1", port=server.port, user="postgres", database=url.rsplit("/", 1)[1]
    )


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
async def test_0003_moves_existing_agent_prices_to_operator_overrides(
    request: pytest.FixtureRequest, tmp_path: Path, backend: str
) -> None:
    """Agents priced before 0003 keep their bills, except a price of 0 a tenant chose."""
    if backend == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
    else:
        url = await fresh_postgres_url(request.getfixturevalue("postgres_server"))
    await upgrade_async(url, "0002")
    old_agents = {
        # id: (architecture, credits_per_minute, credits_per_message) in the old config
        "a0000001": ("pipeline", 10, 1),  # the old defaults: follow the (same) defaults
        "a0000002": ("pipeline", 6, 3),  # tenant- or operator-chosen: kept as overrides
        "a0000003": ("pipeline", 0, 0),  # free, as any key could set it: dropped to the defaults
        "a0000004": ("realtime", 10, 1),  # realtime's default is now 40: keep 10
        "a0000005": ("text", 25, 2),  # a text agent has no minute price
    }
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                sa.text(
                    "INSERT INTO organizations (id, name, balance, held, created_at) "
                    "VALUES ('org_1', 'Acme', 0, 0, :now)"
                ),
                {"now": datetime.now(UTC)},
            )
            for agent_id, (architecture, minute, message) in old_agents.items():
                config = {
                    "instructions": "Hi.",
                    "credits_per_minute": minute,
                    "credits_per_message": message,
                }
                await conn.execute(
                    sa.text(
                        "INSERT INTO agents (id, org_id, name, architecture, config, "
                        "created_at, updated_at) VALUES (:id, 'org_1', 'A', :arch, :config, "
                        ":now, :now)"
                    ),
                    {
                        "id": agent_id,
                        "arch": architecture,
                        "config": json.dumps(config),
                        "now": datetime.now(UTC),
                    },
                )
        await upgrade_async(url)

        settings = CallwrightSettings.model_validate({"environment": "test", "database_url": url})
        async with create_session_factory(engine)() as db:
            rows = {a.id: a for a in (await db.execute(sa.select(Agent))).scalars()}
            overrides = {
                agent_id: (row.credits_per_minute, row.credits_per_message)
                for agent_id, row in rows.items()
            }
            effective = {
                agent_id: (await pricing.price_of(db, row, settings)).shown(row.architecture)
                for agent_id, row in rows.items()
            }
    finally:
        await engine.dispose()

    assert overrides == {
        "a0000001": (None, None),
        "a0000002": (6, 3),
        "a0000003": (None, None),
        "a0000004": (10, None),
        "a0000005": (None, 2),
    }
    assert {k: (v.credits_per_minute, v.credits_per_message) for k, v in effective.items()} == {
        "a0000001": (10, 1),
        "a0000002": (6, 3),
        "a0000003": (10, 1),
        "a0000004": (10, None),
        "a0000005": (None, 2),
    }
    # The prices left the config: the worker's AgentConfig (extra="forbid") reads it again.
    for row in rows.values():
        assert agents.config_of(row).instructions == "Hi."

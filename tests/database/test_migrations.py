"""`callwright db upgrade` from several issuers at once on one Postgres (every issuer
migrates on start, so `docker compose up --scale issuer=3` on an empty database does this)."""

from __future__ import annotations

import asyncio
import os
import sys

import asyncpg
import pytest

from callwright_shared.db.migrate import MIGRATION_LOCK_KEY
from tests.conftest import fresh_postgres_url
from tests.support.postgres_server import PostgresServer

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

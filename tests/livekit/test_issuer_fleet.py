"""Two issuer processes behind one Postgres: holds stay exact across processes."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from callwright_devstack.checkout import ARTIFACTS
from callwright_devstack.services.callwright_process import CallwrightProcess
from callwright_devstack.services.livekit_server import LiveKitServer
from callwright_devstack.services.postgres_server import PostgresServer, fresh_postgres_url
from callwright_devstack.tenants import seed_tenant
from callwright_shared.billing import credits
from callwright_shared.db.engine import create_engine, create_session_factory
from callwright_shared.db.migrate import upgrade_async

pytestmark = pytest.mark.livekit


@pytest.fixture
def issuers() -> Iterator[list[CallwrightProcess]]:
    started: list[CallwrightProcess] = []
    yield started
    for process in started:
        process.stop()


async def test_two_issuer_processes_hold_credits_exactly(
    postgres_server: PostgresServer,
    livekit_server: LiveKitServer,
    issuers: list[CallwrightProcess],
    tmp_path: Path,
) -> None:
    database_url = await fresh_postgres_url(postgres_server)
    await upgrade_async(database_url)
    tenant = await seed_tenant(database_url, credits_amount=1000)  # 10 holds of 100
    env = {
        "CALLWRIGHT_ENV": "test",
        "DATABASE_URL": database_url,
        "LIVEKIT_URL": livekit_server.url,
        "LIVEKIT_API_KEY": livekit_server.api_key,
        "LIVEKIT_API_SECRET": livekit_server.api_secret,
        "CALLWRIGHT_RECONCILE_INTERVAL_SECONDS": "0",
        # What this test is about is the credits: the creation limit (one bucket shared by
        # both issuers) and the concurrency limit stay out of the way of 40 creations.
        "CALLWRIGHT_SESSION_CREATE_BURST": "40",
        "CALLWRIGHT_DEFAULT_MAX_CONCURRENT_SESSIONS": "0",
    }
    urls = []
    for index in range(2):
        process = CallwrightProcess(
            "issuer",
            "--no-migrate",
            env=env,
            log=ARTIFACTS / f"issuer-fleet-{index}.log",
            cwd=tmp_path,
        )
        issuers.append(process)
        await asyncio.to_thread(process.start)
        urls.append(process.url)

    async with httpx.AsyncClient(timeout=30) as client:
        responses = await asyncio.gather(
            *(
                client.post(
                    f"{urls[i % 2]}/v1/sessions/voice",
                    json={"agent_id": tenant.agent_id},
                    headers=tenant.headers,
                )
                for i in range(40)
            )
        )
        by_issuer = {url: [r.status_code for r in responses[i::2]] for i, url in enumerate(urls)}
        statuses = sorted(r.status_code for r in responses)
        assert statuses == [200] * 10 + [402] * 30, by_issuer
        assert (await client.get(f"{urls[1]}/v1/credits", headers=tenant.headers)).json() == {
            "balance": 1000,
            "held": 1000,
            "available": 0,
        }

    engine = create_engine(database_url)
    async with create_session_factory(engine)() as db:
        assert await credits.ledger_totals(db, tenant.org_id) == await credits.read_balance(
            db, tenant.org_id
        )
    await engine.dispose()

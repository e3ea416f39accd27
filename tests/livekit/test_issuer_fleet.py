"""Two issuer processes behind one Postgres: holds stay exact across processes."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from callwright_shared import credits
from callwright_shared.db.engine import create_engine, create_session_factory
from callwright_shared.db.migrate import upgrade_async
from tests.conftest import ARTIFACTS, fresh_postgres_url, seed_tenant
from tests.support.livekit_server import LiveKitServer
from tests.support.ports import free_tcp_port
from tests.support.postgres_server import PostgresServer

pytestmark = pytest.mark.livekit


def start_issuer(env: dict[str, str], log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_tcp_port()
    with open(log, "ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "callwright.cli", "issuer", "--no-migrate", "--port", str(port)],
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=1):
                return process, url
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(f"issuer exited; see {log}") from None
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"issuer did not start; see {log}")


@pytest.fixture
def stop_all() -> Iterator[list[subprocess.Popen[bytes]]]:
    processes: list[subprocess.Popen[bytes]] = []
    yield processes
    for process in processes:
        process.terminate()
        process.wait(timeout=15)


async def test_two_issuer_processes_hold_credits_exactly(
    postgres_server: PostgresServer,
    livekit_server: LiveKitServer,
    stop_all: list[subprocess.Popen[bytes]],
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
    }
    ARTIFACTS.mkdir(exist_ok=True)
    urls = []
    for index in range(2):
        process, url = await asyncio.to_thread(
            start_issuer, env, ARTIFACTS / f"issuer-fleet-{index}.log"
        )
        stop_all.append(process)
        urls.append(url)

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

"""Fixtures shared by every tier: real services, fresh databases, a seeded organization.

Tiers are markers (declared in pyproject.toml); each test module sets `pytestmark`.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI

from callwright_issuer.app import create_app
from callwright_shared import agents, api_keys, credits, organizations, pricing
from callwright_shared.agents import AgentSpec
from callwright_shared.db.engine import create_engine, create_session_factory
from callwright_shared.db.migrate import upgrade_async
from callwright_shared.pricing import PRICE_FIELDS, PriceOverride
from callwright_shared.settings import CallwrightSettings
from tests.support.livekit_server import LiveKitServer
from tests.support.postgres_server import PostgresServer
from tests.support.required import service_missing

TESTS = Path(__file__).parent
ARTIFACTS = TESTS / "artifacts"
_db_counter = itertools.count()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """One tier per module, the tier of its folder (tests/<tier>/): `-m <tier>` and the
    folder then select the same tests, and a test's services are its folder's."""
    tiers = {line.split(":")[0].strip() for line in config.getini("markers")}
    wrong: dict[str, str] = {}
    for item in items:
        module = getattr(item, "module", None)
        if module is None:
            continue
        marks = getattr(module, "pytestmark", [])
        names = [m.name for m in (marks if isinstance(marks, list) else [marks])]
        module_tiers = [name for name in names if name in tiers]
        folder = item.path.relative_to(TESTS).parts[0]
        if module_tiers != [folder]:
            wrong[str(item.path.relative_to(TESTS.parent))] = (
                f"marked {module_tiers or 'with no tier'}, in the {folder!r} folder"
            )
    if wrong:
        raise pytest.UsageError(
            "each test module sets `pytestmark = pytest.mark.<tier>` for its folder's tier: "
            + "; ".join(f"{path} is {why}" for path, why in sorted(wrong.items()))
        )


@contextmanager
def running_livekit(
    log_name: str, *, webhook_url: str | None = None, redis_address: str | None = None
) -> Iterator[LiveKitServer]:
    """A livekit-server of a fixture's own, logging to artifacts/<log_name>; with
    `redis_address`, a node of the cluster sharing that Redis."""
    if not LiveKitServer.available():
        service_missing("livekit-server (make tools installs it into .tools/bin)")
    ARTIFACTS.mkdir(exist_ok=True)
    server = LiveKitServer(
        webhook_url=webhook_url, log_path=ARTIFACTS / log_name, redis_address=redis_address
    )
    server.start()
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def running_postgres() -> Iterator[PostgresServer]:
    """A throwaway PostgreSQL cluster of a fixture's own."""
    if not PostgresServer.available():
        service_missing("PostgreSQL (apt-get install postgresql)")
    server = PostgresServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def livekit_server() -> Iterator[LiveKitServer]:
    with running_livekit("livekit-server.log") as server:
        yield server


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    with running_postgres() as server:
        yield server


async def fresh_postgres_url(server: PostgresServer) -> str:
    name = f"callwright_test_{next(_db_counter)}"
    conn = await asyncpg.connect(host="127.0.0.1", port=server.port, user="postgres")
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return server.url(name)


@pytest.fixture(params=["sqlite", "postgres"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database: SQLite file and a real Postgres database."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'callwright.db'}"
    else:
        url = await fresh_postgres_url(request.getfixturevalue("postgres_server"))
    await upgrade_async(url)
    return url


@pytest.fixture
async def sqlite_url(tmp_path: Path) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'callwright.db'}"
    await upgrade_async(url)
    return url


def make_settings(
    database_url: str, livekit: LiveKitServer | None, **overrides: object
) -> CallwrightSettings:
    values: dict[str, object] = {
        "environment": "test",
        "database_url": database_url,
        "livekit_url": livekit.url if livekit else "ws://127.0.0.1:9",
        "livekit_api_key": livekit.api_key if livekit else "devkey",
        "livekit_api_secret": livekit.api_secret if livekit else "x" * 40,
        **overrides,
    }
    # model_validate, not the constructor: tests never read the developer's env or .env.
    return CallwrightSettings.model_validate(values)


@dataclass
class Tenant:
    """A seeded organization with one user, one key and one pipeline agent."""

    org_id: str
    user_id: str
    api_key: str
    key_id: str
    agent_id: str

    @property
    def headers(self) -> dict[str, str]:
        return {"X-API-Key": self.api_key}


async def seed_tenant(
    database_url: str,
    *,
    credits_amount: int = 1000,
    user_id: str = "user_1",
    agent: dict[str, object] | None = None,
) -> Tenant:
    """An organization, a user, a key and an agent; `agent` may name the agent's prices
    (`credits_per_minute`, `credits_per_message`), set through the operator's path."""
    engine = create_engine(database_url)
    try:
        async with create_session_factory(engine)() as db:
            org = await organizations.create_org(db, name="Acme")
            await organizations.create_user(db, org_id=org.id, user_id=user_id)
            minted = await api_keys.mint_key(db, org_id=org.id, user_id=user_id)
            fields: dict[str, Any] = {
                "name": "Support",
                "architecture": "pipeline",
                **(agent or {}),
            }
            # Prices are the operator's: set as the agent's override, as `admin set-price`
            # does, never through the agent's (tenant) fields.
            prices = PriceOverride(
                **{field: fields.pop(field) for field in PRICE_FIELDS if field in fields}
            )
            row = await agents.create_agent(
                db, org_id=org.id, spec=AgentSpec.model_validate(fields)
            )
            if prices != PriceOverride():
                await pricing.set_price(db, org_id=org.id, agent_id=row.id, prices=prices)
            if credits_amount:
                await credits.grant(db, org.id, credits_amount)
            await db.commit()
            return Tenant(org.id, user_id, minted.api_key, minted.key_id, row.id)
    finally:
        await engine.dispose()


@asynccontextmanager
async def issuer_client(settings: CallwrightSettings) -> AsyncIterator[httpx.AsyncClient]:
    """The real issuer app, its lifespan run, reached in-process over ASGI."""
    app: FastAPI = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://issuer") as client:
            yield client


def run_cli(database_url: str, *args: str) -> dict[str, Any]:
    """Run the real `callwright` command in a subprocess; return the JSON object it prints."""
    env = {**os.environ, "DATABASE_URL": database_url}
    done = subprocess.run(
        [sys.executable, "-m", "callwright.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result

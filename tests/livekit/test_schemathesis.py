"""Schemathesis against the issuer's own OpenAPI schema: no 5xx, no response off-schema.

The real issuer is served by uvicorn over an SQLite database with a seeded tenant (valid
keys, a real agent), on the real livekit-server, with the OpenAI emulator as its LLM.
Every operation gets a few generated requests with the tenant's key, so they pass
authentication and reach validation, the database and LiveKit. Bounded: a handful of
examples per operation, no shrinking, a deadline on the whole run.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis import Case

from callwright_devstack.emulators import OpenAIEmulator
from callwright_devstack.services.livekit_server import LiveKitServer
from callwright_devstack.services.served_issuer import ServedIssuer
from callwright_devstack.tenants import Tenant, make_settings, seed_tenant
from callwright_issuer.app import create_app
from callwright_shared.db.migrate import upgrade_async

pytestmark = pytest.mark.livekit

PROVIDER_KEY = "sk-test-schemathesis-0123456789"
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_headers_conformance,
    schemathesis.checks.response_schema_conformance,
]


class _EmulatorThread:
    """The OpenAI emulator in a loop of its own: the served issuer calls it from its thread."""

    def __init__(self) -> None:
        self.emulator = OpenAIEmulator(reply="Schema-checked reply.", require_key=PROVIDER_KEY)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    def __enter__(self) -> OpenAIEmulator:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self.emulator.start(), self._loop).result(10)
        return self.emulator

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self.emulator.stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()


@pytest.fixture(scope="module")
async def tenant_database(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    path: Path = tmp_path_factory.mktemp("schemathesis") / "callwright.db"
    url = f"sqlite+aiosqlite:///{path}"
    await upgrade_async(url)
    yield url


@pytest.fixture(scope="module")
async def tenant(tenant_database: str) -> Tenant:
    return await seed_tenant(tenant_database, credits_amount=1_000_000)


@dataclass(frozen=True)
class Targets:
    """Real ids the generated requests are pointed at."""

    spare_agent_id: str  # for PATCH and DELETE, so the tenant's own agent stays usable
    chat_session_id: str  # for reading it and sending it messages


@pytest.fixture(scope="module")
def targets(issuer: str, tenant: Tenant) -> Targets:
    with httpx.Client(base_url=issuer, headers=tenant.headers, timeout=15) as client:
        spare = client.post("/v1/agents", json={"name": "Spare", "architecture": "text"})
        chat = client.post("/v1/sessions/chat", json={"agent_id": tenant.agent_id})
    assert spare.status_code == chat.status_code == 200, (spare.text, chat.text)
    return Targets(spare_agent_id=spare.json()["id"], chat_session_id=chat.json()["session_id"])


@pytest.fixture(scope="module")
def issuer(tenant_database: str, tenant: Tenant, livekit_server: LiveKitServer) -> Iterator[str]:
    with _EmulatorThread() as emulator:
        settings_ = make_settings(
            tenant_database,
            livekit_server,
            reconcile_interval_seconds=0,
            # Webhook endpoints the fuzzer creates name hosts anywhere: send nothing to them.
            webhook_dispatch_interval_seconds=0,
            openai_base_url=emulator.base_url,
            openai_api_key=PROVIDER_KEY,
            operator_token=OPERATOR_TOKEN,
        )
        with ServedIssuer(settings_) as served:
            yield served.url


# The operator API is on, so that its routes are fuzzed past their token.
OPERATOR_TOKEN = "op_" + "5" * 40

# The schema the issuer serves at /openapi.json, built without opening anything (the
# app's infrastructure opens in its lifespan), so the operations are known at collection.
schema = schemathesis.openapi.from_dict(create_app(make_settings("sqlite://", None)).openapi())


@schema.parametrize()
@settings(
    max_examples=10,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_the_api_answers_within_its_schema(
    case: Case[Any], issuer: str, tenant: Tenant, targets: Targets
) -> None:
    # Point generated ids at real ones, so requests reach the database, the credits,
    # LiveKit and the LLM instead of stopping at 404.
    path = case.path_parameters or {}
    if "agent_id" in path:
        path["agent_id"] = targets.spare_agent_id
    if "session_id" in path and not case.operation.path.endswith("/end"):
        path["session_id"] = targets.chat_session_id
    if isinstance(case.body, dict) and isinstance(case.body.get("agent_id"), str):
        case.body["agent_id"] = tenant.agent_id
    headers = dict(tenant.headers)
    if case.operation.path.startswith("/v1/admin/"):
        headers["Authorization"] = f"Bearer {OPERATOR_TOKEN}"
    case.call_and_validate(base_url=issuer, headers=headers, checks=CHECKS, timeout=15)

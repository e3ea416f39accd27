"""The operator's `callwright admin` commands on SQLite and Postgres, each one JSON object."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from callwright_devstack.services.callwright_process import run_cli
from callwright_shared.billing import credits
from callwright_shared.db.engine import create_engine, create_session_factory
from callwright_shared.db.models import Agent, Organization

pytestmark = pytest.mark.database


async def test_admin_commands_build_a_working_tenant(database_url: str, tmp_path: Path) -> None:
    org = run_cli(database_url, "admin", "create-org", "--name", "Acme")
    assert org["org_id"].startswith("org_")
    user = run_cli(
        database_url, "admin", "create-user", "--org", org["org_id"], "--user-id", "a.b@c-d_e"
    )
    assert user == {"org_id": org["org_id"], "user_id": "a.b@c-d_e"}
    key = run_cli(
        database_url, "admin", "create-key", "--org", org["org_id"], "--user", "a.b@c-d_e"
    )
    assert key["key_id"].startswith("key_") and key["api_key"].startswith("cw_")
    granted = run_cli(
        database_url, "admin", "add-credits", "--org", org["org_id"], "--amount", "500"
    )
    assert (granted["org_id"], granted["balance"], granted["created"]) == (org["org_id"], 500, True)
    config = tmp_path / "agent.json"
    config.write_text(json.dumps({"instructions": "Be brief.", "credits_per_minute": 3}))
    agent = run_cli(
        database_url,
        "admin",
        "create-agent",
        "--org",
        org["org_id"],
        "--name",
        "Support",
        "--architecture",
        "pipeline",
        "--config-file",
        str(config),
    )
    assert len(agent["agent_id"]) >= 8

    engine = create_engine(database_url)
    async with create_session_factory(engine)() as db:
        totals = await credits.ledger_totals(db, org["org_id"])
        assert (totals.balance, totals.held) == (500, 0)
    await engine.dispose()

    # The key is stored hashed: the secret appears nowhere in the database.
    if database_url.startswith("sqlite"):
        raw = await asyncio.to_thread(Path(database_url.split("///", 1)[1]).read_bytes)
        assert key["api_key"].encode() not in raw


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["admin", "create-user", "--org", "org_missing", "--user-id", "u"], "not_found"),
        (["admin", "add-credits", "--org", "org_missing", "--amount", "5"], "not_found"),
        (["admin", "revoke-key", "--key-id", "key_missing"], "not_found"),
    ],
)
def test_admin_errors_are_json_on_stderr(sqlite_url: str, args: list[str], code: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "callwright.cli", *args],
        env={**os.environ, "DATABASE_URL": sqlite_url},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert json.loads(done.stderr)["error"]["code"] == code


def test_create_agent_rejects_unknown_fields(sqlite_url: str, tmp_path: Path) -> None:
    org = run_cli(sqlite_url, "admin", "create-org", "--name", "Acme")
    config = tmp_path / "agent.json"
    config.write_text(json.dumps({"instructions": "x", "webhook_url": "http://evil"}))
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "callwright.cli",
            "admin",
            "create-agent",
            "--org",
            org["org_id"],
            "--name",
            "A",
            "--architecture",
            "pipeline",
            "--config-file",
            str(config),
        ],
        env={**os.environ, "DATABASE_URL": sqlite_url},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    error = json.loads(done.stderr)["error"]
    assert (error["code"], error["param"]) == ("invalid_request", "webhook_url")


async def _prices(database_url: str, org_id: str, agent_id: str) -> tuple[Any, ...]:
    engine = create_engine(database_url)
    try:
        async with create_session_factory(engine)() as db:
            org = await db.get(Organization, org_id)
            agent = await db.get(Agent, agent_id)
            assert org is not None and agent is not None
            return (
                org.credits_per_minute,
                org.credits_per_message,
                agent.credits_per_minute,
                agent.credits_per_message,
                "credits_per_minute" in agent.config,
            )
    finally:
        await engine.dispose()


async def test_admin_set_price_sets_and_clears_org_and_agent_prices(
    database_url: str, tmp_path: Path
) -> None:
    org = run_cli(database_url, "admin", "create-org", "--name", "Acme")["org_id"]
    config = tmp_path / "agent.json"
    # The operator's config file may price the agent: a per-agent override.
    config.write_text(json.dumps({"credits_per_minute": 3}))
    agent = run_cli(
        database_url,
        *("admin", "create-agent", "--org", org, "--name", "A", "--architecture", "pipeline"),
        *("--config-file", str(config)),
    )["agent_id"]
    assert await _prices(database_url, org, agent) == (None, None, 3, None, False)

    assert run_cli(
        database_url,
        *("admin", "set-price", "--org", org, "--credits-per-minute", "0"),
        *("--credits-per-message", "2"),
    ) == {
        "org_id": org,
        "credits_per_minute": 0,
        "credits_per_message": 2,
        "credits_per_analysis": None,
    }
    assert run_cli(
        database_url,
        *("admin", "set-price", "--org", org, "--agent", agent, "--credits-per-message", "5"),
        *("--credits-per-analysis", "4"),
    ) == {
        "org_id": org,
        "agent_id": agent,
        "credits_per_minute": 3,
        "credits_per_message": 5,
        "credits_per_analysis": 4,
    }
    assert await _prices(database_url, org, agent) == (0, 2, 3, 5, False)

    cleared = run_cli(database_url, "admin", "set-price", "--org", org, "--agent", agent, "--clear")
    assert cleared == {
        "org_id": org,
        "agent_id": agent,
        "credits_per_minute": None,
        "credits_per_message": None,
        "credits_per_analysis": None,
    }
    assert await _prices(database_url, org, agent) == (0, 2, None, None, False)


@pytest.mark.parametrize(
    ("args", "code", "param"),
    [
        (["--credits-per-minute", "-1"], "invalid_request", "credits_per_minute"),
        (["--credits-per-message", "1000001"], "invalid_request", "credits_per_message"),
        ([], "invalid_request", None),
        (["--agent", "0123abcd", "--credits-per-minute", "1"], "agent_not_found", "agent"),
    ],
)
def test_admin_set_price_refuses_bad_prices(
    sqlite_url: str, args: list[str], code: str, param: str | None
) -> None:
    org = run_cli(sqlite_url, "admin", "create-org", "--name", "Acme")["org_id"]
    done = subprocess.run(
        [sys.executable, "-m", "callwright.cli", "admin", "set-price", "--org", org, *args],
        env={**os.environ, "DATABASE_URL": sqlite_url},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1, done.stdout
    error = json.loads(done.stderr)["error"]
    assert (error["code"], error.get("param")) == (code, param)

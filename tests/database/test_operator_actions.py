"""The operator's actions as `callwright admin` runs them (the same functions as the
operator API): grants by reference, key scopes, the audit log, on SQLite and Postgres."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select, text

from callwright_devstack.database import database
from callwright_devstack.services.callwright_process import run_cli
from callwright_shared.billing import credits
from callwright_shared.db.models import AuditEntry, LedgerEntry
from callwright_shared.errors import InsufficientScopeError, InvalidRequestError
from callwright_shared.operators import actions
from callwright_shared.tenants import api_keys, organizations

pytestmark = pytest.mark.database


async def test_the_cli_grants_by_reference_once_and_is_in_the_audit_log(
    database_url: str,
) -> None:
    org = run_cli(database_url, "admin", "create-org", "--name", "Acme")["org_id"]
    run_cli(database_url, "admin", "create-user", "--org", org, "--user-id", "owner")
    key = run_cli(
        database_url, "admin", "create-key", "--org", org, "--user", "owner", "--scope", "sessions"
    )
    assert key["scope"] == "sessions"
    grant = ["admin", "add-credits", "--org", org, "--amount", "70", "--reference", "pay_1"]
    assert run_cli(database_url, *grant)["created"] is True
    assert run_cli(database_url, *grant)["created"] is False
    async with database(database_url) as db:
        assert (await credits.read_balance(db, org)).balance == 70
        assert (await credits.ledger_totals(db, org)).balance == 70
        log = list(
            (
                await db.execute(
                    select(AuditEntry.actor, AuditEntry.action)
                    .where(AuditEntry.org_id == org)
                    .order_by(AuditEntry.id)
                )
            ).all()
        )
    assert log == [
        ("cli", "organization.create"),
        ("cli", "user.create"),
        ("cli", "api_key.create"),
        ("cli", "credits.grant"),
    ]


async def test_concurrent_grants_of_one_reference_are_one_grant(database_url: str) -> None:
    async with database(database_url) as db:
        org = (await organizations.create_org(db, name="Acme")).id

    async def grant() -> bool:
        async with database(database_url) as db:
            answer = await actions.add_credits(
                db, org_id=org, amount=10, reference="inv_9", actor="api"
            )
            created: bool = answer["created"]
            return created

    results = await asyncio.gather(*(grant() for _ in range(6)))
    assert sorted(results) == [False] * 5 + [True]
    async with database(database_url) as db:
        rows = (await db.execute(select(LedgerEntry).where(LedgerEntry.org_id == org))).all()
        assert len(rows) == 1
        assert (await credits.read_balance(db, org)).balance == 10


async def test_no_key_mints_a_wider_one_and_old_keys_are_full(database_url: str) -> None:
    async with database(database_url) as db:
        org = (await organizations.create_org(db, name="Acme")).id
        await organizations.create_user(db, org_id=org, user_id="u")
        with pytest.raises(InsufficientScopeError):
            await api_keys.mint_key(db, org_id=org, user_id="u", scope="full", minted_by="sessions")
        with pytest.raises(InvalidRequestError):
            await api_keys.mint_key(db, org_id=org, user_id="u", scope="admin")
        narrow = await api_keys.mint_key(
            db, org_id=org, user_id="u", scope="sessions", minted_by="sessions"
        )
        assert narrow.scope == "sessions"
        # A key inserted without a scope (as before the column existed) is `full`.
        await db.execute(
            text(
                "INSERT INTO api_keys (id, prefix, secret_hash, org_id, user_id, created_at)"
                " VALUES ('key_old', 'cw_00000000', :h, :o, 'u', CURRENT_TIMESTAMP)"
            ),
            {"h": "0" * 64, "o": org},
        )
        scope = (await db.execute(text("SELECT scope FROM api_keys WHERE id = 'key_old'"))).scalar()
        assert scope == "full"

"""API keys on both databases: a prefix collision is retried with a fresh prefix, and a
database error never carries its statement's parameters (they may hold secrets)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import exc as sa_exc

from callwright_shared.db.engine import create_engine, create_session_factory
from callwright_shared.db.models import ApiKey, utcnow
from callwright_shared.tenants import api_keys, organizations

pytestmark = pytest.mark.database


async def test_a_taken_prefix_is_retried_with_a_fresh_one(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        async with create_session_factory(engine)() as db:
            org = await organizations.create_org(db, name="Acme")
            await organizations.create_user(db, org_id=org.id, user_id="u1")
            first = await api_keys.mint_key(db, org_id=org.id, user_id="u1")
            taken = first.api_key[: len("cw_01234567")]
            # The generator hands out the taken prefix once, as a 32-bit collision would.
            prefixes: Iterator[str] = iter([taken, "cw_0a0b0c0d"])
            second = await api_keys.mint_key(
                db, org_id=org.id, user_id="u1", prefixes=lambda: next(prefixes)
            )
            await db.commit()

            assert second.api_key.startswith("cw_0a0b0c0d_")
            for minted in (first, second):
                context, _ = await api_keys.authenticate(db, minted.api_key, now=utcnow())
                assert context.key_id == minted.key_id
    finally:
        await engine.dispose()


async def test_database_errors_hide_statement_parameters(database_url: str) -> None:
    engine = create_engine(database_url)
    secret = "transcript: my card number is 4242"
    try:
        async with create_session_factory(engine)() as db:
            db.add(ApiKey(id="key_1", prefix="p", secret_hash=secret, org_id="org_x", user_id="u"))
            with pytest.raises(sa_exc.IntegrityError) as raised:
                await db.flush()  # no such organization or user: a foreign key violation
    finally:
        await engine.dispose()
    assert secret not in str(raised.value)

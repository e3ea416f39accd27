"""Alembic environment: runs the migrations on the async engine of DATABASE_URL."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import text
from sqlalchemy.engine import Connection

from callwright_shared.db.engine import create_engine
from callwright_shared.db.migrate import MIGRATION_LOCK_KEY
from callwright_shared.db.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        # Every issuer migrates on start, so several replicas starting together would
        # race to create the same tables. The first to take this lock migrates; the others
        # wait, then find the version current. The lock opens the transaction the
        # migrations run in, so it is held until their commit.
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_async(url: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run)
            await connection.commit()
    finally:
        await engine.dispose()


def run_migrations_online() -> None:
    url = config.get_main_option("sqlalchemy.url")
    if url is None:
        raise RuntimeError("sqlalchemy.url is not set")
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
    else:
        asyncio.run(_run_async(url))


run_migrations_online()

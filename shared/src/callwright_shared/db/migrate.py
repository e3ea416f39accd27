"""Run the Alembic migrations programmatically (`callwright db upgrade`, tests, start-up)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config

# The Postgres advisory lock that serialises migrations (any fixed 64-bit number that no
# other application on the database uses: b"callwrig" as an integer).
MIGRATION_LOCK_KEY = int.from_bytes(b"callwrig", "big") & 0x7FFF_FFFF_FFFF_FFFF

_MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url)
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Blocking; call from a thread when an event loop is running."""
    command.upgrade(alembic_config(database_url), revision)


async def upgrade_async(database_url: str, revision: str = "head") -> None:
    await asyncio.to_thread(upgrade, database_url, revision)

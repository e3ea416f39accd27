"""`callwright issuer`: migrate, then serve the FastAPI app with uvicorn."""

from __future__ import annotations

import logging

import uvicorn

from callwright_shared.db.engine import quiet_statement_logs
from callwright_shared.db.migrate import upgrade
from callwright_shared.settings import IssuerSettings


def serve(*, host: str | None, port: int | None, workers: int, migrate: bool) -> None:
    settings = IssuerSettings()
    logging.basicConfig(level=settings.log_level.upper())
    quiet_statement_logs()
    if migrate:
        upgrade(settings.database_url)
    uvicorn.run(
        "callwright_issuer.app:create_app",
        factory=True,
        host=host or settings.issuer_host,
        port=port or settings.issuer_port,
        workers=workers,
        log_level=settings.log_level.lower(),
        access_log=False,
    )

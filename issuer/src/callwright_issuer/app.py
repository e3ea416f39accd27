"""The issuer's FastAPI application. `create_app(settings)` is the only way to build it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from callwright_issuer.error_handlers import install_error_handlers
from callwright_issuer.livekit_rooms import LiveKitRooms, Rooms
from callwright_issuer.metrics import record_metrics
from callwright_issuer.routes import agents, credits, health, sessions
from callwright_shared.db.engine import create_engine, create_session_factory
from callwright_shared.settings import CallwrightSettings


def create_app(
    settings: CallwrightSettings | None = None, *, rooms: Rooms | None = None
) -> FastAPI:
    """Build the app; infrastructure is opened in the lifespan, not at import."""
    settings = settings or CallwrightSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_engine(settings.database_url)
        app.state.settings = settings
        app.state.engine = engine
        app.state.session_factory = create_session_factory(engine)
        app.state.rooms = rooms or LiveKitRooms(settings)
        try:
            yield
        finally:
            await app.state.rooms.aclose()
            await engine.dispose()

    app = FastAPI(
        title="callwright",
        version="0.1.0",
        description="Voice agents on your own LiveKit: one call creates a room, "
        "dispatches the agent and returns a participant token.",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    app.middleware("http")(record_metrics)
    for router in (sessions.router, agents.router, credits.router, health.router):
        app.include_router(router)
    return app

"""The issuer's FastAPI application. `create_app(settings)` is the only way to build it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from callwright_http.body_limits import BodyLimitMiddleware
from callwright_issuer.http.error_handlers import install_error_handlers
from callwright_issuer.http.metrics import MetricsMiddleware
from callwright_issuer.livekit.rooms import LiveKitRooms, Rooms
from callwright_issuer.loops.analyses import run_analyses
from callwright_issuer.loops.call_metrics import run_call_metrics
from callwright_issuer.loops.reconciler import run_reconciler
from callwright_issuer.loops.recording_retention import run_recording_retention
from callwright_issuer.loops.redispatcher import run_redispatcher
from callwright_issuer.outbound_webhooks.dispatcher import WebhookDispatcher
from callwright_issuer.routes import (
    admin,
    agent_stats,
    agents,
    api_keys,
    connection_test,
    credits,
    health,
    livekit,
    recordings,
    sessions,
    tool_secret,
    usage,
    webhook_endpoints,
)
from callwright_issuer.sessions.analysis_models import analysis_model_of, analysis_settings_of
from callwright_issuer.sessions.chat_models import ChatModel, OpenAIChatModel
from callwright_shared import outbound
from callwright_shared.agents.registry import registry_of
from callwright_shared.db.engine import create_engine, create_session_factory
from callwright_shared.errors import RequestTooLargeError
from callwright_shared.settings import IssuerSettings

logger = logging.getLogger(__name__)

# How long shutdown waits for chat replies in flight (each settles its own credits).
_DRAIN_SECONDS = 30.0


def create_app(
    settings: IssuerSettings | None = None,
    *,
    rooms: Rooms | None = None,
    chat_model: ChatModel | None = None,
) -> FastAPI:
    """Build the app; infrastructure is opened in the lifespan, not at import."""
    settings = settings or IssuerSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # A bad providers file stops the start, naming the file and the fault, rather than
        # failing each request that prices or checks an agent.
        registry_of(settings)
        engine = create_engine(settings.database_url)
        app.state.settings = settings
        app.state.engine = engine
        app.state.session_factory = create_session_factory(engine)
        app.state.rooms = rooms or LiveKitRooms(settings)
        app.state.chat_model = chat_model or OpenAIChatModel(settings)
        webhook_client = outbound.new_client()
        app.state.webhook_dispatcher = WebhookDispatcher(
            app.state.session_factory, settings, webhook_client
        )
        background: set[asyncio.Task[Any]] = set()
        app.state.background_tasks = background
        stop = asyncio.Event()
        loops = [
            asyncio.create_task(run(app.state.session_factory, app.state.rooms, settings, stop))
            for run, interval in (
                (run_reconciler, settings.reconcile_interval_seconds),
                (run_redispatcher, settings.redispatch_interval_seconds),
            )
            if interval > 0
        ]
        if settings.call_metrics_interval_seconds > 0:
            loops.append(
                asyncio.create_task(run_call_metrics(app.state.session_factory, settings, stop))
            )
        if settings.webhook_dispatch_interval_seconds > 0:
            loops.append(asyncio.create_task(app.state.webhook_dispatcher.run(stop)))
        loops.append(
            asyncio.create_task(run_recording_retention(app.state, app.state.session_factory, stop))
        )
        if analysis_settings_of(app.state).interval_seconds > 0:
            loops.append(
                asyncio.create_task(run_analyses(app.state, app.state.session_factory, stop))
            )
        try:
            yield
        finally:
            stop.set()
            for loop in loops:
                await _finish(loop)
            if background:
                await asyncio.wait(set(background), timeout=_DRAIN_SECONDS)
            await webhook_client.aclose()
            await app.state.chat_model.aclose()
            await analysis_model_of(app.state).aclose()
            await app.state.rooms.aclose()
            await engine.dispose()

    # The API's reference is for developers, not for whoever reaches a production API.
    docs = (
        settings.api_docs if settings.api_docs is not None else settings.environment != "production"
    )
    app = FastAPI(
        title="callwright",
        version="0.1.0",
        description="Voice agents on your own LiveKit: one call creates a room, "
        "dispatches the agent and returns a participant token.",
        lifespan=lifespan,
        docs_url="/docs" if docs else None,
        redoc_url="/redoc" if docs else None,
        openapi_url="/openapi.json" if docs else None,
    )
    install_error_handlers(app)
    app.add_middleware(MetricsMiddleware)
    app.add_middleware(BodyLimitMiddleware, too_large=RequestTooLargeError)
    for router in (
        sessions.router,
        agents.router,
        agent_stats.router,
        credits.router,
        livekit.router,
        webhook_endpoints.router,
        tool_secret.router,
        connection_test.router,
        api_keys.router,
        usage.router,
        admin.router,
        recordings.router,
        recordings.files_router,
        health.router,
    ):
        app.include_router(router)
    return app


async def _finish(task: asyncio.Task[None]) -> None:
    """Let a pass in progress end (the loop was told to stop), within a bound."""
    done, _ = await asyncio.wait({task}, timeout=10.0)
    if not done:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    elif not task.cancelled() and task.exception() is not None:
        logger.warning("background loop stopped with an error", extra={"task": task.get_name()})

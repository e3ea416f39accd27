"""The page backend's app: the call page's and the console's routes, the page's access
policy and body limit, and the built page (web/dist) at `/`.

    GET  /healthz     liveness
    /api/…            the call page (callwright_web.calls)
    /api/connection-test  the page's "Test connection" (callwright_web.connection_test)
    /api/console/…    the operator console (callwright_web.console)
    GET  /            the built page

Bodies are bounded as they stream in (callwright_http.body_limits).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

from callwright_http.body_limits import BodyLimitMiddleware
from callwright_web.access import PageAccessMiddleware
from callwright_web.calls import calls_router
from callwright_web.connection_test import connection_test_router
from callwright_web.console import console_router
from callwright_web.errors import CONSOLE_OFF, PageRequestTooLarge
from callwright_web.settings import WebSettings, is_loopback

logger = logging.getLogger(__name__)


def _not_built(static_dir: Path) -> HTMLResponse:
    return HTMLResponse(
        "<!doctype html><title>callwright</title><h1>The page is not built</h1>"
        f"<p>No bundle in <code>{static_dir}</code>: run <code>make web-build</code>.</p>",
        status_code=503,
    )


def create_app(
    settings: WebSettings | None = None, *, transport: httpx.AsyncBaseTransport | None = None
) -> FastAPI:
    """Build the page backend; `transport` lets a test reach an in-process issuer."""
    settings = settings or WebSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = settings
        async with httpx.AsyncClient(
            base_url=settings.issuer_url,
            transport=transport,
            timeout=settings.issuer_timeout_seconds,
        ) as client:
            app.state.http = client
            yield

    app = FastAPI(
        title="callwright page", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None
    )
    app.add_middleware(BodyLimitMiddleware, too_large=PageRequestTooLarge)
    app.add_middleware(PageAccessMiddleware, settings=settings)

    async def on_too_large(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, PageRequestTooLarge)
        return exc.error.response()

    app.add_exception_handler(PageRequestTooLarge, on_too_large)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    app.include_router(calls_router(settings))
    app.include_router(connection_test_router(settings))
    if settings.console:
        app.include_router(console_router(settings))
    else:

        @app.get("/console/{rest:path}", include_in_schema=False)
        @app.get("/api/console/{rest:path}", include_in_schema=False)
        async def console_off(rest: str) -> Response:
            return CONSOLE_OFF.response()

    static_dir = settings.static_dir
    if (static_dir / "index.html").is_file():
        app.mount("/", StaticFiles(directory=static_dir, html=True), name="page")
    else:
        logger.warning("page bundle missing", extra={"static_dir": str(static_dir)})

        @app.get("/")
        async def not_built() -> HTMLResponse:
            return _not_built(static_dir)

    return app


def serve(*, host: str | None = None, port: int | None = None) -> None:
    """`callwright web`: serve the page and its backend with uvicorn."""
    import uvicorn

    settings = WebSettings()
    logging.basicConfig(level=logging.INFO)
    host = host or settings.host
    if settings.basic_auth is None and not is_loopback(host):
        # Anyone who reaches the page spends the organization's credits.
        sys.exit(
            f"callwright web: refusing to listen on {host} without CALLWRIGHT_WEB_BASIC_AUTH "
            "(user:password); only a loopback address may serve the page without it."
        )
    uvicorn.run(
        create_app(settings),
        host=host,
        port=port or settings.port,
        log_level="info",
        access_log=False,
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
    )


def main(argv: Sequence[str] | None = None) -> None:
    """`callwright-web` (the web image's command): `callwright web` without the CLI."""
    parser = argparse.ArgumentParser(
        prog="callwright-web", description="serve the browser page and its backend proxy"
    )
    parser.add_argument("--host")
    parser.add_argument("--port", type=int)
    args = parser.parse_args(argv)
    serve(host=args.host, port=args.port)

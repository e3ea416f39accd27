"""The one place where errors become HTTP responses (the API's error body).

    {"error": {"type": ..., "code": ..., "message": ..., "param": ...}}

Domain code raises `CallwrightError` subclasses; FastAPI's own validation and routing
errors, database outages and anything unexpected are mapped here too, so a client never
sees a 422, a stack trace or a bare 500 page.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException as StarletteHTTPException

from callwright_shared.errors import (
    CallwrightError,
    DatabaseUnavailableError,
    InvalidRequestError,
    NotFoundError,
)

logger = logging.getLogger(__name__)

_DATABASE_DOWN = (
    sa_exc.OperationalError,
    sa_exc.InterfaceError,
    sa_exc.TimeoutError,
    ConnectionError,
    TimeoutError,
    OSError,
)


def error_response(error: CallwrightError) -> JSONResponse:
    headers = {}
    if error.retry_after_seconds is not None:
        headers["Retry-After"] = str(error.retry_after_seconds)
    return JSONResponse(error.body(), status_code=error.http_status, headers=headers)


def is_database_down(exc: BaseException) -> bool:
    if isinstance(exc, _DATABASE_DOWN):
        return True
    return isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated


def as_callwright_error(exc: BaseException) -> CallwrightError:
    """What the client is told about an error raised outside a request handler's reach
    (a streamed reply): the error itself, a database outage, or an internal error."""
    if isinstance(exc, CallwrightError):
        return exc
    if is_database_down(exc):
        logger.warning("database unavailable", extra={"error": type(exc).__name__})
        return DatabaseUnavailableError("The database is unavailable. Try again shortly.")
    logger.error("unhandled error", exc_info=exc)
    return CallwrightError("An internal error occurred.")


def install_error_handlers(app: FastAPI) -> None:
    async def on_callwright_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, CallwrightError)
        return error_response(exc)

    async def on_validation_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return error_response(InvalidRequestError.from_validation(exc.errors()))

    async def on_http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        if exc.status_code == 404:
            return error_response(NotFoundError("No such endpoint."))
        if exc.status_code == 405:
            response = error_response(InvalidRequestError("Method not allowed on this endpoint."))
        else:
            response = error_response(CallwrightError(str(exc.detail)))
        response.status_code = exc.status_code
        response.headers.update(exc.headers or {})
        return response

    async def on_database_down(request: Request, exc: Exception) -> JSONResponse:
        logger.warning("database unavailable", extra={"error": type(exc).__name__})
        return error_response(
            DatabaseUnavailableError("The database is unavailable. Try again shortly.")
        )

    async def on_dbapi_error(request: Request, exc: Exception) -> JSONResponse:
        if is_database_down(exc):
            return await on_database_down(request, exc)
        logger.exception("database error", extra={"path": request.url.path})
        return error_response(CallwrightError("An internal error occurred."))

    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        if is_database_down(exc):
            return await on_database_down(request, exc)
        logger.exception("unhandled error", extra={"path": request.url.path})
        return error_response(CallwrightError("An internal error occurred."))

    app.add_exception_handler(CallwrightError, on_callwright_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    for exc_type in _DATABASE_DOWN:
        app.add_exception_handler(exc_type, on_database_down)
    app.add_exception_handler(sa_exc.DBAPIError, on_dbapi_error)
    app.add_exception_handler(Exception, on_unexpected)

"""Liveness, readiness and Prometheus metrics.

Anyone who reaches the API reaches these: `/readyz` costs one `SELECT 1` and one LiveKit
request for a single room name, and `/metrics` needs `CALLWRIGHT_METRICS_TOKEN` as a
bearer token when it is set, and is not served in production when it is not.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, Header, Response
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from callwright_issuer.http.deps import DbSessionDep, RoomsDep, SettingsDep
from callwright_shared.errors import AuthenticationError, CallwrightError, NotFoundError

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    responses={
        200: {"description": "The database and LiveKit are reachable."},
        503: {"description": "The database or LiveKit is unreachable (see `checks`)."},
    },
)
async def readyz(*, db: DbSessionDep, rooms: RoomsDep) -> JSONResponse:
    checks: dict[str, str] = {}
    try:
        await db.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception:  # readiness reports, it never raises
        checks["database"] = "unavailable"
    try:
        await rooms.ping()
        checks["livekit"] = "ok"
    except CallwrightError:
        checks["livekit"] = "unavailable"
    ready = all(v == "ok" for v in checks.values())
    return JSONResponse(
        {"status": "ready" if ready else "unavailable", "checks": checks},
        status_code=200 if ready else 503,
    )


@router.get(
    "/metrics",
    response_class=PlainTextResponse,
    responses={401: {"description": "CALLWRIGHT_METRICS_TOKEN is set and was not given."}},
)
async def metrics(
    *, settings: SettingsDep, authorization: Annotated[str | None, Header()] = None
) -> Response:
    token = settings.metrics_token
    if token is None and settings.environment == "production":
        raise NotFoundError("No such endpoint.")
    if token is not None and not _is_bearer(authorization, token.get_secret_value()):
        raise AuthenticationError(
            "Metrics need the operator's token: Authorization: Bearer <CALLWRIGHT_METRICS_TOKEN>."
        )
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


def _is_bearer(authorization: str | None, token: str) -> bool:
    scheme, _, given = (authorization or "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode(), token.encode()
    )

"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from callwright_issuer.deps import DbSessionDep, RoomsDep
from callwright_shared.errors import CallwrightError

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


@router.get("/metrics", response_class=PlainTextResponse)
async def metrics() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

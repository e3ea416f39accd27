"""The page's "Test connection": POST /api/connection-test → {livekit_url, token}.

The issuer opens a room with no agent and a two-minute token for it (`POST
/v1/connection-test`: no session, nothing charged); the browser runs livekit-client's
`ConnectionCheck` with them. Limited per browser like placing calls, and per API key
by the issuer.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel

from callwright_web.access import CallRateLimit
from callwright_web.errors import NOT_JSON, PageError, too_many
from callwright_web.issuer_client import ask_issuer
from callwright_web.settings import WebSettings


class ConnectionTestOpened(BaseModel):
    livekit_url: str
    token: str


def connection_test_router(settings: WebSettings) -> APIRouter:
    router = APIRouter(prefix="/api")
    limit = CallRateLimit(burst=settings.call_burst, per_minute=settings.calls_per_minute)

    @router.post("/connection-test", response_model=ConnectionTestOpened)
    async def connection_test(request: Request) -> Response | ConnectionTestOpened:
        # JSON only, as every POST of the page: another site's form cannot send it.
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != "application/json":
            return NOT_JSON.response()
        client = request.client.host if request.client else "unknown"
        if (wait := limit.take(client)) is not None:
            return too_many("connection tests", wait).response()
        answer = await ask_issuer(request, "POST", "/v1/connection-test")
        if isinstance(answer, PageError):
            return answer.response()
        opened = answer.json()
        return ConnectionTestOpened(livekit_url=opened["livekit_url"], token=opened["token"])

    return router

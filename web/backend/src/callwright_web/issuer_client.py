"""The issuer's HTTP API, called with the key this server holds: the one way the page
and the console reach callwright (the key never reaches the browser)."""

from __future__ import annotations

import logging
from typing import Any

import httpx
from fastapi import Request
from pydantic import SecretStr

from callwright_web.errors import ISSUER_UNREACHABLE, NO_API_KEY, PageError, friendly_error
from callwright_web.settings import WebSettings

logger = logging.getLogger(__name__)


class IssuerClient:
    """The issuer's HTTP API, called with the key this server holds."""

    def __init__(self, client: httpx.AsyncClient, api_key: SecretStr) -> None:
        self._client = client
        self._api_key = api_key

    async def request(
        self, method: str, path: str, *, json: dict[str, Any] | None = None
    ) -> httpx.Response:
        return await self._client.request(
            method, path, json=json, headers={"X-API-Key": self._api_key.get_secret_value()}
        )


def _issuer(request: Request) -> IssuerClient | None:
    settings: WebSettings = request.app.state.settings
    if settings.api_key is None or not settings.api_key.get_secret_value():
        return None
    return IssuerClient(request.app.state.http, settings.api_key)


async def ask_issuer(
    request: Request, method: str, path: str, *, json: dict[str, Any] | None = None
) -> httpx.Response | PageError:
    """The issuer's 200 answer, or the error to show on the page."""
    issuer = _issuer(request)
    if issuer is None:
        return NO_API_KEY
    try:
        response = await issuer.request(method, path, json=json)
    except httpx.HTTPError:
        logger.warning("issuer unreachable", extra={"path": path})
        return ISSUER_UNREACHABLE
    if response.status_code != 200:
        return friendly_error(response)
    return response

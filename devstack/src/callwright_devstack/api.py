"""What a client of the issuer's HTTP API does and checks, shared by the test tiers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI

from callwright_devstack.tenants import Tenant
from callwright_issuer.app import create_app
from callwright_shared.settings import CallwrightSettings


@asynccontextmanager
async def issuer_client(settings: CallwrightSettings) -> AsyncIterator[httpx.AsyncClient]:
    """The real issuer app, its lifespan run, reached in-process over ASGI."""
    app: FastAPI = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://issuer") as client:
            yield client


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The API's error body with this status and code, and never a stack trace."""
    assert response.status_code == status, response.text
    error: dict[str, Any] = response.json()["error"]
    assert error["code"] == code
    assert error["type"] and error["message"]
    assert "Traceback" not in response.text
    return error


async def credits_of(client: httpx.AsyncClient, tenant: Tenant) -> dict[str, int]:
    response = await client.get("/v1/credits", headers=tenant.headers)
    assert response.status_code == 200, response.text
    body: dict[str, int] = response.json()
    return body


async def create_voice_session(client: httpx.AsyncClient, tenant: Tenant) -> dict[str, Any]:
    response = await client.post(
        "/v1/sessions/voice", json={"agent_id": tenant.agent_id}, headers=tenant.headers
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def session_of(client: httpx.AsyncClient, tenant: Tenant, session_id: str) -> dict[str, Any]:
    response = await client.get(f"/v1/sessions/{session_id}", headers=tenant.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body

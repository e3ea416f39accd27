"""Dependency shortcuts: what a route needs, read as prose in its signature.

Transactions follow the rule of callwright_shared.db.engine. `authenticate` commits
`last_used_at` on its own, at once: on SQLite its write lock must not span the route.

Key scopes are enforced here, in `authenticate`, the one dependency every tenant route
(and its body and parameter checks) reaches a key through: a `sessions` key may call the
routes of `SESSIONS_SCOPE_ROUTES` only, so a new route is `full`-only until listed.
"""

from __future__ import annotations

import asyncio
import hmac
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from callwright_issuer.livekit.rooms import Rooms
from callwright_issuer.sessions.chat_models import ChatModel
from callwright_shared.db.models import utcnow
from callwright_shared.errors import (
    AuthenticationError,
    InsufficientScopeError,
    InvalidRequestError,
    NotFoundError,
)
from callwright_shared.settings import IssuerSettings
from callwright_shared.tenants import api_keys
from callwright_shared.tenants.api_keys import ApiKeyContext

# The getters below are `async def`: FastAPI runs plain `def` dependencies in a thread pool.
ModelT = TypeVar("ModelT", bound=BaseModel)


async def get_settings(request: Request) -> IssuerSettings:
    settings: IssuerSettings = request.app.state.settings
    return settings


async def get_rooms(request: Request) -> Rooms:
    rooms: Rooms = request.app.state.rooms
    return rooms


async def get_chat_model(request: Request) -> ChatModel:
    model: ChatModel = request.app.state.chat_model
    return model


async def get_session_factory(request: Request) -> async_sessionmaker[AsyncSession]:
    factory: async_sessionmaker[AsyncSession] = request.app.state.session_factory
    return factory


async def get_background_tasks(request: Request) -> set[asyncio.Task[Any]]:
    """Tasks that outlive their request (a chat reply); the lifespan waits for them."""
    tasks: set[asyncio.Task[Any]] = request.app.state.background_tasks
    return tasks


async def db_session(request: Request) -> AsyncIterator[AsyncSession]:
    async with request.app.state.session_factory() as session:
        yield session


SettingsDep = Annotated[IssuerSettings, Depends(get_settings)]
RoomsDep = Annotated[Rooms, Depends(get_rooms)]
DbSessionDep = Annotated[AsyncSession, Depends(db_session)]
ChatModelDep = Annotated[ChatModel, Depends(get_chat_model)]
SessionFactoryDep = Annotated[async_sessionmaker[AsyncSession], Depends(get_session_factory)]
BackgroundTasksDep = Annotated[set[asyncio.Task[Any]], Depends(get_background_tasks)]
IdempotencyKeyHeader = Annotated[str | None, Header(alias="Idempotency-Key")]


# (method, route path) a `sessions` key may call: create and end sessions, refresh
# a participant token, send a chat session its messages (a chat widget's proxy does all of
# that: docs/decisions.md#key-scopes). Everything else needs a `full` key.
SESSIONS_SCOPE_ROUTES = frozenset(
    {
        ("POST", "/v1/sessions/voice"),
        ("POST", "/v1/sessions/chat"),
        ("POST", "/v1/sessions/{session_id}/token"),
        ("POST", "/v1/sessions/{session_id}/messages"),
        ("POST", "/v1/sessions/{session_id}/end"),
    }
)


def scope_allows(scope: str, method: str, route_path: str | None) -> bool:
    return scope == "full" or (method, route_path) in SESSIONS_SCOPE_ROUTES


async def authenticate(
    request: Request, db: DbSessionDep, x_api_key: Annotated[str | None, Header()] = None
) -> ApiKeyContext:
    context, touched = await api_keys.authenticate(db, x_api_key, now=utcnow())
    if touched:
        # Commit last_used_at now: on SQLite its write lock must not span the route.
        await db.commit()
    route_path = getattr(request.scope.get("route"), "path", None)
    if not scope_allows(context.scope, request.method, route_path):
        raise InsufficientScopeError(
            f"This key's scope is '{context.scope}': it may create and end sessions, "
            "refresh their tokens and send chat messages only. Use a 'full' key for this call."
        )
    return context


CurrentKey = Annotated[ApiKeyContext, Depends(authenticate)]


# The operator's token as an OpenAPI security scheme: generated clients take it once.
_operator_bearer = HTTPBearer(auto_error=False, scheme_name="OperatorToken")


async def operator(
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_operator_bearer)],
) -> None:
    """The operator API's guard (docs/decisions.md#operator-api): 404 while
    CALLWRIGHT_OPERATOR_TOKEN is unset, 401 unless `Authorization: Bearer <token>`
    (compared in constant time). An organization's key is never the token."""
    token = settings.operator_token
    if token is None:
        raise NotFoundError("No such endpoint (the operator API is off).")
    given = credentials.credentials if credentials is not None else ""
    if not (
        credentials is not None
        and credentials.scheme.lower() == "bearer"
        and hmac.compare_digest(given.strip().encode(), token.get_secret_value().encode())
    ):
        raise AuthenticationError(
            "The operator API needs Authorization: Bearer <CALLWRIGHT_OPERATOR_TOKEN>."
        )


def json_body(
    model: type[ModelT],
) -> Callable[[Request, ApiKeyContext], Coroutine[Any, Any, ModelT]]:
    """A body dependency that runs after authentication (401 before 400); the
    body's size is bounded while it is read (`callwright_http.body_limits.BodyLimitMiddleware`)."""

    async def parse(request: Request, _key: CurrentKey) -> ModelT:
        raw = await request.body()
        try:
            return model.model_validate_json(raw or b"{}")
        except ValidationError as exc:
            raise InvalidRequestError.from_validation(exc.errors()) from None

    return parse


OperatorDep = Annotated[None, Depends(operator)]


def operator_json_body(
    model: type[ModelT],
) -> Callable[[Request, None], Coroutine[Any, Any, ModelT]]:
    """`json_body` for the operator API: parsed after the operator's token is checked."""

    async def parse(request: Request, _operator: OperatorDep) -> ModelT:
        raw = await request.body()
        try:
            return model.model_validate_json(raw or b"{}")
        except ValidationError as exc:
            raise InvalidRequestError.from_validation(exc.errors()) from None

    return parse


def body_schema(model: type[BaseModel]) -> dict[str, Any]:
    """openapi_extra documenting a body that `json_body` parses (refs inlined)."""
    schema = model.model_json_schema()
    defs = schema.pop("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return inline(defs[ref.removeprefix("#/$defs/")])
            return {k: inline(v) for k, v in node.items()}
        if isinstance(node, list):
            return [inline(v) for v in node]
        return node

    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": inline(schema)}},
        }
    }

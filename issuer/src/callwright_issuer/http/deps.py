"""Dependency shortcuts: what a route needs, read as prose in its signature.

Transactions follow the rule of callwright_shared.db.engine. `authenticate` commits
`last_used_at` on its own, at once: on SQLite its write lock must not span the route.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Header, Request
from pydantic import BaseModel, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from callwright_issuer.livekit.rooms import Rooms
from callwright_issuer.sessions.chat_models import ChatModel
from callwright_shared.db.models import utcnow
from callwright_shared.errors import InvalidRequestError
from callwright_shared.settings import CallwrightSettings
from callwright_shared.tenants import api_keys
from callwright_shared.tenants.api_keys import ApiKeyContext

# The getters below are `async def`: FastAPI runs plain `def` dependencies in a thread pool.
ModelT = TypeVar("ModelT", bound=BaseModel)


async def get_settings(request: Request) -> CallwrightSettings:
    settings: CallwrightSettings = request.app.state.settings
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


SettingsDep = Annotated[CallwrightSettings, Depends(get_settings)]
RoomsDep = Annotated[Rooms, Depends(get_rooms)]
DbSessionDep = Annotated[AsyncSession, Depends(db_session)]
ChatModelDep = Annotated[ChatModel, Depends(get_chat_model)]
SessionFactoryDep = Annotated[async_sessionmaker[AsyncSession], Depends(get_session_factory)]
BackgroundTasksDep = Annotated[set[asyncio.Task[Any]], Depends(get_background_tasks)]
IdempotencyKeyHeader = Annotated[str | None, Header(alias="Idempotency-Key")]


async def authenticate(
    db: DbSessionDep, x_api_key: Annotated[str | None, Header()] = None
) -> ApiKeyContext:
    context, touched = await api_keys.authenticate(db, x_api_key, now=utcnow())
    if touched:
        # Commit last_used_at now: on SQLite its write lock must not span the route.
        await db.commit()
    return context


CurrentKey = Annotated[ApiKeyContext, Depends(authenticate)]


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

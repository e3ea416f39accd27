"""Create Chat Session and Send Message (SPEC §5).

Create Chat Session: the agent must have an LLM (`text` or `pipeline`; `realtime` → 400
`agent_architecture_unsupported`); under the organization's lock (`admission.admit`) the
idempotency key and the concurrency limit are checked, the organization must be able to
pay for one message (402), and the session is recorded `active`, with the agent's
`credits_per_message` fixed for its lifetime and an `expires_at`
(CALLWRIGHT_CHAT_SESSION_TTL_SECONDS).

Send Message: the session must be an open chat session of the key's organization (404 /
400 / 409 `session_ended`, also once it expired); the message's price is held
(`chat.reserve_message`, 402 when it cannot be paid), the agent's LLM runs with the
agent's instructions, model and temperature and the session's whole history, and then
the price is captured with the turn appended to the history — or released when the
provider failed (502 `provider_error`, nothing charged, nothing recorded).

The LLM call and its settlement run in a task of their own (`MessageRun`), with their own
database session: a client that disconnects in the middle of a streamed reply does not
stop it, so a reply the provider produced is always recorded and paid for exactly once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from callwright_issuer.admission import IdempotentRequest, admit, agent_for, recorded_response
from callwright_issuer.chat_models import ChatDelta, ChatModel, ChatRequest
from callwright_issuer.schemas import (
    ChatMessage,
    ChatSessionCreate,
    ChatSessionCreated,
    MessageCreate,
    MessageReply,
    MessageUsage,
)
from callwright_shared import agents, chat, idempotency, pricing, sessions
from callwright_shared.api_keys import ApiKeyContext
from callwright_shared.chat import Turn
from callwright_shared.db.models import Architecture, EndReason, Session, SessionKind, utcnow
from callwright_shared.errors import (
    InsufficientCreditsError,
    InvalidRequestError,
    SessionEndedError,
)
from callwright_shared.ids import new_session_id
from callwright_shared.settings import CallwrightSettings

logger = logging.getLogger(__name__)

CHAT_ARCHITECTURES = (Architecture.TEXT, Architecture.PIPELINE)
ENDPOINT = "POST /v1/sessions/chat"


@dataclass(frozen=True, slots=True)
class ChatCreation:
    response: ChatSessionCreated
    replayed: bool = False


async def create_chat_session(
    db: AsyncSession,
    *,
    key: ApiKeyContext,
    body: ChatSessionCreate,
    settings: CallwrightSettings,
    idempotency_key: str | None = None,
) -> ChatCreation:
    request = IdempotentRequest.of(
        idempotency_key, endpoint=ENDPOINT, user_id=key.user_id, body=body
    )
    replay = await recorded_response(db, org_id=key.org_id, request=request)
    if replay is not None:
        return ChatCreation(ChatSessionCreated.model_validate(replay), replayed=True)

    agent = await agent_for(
        db,
        org_id=key.org_id,
        agent_id=body.agent_id,
        architectures=CHAT_ARCHITECTURES,
        needs="chat sessions need an agent with an LLM (text or pipeline)",
    )
    credits_per_message = (await pricing.price_of(db, agent, settings)).credits_per_message
    agent_id, agent_name = agent.id, agent.name
    session_id = new_session_id()
    try:
        admission = await admit(db, org_id=key.org_id, request=request)
        if admission.replay is not None:
            await db.rollback()
            return ChatCreation(ChatSessionCreated.model_validate(admission.replay), replayed=True)
        if admission.balance.available < credits_per_message:
            raise InsufficientCreditsError(
                "The organization does not have enough credits for a chat message."
            )
        row = chat.new_chat_session(
            session_id=session_id,
            org_id=key.org_id,
            user_id=key.user_id,
            agent_id=agent_id,
            credits_per_message=credits_per_message,
            ttl_seconds=settings.chat_session_ttl_seconds,
            metadata=body.metadata,
        )
        db.add(row)
        await db.flush()
        response = ChatSessionCreated(
            session_id=session_id, agent_name=agent_name, expires_at=chat.expires_at(row)
        )
        if request is not None:
            await idempotency.record(
                db,
                org_id=key.org_id,
                key=request.key,
                request_hash=request.request_hash,
                session_id=session_id,
                response=response.model_dump(mode="json"),
            )
        await db.commit()
    except BaseException:
        await db.rollback()
        raise
    logger.info(
        "chat session created",
        extra={"session_id": session_id, "agent_id": agent_id, "org_id": key.org_id},
    )
    return ChatCreation(response)


async def start_message(
    db: AsyncSession,
    *,
    key: ApiKeyContext,
    session_id: str,
    body: MessageCreate,
    model: ChatModel,
    session_factory: async_sessionmaker[AsyncSession],
    tasks: set[asyncio.Task[Any]],
) -> MessageRun:
    """Check the session, hold the message's price, open the LLM call; then run it.

    Every error before the reply starts is raised here (404/400/409/402/502), with
    nothing charged.
    """
    row = await sessions.get_session(db, org_id=key.org_id, session_id=session_id)
    if row.kind is not SessionKind.CHAT:
        raise InvalidRequestError(
            "This is a voice session; messages are sent to chat sessions.", param="session_id"
        )
    await _refuse_ended(db, row)
    agent = await agents.get_agent(db, org_id=key.org_id, agent_id=row.agent_id)
    config = agents.config_of(agent)
    history = [*chat.history_of(row), Turn(role="user", content=body.message)]
    await db.commit()  # a clean transaction for the hold

    try:
        held = await chat.reserve_message(db, row)
        await db.commit()
    except BaseException:
        await db.rollback()
        raise

    settle = _MessageCredits(session_factory, row=row, held=held, user_message=body.message)
    try:
        deltas = await model.stream(
            ChatRequest(
                model=config.llm_model,
                temperature=config.temperature,
                instructions=config.instructions,
                history=history,
            )
        )
    except BaseException:
        await settle.release()
        raise
    return MessageRun(deltas, settle=settle, tasks=tasks)


async def _refuse_ended(db: AsyncSession, row: Session) -> None:
    if row.settled_at is not None:
        raise SessionEndedError(f"Session '{row.id}' has ended.")
    if utcnow() >= chat.expires_at(row):
        await sessions.settle(db, row.id, end_reason=EndReason.MAX_DURATION_REACHED)
        await db.commit()
        raise SessionEndedError(f"Session '{row.id}' has expired.")


class _MessageCredits:
    """Capture or release one message's hold, in a database session of its own."""

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        *,
        row: Session,
        held: int,
        user_message: str,
    ) -> None:
        self._session_factory = session_factory
        self._row = row
        self._held = held
        self._user_message = user_message

    @property
    def held(self) -> int:
        return self._held

    async def capture(self, reply: str, usage: chat.MessageUsage | None) -> bool:
        turns = [Turn(role="user", content=self._user_message), Turn("assistant", reply)]
        return await self._finish(turns, usage)

    async def release(self) -> None:
        try:
            await self._finish(None, None)
        except Exception as exc:  # the session's settlement releases it in the end
            logger.warning(
                "chat message hold not released",
                extra={"session_id": self._row.id, "error": type(exc).__name__},
            )

    async def _finish(self, turns: list[Turn] | None, usage: chat.MessageUsage | None) -> bool:
        async with self._session_factory() as db:
            try:
                finished = await chat.finish_message(
                    db, self._row, held=self._held, turns=turns, usage=usage
                )
                await db.commit()
            except BaseException:
                await db.rollback()
                raise
        return finished


@dataclass(frozen=True, slots=True)
class ReplyDelta:
    content: str


class MessageRun:
    """The LLM's reply being read, in a task that also settles the message's credits.

    `events()` yields `ReplyDelta`s, then the `MessageReply` or the error that ended it;
    `result()` waits for the reply (or raises).
    """

    def __init__(
        self,
        deltas: AsyncIterator[ChatDelta],
        *,
        settle: _MessageCredits,
        tasks: set[asyncio.Task[Any]],
    ) -> None:
        self._events: asyncio.Queue[ReplyDelta | MessageReply | Exception] = asyncio.Queue()
        self._task = asyncio.create_task(self._run(deltas, settle))
        tasks.add(self._task)
        self._task.add_done_callback(tasks.discard)
        self._task.add_done_callback(_retrieve_exception)

    async def _run(self, deltas: AsyncIterator[ChatDelta], settle: _MessageCredits) -> MessageReply:
        parts: list[str] = []
        usage: chat.MessageUsage | None = None
        try:
            try:
                async for delta in deltas:
                    if delta.content:
                        parts.append(delta.content)
                        self._events.put_nowait(ReplyDelta(delta.content))
                    if delta.usage is not None:
                        usage = delta.usage
            except BaseException:
                await settle.release()
                raise
            reply = "".join(parts)
            if not await settle.capture(reply, usage):
                raise SessionEndedError("The session ended while the reply was being written.")
            result = MessageReply(
                message=ChatMessage(content=reply),
                usage=MessageUsage(
                    prompt_tokens=usage.prompt_tokens if usage else 0,
                    completion_tokens=usage.completion_tokens if usage else 0,
                    total_tokens=usage.total_tokens if usage else 0,
                    credits_charged=settle.held,
                ),
            )
        except Exception as exc:
            self._events.put_nowait(exc)
            raise
        self._events.put_nowait(result)
        return result

    async def result(self) -> MessageReply:
        return await asyncio.shield(self._task)

    async def events(self) -> AsyncIterator[ReplyDelta | MessageReply | Exception]:
        while True:
            event = await self._events.get()
            yield event
            if not isinstance(event, ReplyDelta):
                return


def _retrieve_exception(task: asyncio.Task[Any]) -> None:
    # The error reaches the client through `events()` / `result()`; mark it retrieved.
    if not task.cancelled():
        task.exception()

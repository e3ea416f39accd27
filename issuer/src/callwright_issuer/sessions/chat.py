"""Create Chat Session and Send Message.

Create Chat Session: the agent must have an LLM (`text` or `pipeline`; `realtime` → 400
`agent_architecture_unsupported`); under the organization's lock (`admission.admitted`) the
idempotency key and the concurrency limit are checked, the organization must be able to
pay for one message (402), and the session is recorded `active`, with the agent's
`credits_per_message` fixed for its lifetime and an `expires_at`
(CALLWRIGHT_CHAT_SESSION_TTL_SECONDS).

Send Message: the session must be an open chat session of the key's organization (404 /
400 / 409 `session_ended`, also once it expired) below its message limit (409
`message_limit_reached`); the message's price is held (`chat.reserve_message`, 402 when
it cannot be paid), and the agent's LLM runs with the agent's instructions, model and
temperature and the newest turns of the session's history (`chat.context_of`).

A reply is charged when it reaches the client, exactly once:
- streamed (server-sent events): the price is captured as the first words go out, and
  the turn is recorded when the reply stops. The session's state is re-read at most every
  CALLWRIGHT_CHAT_STREAM_CHECK_SECONDS while the reply is written: once the session has
  ended (End Session on any issuer, its expiry), no more words go out — the client gets an
  `error` event `session_ended` — and what was delivered stays charged and recorded;
- whole (JSON): the price is captured with the turn when the reply is complete; a
  session that ended meanwhile gets 409 `session_ended` and is charged nothing.
A provider failure before any words went out releases the hold (502 `provider_error`,
nothing charged, nothing recorded).

Tools: the agent's HTTP tools are declared to the model; a reply that is a round of tool
calls runs them (callwright_shared.tools, signed with the organization's secret) and asks
the model again with their results, at most CALLWRIGHT_CHAT_MAX_TOOL_ROUNDS rounds per
message (then the model must answer in words). A failed call whose tool has
`messages.failed` ends the reply with that message. The calls are recorded as `tool`
entries between the user's message and the reply; the message is charged once, like any
other (the tool rounds are part of it).

The LLM call and its settlement run in a task of their own (`MessageRun`), with their own
database sessions: a client that disconnects in the middle of a streamed reply does not
stop it, so a reply the provider produced is always recorded and paid for exactly once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Coroutine, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from callwright_issuer.schemas import (
    ChatMessage,
    ChatSessionCreate,
    ChatSessionCreated,
    MessageCreate,
    MessageReply,
    MessageUsage,
)
from callwright_issuer.sessions.admission import (
    Created,
    IdempotentRequest,
    Replayed,
    admitted,
    plan_session,
    remember,
)
from callwright_issuer.sessions.chat_models import (
    ChatDelta,
    ChatModel,
    ChatRequest,
    ToolCallRequest,
    ToolRound,
)
from callwright_shared import outbound
from callwright_shared.agents import definitions as agents
from callwright_shared.calls.records import TurnLatency, milliseconds
from callwright_shared.db.engine import org_write
from callwright_shared.db.models import EndReason, Session, SessionKind, utcnow
from callwright_shared.errors import (
    InsufficientCreditsError,
    InvalidRequestError,
    SessionEndedError,
)
from callwright_shared.sessions import chat
from callwright_shared.sessions import config as session_config
from callwright_shared.sessions import lifecycle as sessions
from callwright_shared.sessions.chat import Turn
from callwright_shared.settings import IssuerSettings
from callwright_shared.tenants.api_keys import ApiKeyContext
from callwright_shared.tools.executor import (
    ToolCallContext,
    ToolOutcome,
    call_http_tool,
    failure_message,
    record_of,
)
from callwright_shared.tools.models import HttpTool, raw_schema
from callwright_shared.tools.signing_secret import signing_secret_of

logger = logging.getLogger(__name__)

_T = TypeVar("_T")
ENDPOINT = "POST /v1/sessions/chat"


async def create_chat_session(
    db: AsyncSession,
    *,
    key: ApiKeyContext,
    body: ChatSessionCreate,
    settings: IssuerSettings,
    idempotency_key: str | None = None,
) -> Created[ChatSessionCreated]:
    request = IdempotentRequest.of(
        idempotency_key, endpoint=ENDPOINT, user_id=key.user_id, body=body
    )
    try:
        plan = await plan_session(
            db, key=key, kind=SessionKind.CHAT, body=body, request=request, settings=settings
        )
        session_id, resolved = plan.session_id, plan.resolved
        credits_per_message = plan.price.credits_per_message
        async with admitted(
            db,
            org_id=key.org_id,
            request=request,
            default_limit=settings.default_max_concurrent_sessions,
        ) as org_lock:
            if org_lock.available_to_hold < credits_per_message:
                raise InsufficientCreditsError(
                    "The organization does not have enough credits for a chat message."
                )
            row = chat.new_chat_session(
                session_id=session_id,
                org_id=key.org_id,
                user_id=key.user_id,
                agent_id=plan.agent_id,
                credits_per_message=credits_per_message,
                ttl_seconds=settings.chat_session_ttl_seconds,
                metadata=body.metadata,
                config=resolved.snapshot(),
            )
            await sessions.record_created(db, row)
            response = ChatSessionCreated(
                session_id=session_id,
                agent_name=plan.agent_name,
                expires_at=chat.expires_at(row),
                variables=resolved.shown_variables(),
                applied_overrides=resolved.overrides,
            )
            await remember(
                db,
                request,
                org_id=key.org_id,
                session_id=session_id,
                response=response.model_dump(mode="json"),
            )
    except Replayed as replayed:
        return Created(ChatSessionCreated.model_validate(replayed.response), replayed=True)
    logger.info(
        "chat session created",
        extra={"session_id": session_id, "agent_id": plan.agent_id, "org_id": key.org_id},
    )
    return Created(response)


async def start_message(
    db: AsyncSession,
    *,
    key: ApiKeyContext,
    session_id: str,
    body: MessageCreate,
    model: ChatModel,
    session_factory: async_sessionmaker[AsyncSession],
    tasks: set[asyncio.Task[Any]],
    settings: IssuerSettings,
    streamed: bool,
) -> MessageRun:
    """Check the session, hold the message's price, open the LLM call; then run it.

    Every error before the reply starts is raised here (404/400/409/402/502), with
    nothing charged. `streamed`: the reply goes out as it is written (server-sent events).
    """
    row = await sessions.get_session(db, org_id=key.org_id, session_id=session_id)
    if row.kind is not SessionKind.CHAT:
        raise InvalidRequestError(
            "This is a voice session; messages are sent to chat sessions.", param="session_id"
        )
    await _refuse_ended(db, row)
    agent = await agents.get_agent(db, org_id=key.org_id, agent_id=row.agent_id)
    config = session_config.stored_config(row.config) or agents.config_of(agent)
    history = chat.context_of(
        row,
        body.message,
        max_turns=settings.chat_history_max_turns,
        max_chars=settings.chat_history_max_chars,
    )
    # Built-ins (end_call, transfer) act on a call: chat offers the HTTP tools only.
    http_tools = [t for t in config.tools if isinstance(t, HttpTool)]
    runner = (
        _ChatTools(
            http_tools,
            row=row,
            secret=await signing_secret_of(db, row.org_id),
            allow_private=settings.tools_allow_private_networks,
        )
        if http_tools
        else None
    )
    await db.commit()  # a clean transaction for the hold

    async with org_write(db):
        held = await chat.reserve_message(
            db, row, max_messages=settings.chat_max_messages_per_session
        )

    settle = _MessageCredits(
        session_factory,
        row=row,
        held=held,
        user_message=body.message,
        tool_turns=runner.turns if runner else [],
    )
    request = ChatRequest(
        provider=config.llm.provider,
        model=config.llm.model,
        temperature=config.llm.temperature,
        instructions=config.instructions,
        history=history,
        tools=[raw_schema(t) for t in http_tools],
    )
    # The first token's latency counts from the request, connection and headers included
    # (they are part of what the user waits for).
    asked = time.perf_counter()
    try:
        deltas = await model.stream(request)
    except BaseException:
        await settle.release()
        raise
    if runner is not None:
        deltas = _with_tools(
            deltas,
            model=model,
            request=request,
            runner=runner,
            max_rounds=settings.chat_max_tool_rounds,
        )
    return MessageRun(
        deltas,
        settle=settle,
        asked=asked,
        streamed=streamed,
        check_every=settings.chat_stream_check_seconds,
        tasks=tasks,
    )


async def _refuse_ended(db: AsyncSession, row: Session) -> None:
    if row.settled_at is not None:
        raise SessionEndedError(f"Session '{row.id}' has ended.")
    if utcnow() >= chat.expires_at(row):
        async with org_write(db):
            await sessions.settle(db, row.id, end_reason=EndReason.MAX_DURATION_REACHED)
        raise SessionEndedError(f"Session '{row.id}' has expired.")


class _MessageCredits:
    """One message's hold: captured, released or recorded, each in a database session of
    its own."""

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        *,
        row: Session,
        held: int,
        user_message: str,
        tool_turns: list[Turn],
    ) -> None:
        self._session_factory = session_factory
        self._row = row
        self._held = held
        self._user_message = user_message
        # Filled while the reply runs (`_ChatTools`); recorded with the reply.
        self._tool_turns = tool_turns

    @property
    def held(self) -> int:
        return self._held

    async def capture(
        self, reply: str, usage: chat.MessageUsage | None, latency: TurnLatency | None
    ) -> bool:
        """A whole reply: charged with its turns, unless the session ended (False)."""
        turns = self._turns(reply, latency)
        return await self._in_transaction(
            lambda db: chat.finish_message(db, self._row, held=self._held, turns=turns, usage=usage)
        )

    async def charge_delivery(self) -> bool:
        """A streamed reply's first words: charged, unless the session ended (False)."""
        return await self._in_transaction(
            lambda db: chat.capture_message(db, self._row, held=self._held)
        )

    async def record_delivered(
        self, reply: str, usage: chat.MessageUsage | None, latency: TurnLatency | None
    ) -> None:
        """The turns of a charged streamed reply (whole or cut short)."""
        turns = self._turns(reply, latency)
        await self._in_transaction(
            lambda db: chat.record_reply(db, self._row, turns=turns, usage=usage)
        )

    async def session_ended(self) -> bool:
        async with self._session_factory() as db:
            return await chat.is_settled(db, self._row)

    async def release(self) -> None:
        try:
            await self._in_transaction(
                lambda db: chat.finish_message(
                    db, self._row, held=self._held, turns=None, usage=None
                )
            )
        except Exception as exc:  # the session's settlement releases it in the end
            logger.warning(
                "chat message hold not released",
                extra={"session_id": self._row.id, "error": type(exc).__name__},
            )

    def _turns(self, reply: str, latency: TurnLatency | None) -> list[Turn]:
        return [
            Turn(role="user", content=self._user_message),
            *self._tool_turns,
            Turn("assistant", reply, latency=latency),
        ]

    async def _in_transaction(self, step: Callable[[AsyncSession], Coroutine[Any, Any, _T]]) -> _T:
        async with self._session_factory() as db, org_write(db):
            return await step(db)


# One message's tool calls are bounded twice (docs/security.md#chat-tool-fan-out): at most
# this many run per round (the model's others are answered "not run"), and all of them
# together within this many seconds of the message's first call.
MAX_TOOL_CALLS_PER_ROUND = 8
MESSAGE_TOOLS_DEADLINE_SECONDS = 60.0


class _ChatTools:
    """Runs one message's tool calls and keeps their transcript entries."""

    def __init__(
        self,
        http_tools: Sequence[HttpTool],
        *,
        row: Session,
        secret: str,
        allow_private: outbound.AllowPrivate,
        deadline_seconds: float = MESSAGE_TOOLS_DEADLINE_SECONDS,
    ) -> None:
        self._deadline_seconds = deadline_seconds
        self._deadline: float | None = None
        self._tools = {t.name: t for t in http_tools}
        self._context = ToolCallContext(
            session_id=row.id,
            agent_id=row.agent_id,
            user_id=row.user_id,
            organization_id=row.org_id,
            kind="chat",
            metadata=dict(row.request_metadata or {}),
        )
        self._secret = secret
        self._allow_private = allow_private
        self.turns: list[Turn] = []

    async def run(self, calls: Sequence[ToolCallRequest]) -> tuple[dict[str, str], str | None]:
        """Each call's output for the model (by call id), and what the agent says instead
        of asking the model again (a failed tool's `messages.failed`), if anything."""
        outputs: dict[str, str] = {}
        said: str | None = None
        loop = asyncio.get_running_loop()
        if self._deadline is None:
            self._deadline = loop.time() + self._deadline_seconds
        for index, call in enumerate(calls):
            tool = self._tools.get(call.name)
            left = self._deadline - loop.time()
            if tool is None:
                outcome = ToolOutcome(
                    ok=False, outcome="invalid_arguments", output=f"there is no tool {call.name}"
                )
            elif index >= MAX_TOOL_CALLS_PER_ROUND:
                outcome = ToolOutcome(
                    ok=False,
                    outcome="refused",
                    output=f"{call.name} not run: at most {MAX_TOOL_CALLS_PER_ROUND} tool "
                    "calls at once",
                )
            elif left <= 0:
                outcome = ToolOutcome(
                    ok=False,
                    outcome="timeout",
                    output=f"{call.name} not run: this message's time for tools is spent",
                )
            else:
                try:
                    async with asyncio.timeout(left):
                        outcome = await call_http_tool(
                            tool,
                            arguments=call.arguments,
                            call_id=call.call_id,
                            context=self._context,
                            signing_secret=self._secret,
                            allow_private=self._allow_private,
                        )
                except TimeoutError:
                    outcome = ToolOutcome(
                        ok=False, outcome="timeout", output=f"{tool.name} timed out"
                    )
                said = said or failure_message(tool, outcome)
            record = record_of(
                call.name, call_id=call.call_id, arguments=call.arguments, outcome=outcome
            )
            self.turns.append(Turn(role="tool", content=call.name[:64], tool=record))
            outputs[call.call_id] = outcome.output
        return outputs, said

    @property
    def out_of_time(self) -> bool:
        return self._deadline is not None and asyncio.get_running_loop().time() >= self._deadline


async def _with_tools(
    first: AsyncGenerator[ChatDelta, None],
    *,
    model: ChatModel,
    request: ChatRequest,
    runner: _ChatTools,
    max_rounds: int,
) -> AsyncGenerator[ChatDelta, None]:
    """The reply's deltas across its tool rounds: words pass through, tool calls run
    and the model is asked again; the usage of every round is summed at the end."""
    deltas = first
    rounds: list[ToolRound] = []
    prompt = completion = 0
    counted = False
    while True:
        calls: Sequence[ToolCallRequest] = ()
        async with contextlib.aclosing(deltas):
            async for delta in deltas:
                if delta.usage is not None:
                    counted = True
                    prompt += delta.usage.prompt_tokens
                    completion += delta.usage.completion_tokens
                if delta.tool_calls:
                    calls = delta.tool_calls
                if delta.content:
                    yield ChatDelta(content=delta.content)
        # Calls past the last round (the model was told to answer in words) are ignored.
        if not calls or len(rounds) >= max_rounds:
            break
        outputs, said = await runner.run(calls)
        rounds.append(ToolRound(calls=calls, outputs=outputs))
        if runner.out_of_time:
            max_rounds = len(rounds)  # the model answers in words now
        if said is not None:
            yield ChatDelta(content=said)
            break
        deltas = await model.stream(
            replace(
                request,
                rounds=tuple(rounds),
                tool_choice="none" if len(rounds) >= max_rounds else "auto",
            )
        )
    if counted:
        yield ChatDelta(usage=chat.MessageUsage(prompt_tokens=prompt, completion_tokens=completion))


@dataclass(frozen=True, slots=True)
class ReplyDelta:
    content: str


class MessageRun:
    """The LLM's reply being read, in a task that also settles the message's credits.

    `events()` yields `ReplyDelta`s (a streamed reply only), then the `MessageReply` or
    the error that ended it; `result()` waits for the reply (or raises).
    """

    def __init__(
        self,
        deltas: AsyncGenerator[ChatDelta, None],
        *,
        settle: _MessageCredits,
        asked: float,
        streamed: bool,
        check_every: float,
        tasks: set[asyncio.Task[Any]],
    ) -> None:
        self._events: asyncio.Queue[ReplyDelta | MessageReply | Exception] = asyncio.Queue()
        self._settle = settle
        self._asked = asked  # perf_counter() when the model was asked
        self._streamed = streamed
        self._check_every = check_every
        self._task = asyncio.create_task(self._run(deltas))
        tasks.add(self._task)
        self._task.add_done_callback(tasks.discard)
        self._task.add_done_callback(_retrieve_exception)

    async def _run(self, deltas: AsyncGenerator[ChatDelta, None]) -> MessageReply:
        try:
            result = await self._read(deltas)
        except Exception as exc:
            self._events.put_nowait(exc)
            raise
        self._events.put_nowait(result)
        return result

    async def _read(self, deltas: AsyncGenerator[ChatDelta, None]) -> MessageReply:
        settle = self._settle
        delivered: list[str] = []  # streamed words that went out: charged once the first did
        parts: list[str] = []
        usage: chat.MessageUsage | None = None
        asked = self._asked
        latency: TurnLatency | None = None
        ended = False
        # A whole reply's hold was just taken: its first check can wait an interval.
        checked_until = 0.0 if self._streamed else time.monotonic() + self._check_every
        try:
            async with contextlib.aclosing(deltas):  # closing it ends the provider call
                async for delta in deltas:
                    if delta.usage is not None:
                        usage = delta.usage
                    if not delta.content:
                        continue
                    if latency is None:
                        latency = TurnLatency(llm_ttft_ms=milliseconds(time.perf_counter() - asked))
                    parts.append(delta.content)
                    if time.monotonic() >= checked_until:
                        if not await self._may_go_on(charged=bool(delivered)):
                            ended = True
                            break
                        checked_until = time.monotonic() + self._check_every
                    if self._streamed:
                        delivered.append(delta.content)
                        self._events.put_nowait(ReplyDelta(delta.content))
        except BaseException:
            if delivered:
                await self._record_quietly("".join(delivered), usage, latency)
            else:
                await settle.release()
            raise
        if not ended:
            return await self._complete("".join(parts), usage, latency, charged=bool(delivered))
        if delivered:
            await settle.record_delivered("".join(delivered), usage, latency)
        raise SessionEndedError("The session ended while the reply was being written.")

    async def _may_go_on(self, *, charged: bool) -> bool:
        """Whether the session is still open; a streamed reply's first words are charged
        by this very check (`capture_message` is conditional on the session being open)."""
        if self._streamed and not charged:
            return await self._settle.charge_delivery()
        return not await self._settle.session_ended()

    async def _complete(
        self,
        reply: str,
        usage: chat.MessageUsage | None,
        latency: TurnLatency | None,
        *,
        charged: bool,
    ) -> MessageReply:
        if charged:
            await self._settle.record_delivered(reply, usage, latency)
        elif not await self._settle.capture(reply, usage, latency):
            raise SessionEndedError("The session ended while the reply was being written.")
        return MessageReply(
            message=ChatMessage(content=reply),
            usage=MessageUsage(
                prompt_tokens=usage.prompt_tokens if usage else 0,
                completion_tokens=usage.completion_tokens if usage else 0,
                total_tokens=usage.total_tokens if usage else 0,
                credits_charged=self._settle.held,
            ),
        )

    async def _record_quietly(
        self, reply: str, usage: chat.MessageUsage | None, latency: TurnLatency | None
    ) -> None:
        try:
            await self._settle.record_delivered(reply, usage, latency)
        except Exception as exc:  # charged already; only the transcript misses the turn
            logger.warning("delivered chat reply not recorded", extra={"error": type(exc).__name__})

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

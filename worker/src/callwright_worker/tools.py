"""An agent's tools in a call: livekit-agents function tools built
from the session's configuration snapshot, the same in every architecture.

- `http`: `function_tool(handler, raw_schema=raw_schema(tool))`; the handler runs the
  shared executor (`callwright_shared.tools.executor.call_http_tool`, signed with the
  organization's secret read once at job start). While it waits the agent says the
  tool's `messages.waiting` (after `waiting_after_ms`, through the call's own `speak`:
  realtime models cannot `say()`); a failure with `messages.failed` has the agent say
  exactly that and asks no reply of the model (the error stays in its context), one
  without it hands the model the short error to answer in its own words. The call
  goes on either way.
- `end_call`: the agent says the goodbye (the tool's, or DEFAULT_GOODBYE; a pipeline
  agent's is not cut off by the caller talking over it), and once it has played the
  call ends with `agent_ended` through the recipe's one ending
  (`Call._end`), never livekit's EndCallTool, which shuts the session down itself and
  races the settlement.
- `transfer`: another agent of the same organization takes over in the same room (a
  livekit handoff): its instructions, rendered with the session's variables, and its
  tools. The conversation so far goes with it (tool calls left out: they belong to the
  first agent's tools); the session keeps its price, time limit and models. A target
  of another architecture or realtime provider, deleted or of another organization is
  refused: the agent says TRANSFER_FAILED and carries on.

Every call is one transcript entry of role `tool` (`callwright_shared.calls.records.ToolCall`:
name, arguments, outcome, HTTP status, latency), and the caller's page is told on the
TOOL_TOPIC text stream when it starts and ends (the tool's name and status only: never
its arguments or result).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import AsyncGenerator, AsyncIterable, Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, Protocol

import httpx
from livekit import rtc
from livekit.agents import Agent, ModelSettings, RunContext, ToolResult, function_tool, llm, stt
from livekit.agents.voice.speech_handle import SpeechHandle

from callwright_shared import outbound
from callwright_shared.agents.definitions import AgentConfig
from callwright_shared.calls.records import TranscriptEntry
from callwright_shared.db.models import EndReason
from callwright_shared.tools.executor import ToolCallContext, ToolOutcome, call_http_tool, record_of
from callwright_shared.tools.models import EndCallTool, HttpTool, Tool, TransferTool, raw_schema
from callwright_worker.backchannels import without_backchannels

logger = logging.getLogger(__name__)

TOOL_TOPIC = "callwright.tool_call"
DEFAULT_GOODBYE = "Thank you for calling. Goodbye!"
TRANSFER_FAILED = "Sorry, I can't transfer you right now."
# A goodbye that never finishes playing (the user talks over a realtime model that
# ignores it) still ends the call.
GOODBYE_PLAYOUT_TIMEOUT_S = 30.0

ToolStatus = Literal["running", "done", "failed"]
# What livekit-agents calls for a raw-schema tool: the arguments bound by the name
# `raw_arguments`, the run context by its annotation.
Handler = Callable[[dict[str, Any], RunContext[None]], Awaitable[Any]]


@dataclass(frozen=True, slots=True)
class TransferTarget:
    agent_id: str
    name: str
    config: AgentConfig


class CallHooks(Protocol):
    """What the tools need of the call they run in (callwright_worker.call.Call)."""

    def speak(self, text: str, *, last_words: bool = False) -> SpeechHandle: ...

    def end(self, reason: EndReason) -> None: ...

    def record(self, entry: TranscriptEntry) -> None: ...

    def publish(self, update: dict[str, str]) -> None: ...

    async def transfer_target(self, agent_id: str) -> TransferTarget | str:
        """The agent to hand over to, or why it cannot be (kept in the tool record, not said)."""
        ...

    def transferred(self, target: TransferTarget) -> None: ...


class CallAgent(Agent):
    """The agent of a call; one taken over by a transfer speaks first. With
    `ignore_backchannels`, what the caller says over it only to show they are listening
    does not reach livekit's turn handling (callwright_worker.backchannels)."""

    def __init__(
        self,
        *,
        instructions: str,
        tools: list[llm.Tool | llm.Toolset],
        chat_ctx: llm.ChatContext | None = None,
        reply_on_enter: bool = False,
        ignore_backchannels: bool = False,
    ) -> None:
        super().__init__(instructions=instructions, tools=tools, chat_ctx=chat_ctx)
        self._reply_on_enter = reply_on_enter
        self._ignore_backchannels = ignore_backchannels

    async def on_enter(self) -> None:
        if self._reply_on_enter:
            self.session.generate_reply()

    @property
    def ignores_backchannels(self) -> bool:
        return self._ignore_backchannels

    def agent_speaking(self) -> bool:
        try:
            return self.session.agent_state == "speaking"
        except RuntimeError:  # no longer running (handed over): nothing to protect
            return False

    async def stt_node(
        self, audio: AsyncIterable[rtc.AudioFrame], model_settings: ModelSettings
    ) -> AsyncGenerator[stt.SpeechEvent | str, None]:
        events: AsyncIterable[stt.SpeechEvent | str] = Agent.default.stt_node(
            self, audio, model_settings
        )
        if self._ignore_backchannels:
            events = without_backchannels(events, agent_speaking=self.agent_speaking)
        async for event in events:
            yield event


class CallTools:
    """Builds the function tools of one call and runs them."""

    def __init__(
        self,
        hooks: CallHooks,
        *,
        context: ToolCallContext,
        signing_secret: str | None,
        allow_private: outbound.AllowPrivate,
        client: httpx.AsyncClient,
    ) -> None:
        self._hooks = hooks
        self._context = context
        self._signing_secret = signing_secret
        self._allow_private = allow_private
        self._client = client
        self.calls = 0  # every call, whatever its outcome (the session's usage)
        self._tasks: set[asyncio.Task[None]] = set()

    def build(self, tools: Sequence[Tool]) -> list[llm.Tool | llm.Toolset]:
        built: list[llm.Tool | llm.Toolset] = []
        for tool in tools:
            if isinstance(tool, HttpTool):
                handler = self._http_handler(tool)
            elif isinstance(tool, EndCallTool):
                handler = self._end_call_handler(tool)
            else:
                handler = self._transfer_handler(tool)
            built.append(function_tool(handler, raw_schema=raw_schema(tool)))
        return built

    def agent(
        self,
        config: AgentConfig,
        *,
        chat_ctx: llm.ChatContext | None = None,
        reply_on_enter: bool = False,
    ) -> CallAgent:
        return CallAgent(
            instructions=config.instructions,
            tools=self.build(config.tools),
            chat_ctx=chat_ctx,
            reply_on_enter=reply_on_enter,
            ignore_backchannels=config.turn_taking.interruption.ignore_backchannels,
        )

    # -- bookkeeping -----------------------------------------------------------------

    def _started(self, name: str, call_id: str) -> float:
        self.calls += 1
        self._hooks.publish({"call_id": call_id, "name": name, "status": "running"})
        return time.perf_counter()

    def _finished(
        self,
        name: str,
        *,
        call_id: str,
        arguments: dict[str, Any],
        outcome: ToolOutcome,
        started: float,
        detail: str | None = None,
    ) -> None:
        if outcome.latency_ms is None:
            # The built-ins' own time (an HTTP tool's is the request's, measured there).
            latency = round((time.perf_counter() - started) * 1000, 1)
            outcome = ToolOutcome(
                ok=outcome.ok,
                outcome=outcome.outcome,
                output=outcome.output,
                http_status=outcome.http_status,
                latency_ms=latency,
            )
        record = record_of(name, call_id=call_id, arguments=arguments, outcome=outcome)
        self._hooks.record(
            TranscriptEntry(
                role="tool", content=name, at=datetime.now(UTC), tool=record, detail=detail
            )
        )
        status: ToolStatus = "done" if outcome.ok else "failed"
        self._hooks.publish({"call_id": call_id, "name": name, "status": status})
        logger.info(
            "tool called",
            extra={
                "tool": name,
                "outcome": outcome.outcome,
                "http_status": outcome.http_status,
                "latency_ms": outcome.latency_ms,
            },
        )

    # -- the handlers ----------------------------------------------------------------

    def _http_handler(self, tool: HttpTool) -> Handler:
        async def handler(raw_arguments: dict[str, Any], ctx: RunContext[None]) -> Any:
            call_id = ctx.function_call.call_id
            started = self._started(tool.name, call_id)
            filler: AbstractAsyncContextManager[None] = nullcontext()
            if (waiting := tool.messages.waiting) is not None:
                words: str = waiting

                def say_waiting(_step: int) -> SpeechHandle:
                    return self._hooks.speak(words)

                filler = ctx.with_filler(say_waiting, delay=tool.messages.waiting_after_ms / 1000)
            if self._signing_secret is None:  # built without HTTP tools: cannot happen
                raise llm.ToolError(f"{tool.name} failed")
            async with filler:
                outcome = await call_http_tool(
                    tool,
                    arguments=raw_arguments,
                    call_id=call_id,
                    context=self._context,
                    signing_secret=self._signing_secret,
                    allow_private=self._allow_private,
                    client=self._client,
                )
            self._finished(
                tool.name,
                call_id=call_id,
                arguments=raw_arguments,
                outcome=outcome,
                started=started,
            )
            if outcome.ok:
                return outcome.output
            failed = tool.messages.failed
            if failed:
                self._hooks.speak(failed)
                return ToolResult(
                    f"{outcome.output}. The user was told: {failed}", reply_required=False
                )
            raise llm.ToolError(outcome.output)

        return handler

    def _end_call_handler(self, tool: EndCallTool) -> Handler:
        async def handler(raw_arguments: dict[str, Any], ctx: RunContext[None]) -> Any:
            call_id = ctx.function_call.call_id
            started = self._started(tool.name, call_id)
            goodbye = self._hooks.speak(tool.goodbye or DEFAULT_GOODBYE, last_words=True)
            self._finished(
                tool.name,
                call_id=call_id,
                arguments=raw_arguments,
                outcome=ToolOutcome(ok=True, outcome="ended", output="the call is ending"),
                started=started,
            )
            # Not awaited here: the goodbye plays after this tool's turn.
            ending = asyncio.create_task(self._end_after(goodbye), name="callwright-end-call")
            self._tasks.add(ending)
            ending.add_done_callback(self._tasks.discard)
            return ToolResult(
                "The call is ending; the goodbye is being said.", reply_required=False
            )

        return handler

    async def _end_after(self, goodbye: SpeechHandle) -> None:
        try:
            await asyncio.wait_for(goodbye.wait_for_playout(), GOODBYE_PLAYOUT_TIMEOUT_S)
        except Exception:  # timed out, or the session is closing: the call ends anyway
            logger.info("goodbye not played out")
        self._hooks.end(EndReason.AGENT_ENDED)

    def _transfer_handler(self, tool: TransferTool) -> Handler:
        async def handler(raw_arguments: dict[str, Any], ctx: RunContext[None]) -> Any:
            call_id = ctx.function_call.call_id
            started = self._started(tool.name, call_id)
            target = await self._hooks.transfer_target(tool.agent_id)
            if isinstance(target, str):
                self._finished(
                    tool.name,
                    call_id=call_id,
                    arguments=raw_arguments,
                    outcome=ToolOutcome(
                        ok=False, outcome="refused", output=f"{tool.name} failed: {target}"
                    ),
                    started=started,
                    detail=tool.agent_id,
                )
                self._hooks.speak(TRANSFER_FAILED)
                return ToolResult(
                    f"{tool.name} failed. The user was told: {TRANSFER_FAILED}",
                    reply_required=False,
                )
            self._finished(
                tool.name,
                call_id=call_id,
                arguments=raw_arguments,
                outcome=ToolOutcome(
                    ok=True, outcome="transferred", output=f"transferred to {target.name}"
                ),
                started=started,
                detail=target.agent_id,
            )
            self._hooks.transferred(target)
            # The requests of the successor's tools name the agent that makes them.
            self._context = dataclasses.replace(self._context, agent_id=target.agent_id)
            history = ctx.session.history.copy(
                exclude_function_call=True, exclude_instructions=True
            )
            successor = self.agent(target.config, chat_ctx=history, reply_on_enter=True)
            return successor, ToolResult(f"transferred to {target.name}", reply_required=False)

        return handler

"""The issuer's boundary with the LLM provider of chat sessions.

`ChatModel` is the Protocol the chat routes use; `OpenAIChatModel` is the one
implementation: the `openai` SDK's AsyncOpenAI client on the base URL and key the
registry gives the agent's `llm.provider` (callwright_shared.agents.registry, the same
the worker's `openai.LLM` gets; the built-in `openai` is OPENAI_BASE_URL /
OPENAI_API_KEY) — always streaming, with `stream_options.include_usage`. Every failure
becomes `ProviderError` here (502 `provider_error`), so callers never see the SDK's
exceptions.

Tools: a request may declare `tools` (Chat Completions function tools) and carry the
tool rounds of the message so far (`rounds`: the model's calls and their results); the
model's calls come back, assembled from their streamed pieces, in the last delta.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import openai
from openai.types.chat import (
    ChatCompletionAssistantMessageParam,
    ChatCompletionChunk,
    ChatCompletionFunctionToolParam,
    ChatCompletionMessageParam,
    ChatCompletionMessageToolCallParam,
    ChatCompletionSystemMessageParam,
    ChatCompletionToolMessageParam,
    ChatCompletionUserMessageParam,
)
from openai.types.shared_params import FunctionDefinition

from callwright_shared.agents.providers import ProviderConfigError
from callwright_shared.agents.registry import ProvidersFileError, registry_of
from callwright_shared.errors import ProviderError
from callwright_shared.sessions.chat import MessageUsage, Turn
from callwright_shared.settings import IssuerSettings

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ToolCallRequest:
    """A call the model asked for: `arguments` is the JSON text it wrote."""

    call_id: str
    name: str
    arguments: str


@dataclass(frozen=True, slots=True)
class ToolRound:
    """The model's calls of one round and what each returned (`outputs` by call id)."""

    calls: Sequence[ToolCallRequest]
    outputs: dict[str, str]


@dataclass(frozen=True, slots=True)
class ChatRequest:
    model: str
    temperature: float
    instructions: str
    history: Sequence[Turn]
    # Chat Completions function tools: `{"name", "description", "parameters"}` each.
    tools: Sequence[dict[str, Any]] = ()
    rounds: Sequence[ToolRound] = ()
    # "none": the model must answer in words (the message's last round).
    tool_choice: Literal["auto", "none"] = "auto"
    # The registry's name of the agent's LLM provider.
    provider: str = "openai"


@dataclass(frozen=True, slots=True)
class ChatDelta:
    """A piece of the reply, or (at the end) the usage of the whole call and the tool
    calls the model asked for."""

    content: str = ""
    usage: MessageUsage | None = None
    tool_calls: Sequence[ToolCallRequest] = field(default_factory=tuple)


class ChatModel(Protocol):
    async def stream(self, request: ChatRequest) -> AsyncGenerator[ChatDelta, None]:
        """Open the call (errors raised here, before any delta), then the deltas; closing
        the generator ends the call."""
        ...

    async def aclose(self) -> None: ...


class OpenAIChatModel:
    def __init__(self, settings: IssuerSettings) -> None:
        self._settings = settings
        # One client per server and key the registry has named (it may change its file).
        self._clients: dict[tuple[str | None, str | None], openai.AsyncOpenAI] = {}

    def _client_for(self, name: str) -> openai.AsyncOpenAI:
        try:
            provider = registry_of(self._settings).find(name)
            if provider is None or provider.kind != "openai" or not provider.serves("llm"):
                raise ProviderError(
                    f"The language model provider '{name[:40]}' is not configured here."
                )
            key = provider.key(self._settings)
        except ProviderConfigError as exc:
            raise ProviderError(
                f"The language model provider is not configured ({exc.setting})."
            ) from None
        except ProvidersFileError as exc:
            logger.warning("providers file unreadable", extra={"error": str(exc)})
            raise ProviderError("The language model provider is not configured.") from None
        client = self._clients.get((provider.base_url, key))
        if client is None:
            client = openai.AsyncOpenAI(
                # A server of the operator's own may take no key; the SDK wants a value.
                api_key=key or "unused",
                base_url=provider.base_url,
                timeout=self._settings.llm_timeout_seconds,
                max_retries=1,
            )
            self._clients[(provider.base_url, key)] = client
        return client

    async def stream(self, request: ChatRequest) -> AsyncGenerator[ChatDelta, None]:
        client = self._client_for(request.provider)
        messages: list[ChatCompletionMessageParam] = [
            ChatCompletionSystemMessageParam(role="system", content=request.instructions)
        ]
        messages += [_message_param(turn) for turn in request.history]
        for round_ in request.rounds:
            messages += _round_params(round_)
        tools = [
            ChatCompletionFunctionToolParam(
                type="function",
                function=FunctionDefinition(
                    name=schema["name"],
                    description=schema["description"],
                    parameters=schema["parameters"],
                ),
            )
            for schema in request.tools
        ]
        try:
            response = await client.chat.completions.create(
                model=request.model,
                temperature=request.temperature,
                messages=messages,
                stream=True,
                stream_options={"include_usage": True},
                tools=tools if tools else openai.omit,
                tool_choice=request.tool_choice if tools else openai.omit,
            )
        except openai.OpenAIError as exc:
            raise _provider_error(exc) from exc
        return self._deltas(response)

    async def _deltas(
        self, response: openai.AsyncStream[ChatCompletionChunk]
    ) -> AsyncGenerator[ChatDelta, None]:
        calls: dict[int, dict[str, str]] = {}  # by the pieces' index
        try:
            async with response:
                async for chunk in response:
                    _collect_calls(chunk, calls)
                    yield _delta_of(chunk)
        except openai.OpenAIError as exc:
            raise _provider_error(exc) from exc
        if calls:
            yield ChatDelta(
                tool_calls=tuple(
                    ToolCallRequest(call_id=c["id"], name=c["name"], arguments=c["arguments"])
                    for _, c in sorted(calls.items())
                )
            )

    async def aclose(self) -> None:
        clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            await client.close()


def _message_param(turn: Turn) -> ChatCompletionMessageParam:
    if turn.role == "assistant":
        return ChatCompletionAssistantMessageParam(role="assistant", content=turn.content)
    return ChatCompletionUserMessageParam(role="user", content=turn.content)


def _round_params(round_: ToolRound) -> list[ChatCompletionMessageParam]:
    assistant = ChatCompletionAssistantMessageParam(
        role="assistant",
        content=None,
        tool_calls=[
            ChatCompletionMessageToolCallParam(
                id=call.call_id,
                type="function",
                function={"name": call.name, "arguments": call.arguments},
            )
            for call in round_.calls
        ],
    )
    results: list[ChatCompletionMessageParam] = [
        ChatCompletionToolMessageParam(
            role="tool", tool_call_id=call.call_id, content=round_.outputs.get(call.call_id, "")
        )
        for call in round_.calls
    ]
    return [assistant, *results]


def _collect_calls(chunk: ChatCompletionChunk, calls: dict[int, dict[str, str]]) -> None:
    """OpenAI streams a call as pieces sharing an index: the id and name first, then
    fragments of the arguments' JSON."""
    for choice in chunk.choices:
        for piece in choice.delta.tool_calls or []:
            call = calls.setdefault(piece.index, {"id": "", "name": "", "arguments": ""})
            if piece.id:
                call["id"] = piece.id
            if piece.function is not None:
                if piece.function.name:
                    call["name"] = piece.function.name
                if piece.function.arguments:
                    call["arguments"] += piece.function.arguments


def _delta_of(chunk: ChatCompletionChunk) -> ChatDelta:
    content = "".join(c.delta.content for c in chunk.choices if c.delta.content)
    usage = chunk.usage
    return ChatDelta(
        content=content,
        usage=MessageUsage(
            prompt_tokens=int(usage.prompt_tokens or 0),
            completion_tokens=int(usage.completion_tokens or 0),
        )
        if usage is not None
        else None,
    )


def _provider_error(exc: openai.OpenAIError) -> ProviderError:
    status = getattr(exc, "status_code", None)
    logger.warning(
        "llm provider call failed", extra={"error": type(exc).__name__, "status": status}
    )
    return ProviderError("The language model provider failed to answer. Try again shortly.")

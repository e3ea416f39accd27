"""The issuer's boundary with the LLM provider of chat sessions.

`ChatModel` is the Protocol the chat routes use; `OpenAIChatModel` is the one
implementation: the `openai` SDK's AsyncOpenAI client on the operator's OPENAI_BASE_URL /
OPENAI_API_KEY — the same provider settings as the worker's `openai.LLM` — always
streaming, with `stream_options.include_usage`. Every failure becomes `ProviderError`
here (502 `provider_error`), so callers never see the SDK's exceptions.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, Sequence
from dataclasses import dataclass
from typing import Protocol

import openai
from openai.types.chat import (
    ChatCompletionAssistantMessageParam,
    ChatCompletionChunk,
    ChatCompletionMessageParam,
    ChatCompletionSystemMessageParam,
    ChatCompletionUserMessageParam,
)

from callwright_shared.chat import MessageUsage, Turn
from callwright_shared.errors import ProviderError
from callwright_shared.settings import CallwrightSettings

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ChatRequest:
    model: str
    temperature: float
    instructions: str
    history: Sequence[Turn]


@dataclass(frozen=True, slots=True)
class ChatDelta:
    """A piece of the reply, or (at the end) the usage of the whole call."""

    content: str = ""
    usage: MessageUsage | None = None


class ChatModel(Protocol):
    async def stream(self, request: ChatRequest) -> AsyncGenerator[ChatDelta, None]:
        """Open the call (errors raised here, before any delta), then the deltas; closing
        the generator ends the call."""
        ...

    async def aclose(self) -> None: ...


class OpenAIChatModel:
    def __init__(self, settings: CallwrightSettings) -> None:
        key = settings.openai_api_key
        self._client = (
            openai.AsyncOpenAI(
                api_key=key.get_secret_value(),
                base_url=settings.openai_base_url,
                timeout=settings.llm_timeout_seconds,
                max_retries=1,
            )
            if key is not None and key.get_secret_value()
            else None
        )

    async def stream(self, request: ChatRequest) -> AsyncGenerator[ChatDelta, None]:
        if self._client is None:
            raise ProviderError("The language model provider is not configured (OPENAI_API_KEY).")
        messages: list[ChatCompletionMessageParam] = [
            ChatCompletionSystemMessageParam(role="system", content=request.instructions)
        ]
        messages += [_message_param(turn) for turn in request.history]
        try:
            response = await self._client.chat.completions.create(
                model=request.model,
                temperature=request.temperature,
                messages=messages,
                stream=True,
                stream_options={"include_usage": True},
            )
        except openai.OpenAIError as exc:
            raise _provider_error(exc) from exc
        return self._deltas(response)

    async def _deltas(
        self, response: openai.AsyncStream[ChatCompletionChunk]
    ) -> AsyncGenerator[ChatDelta, None]:
        try:
            async with response:
                async for chunk in response:
                    yield _delta_of(chunk)
        except openai.OpenAIError as exc:
            raise _provider_error(exc) from exc

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.close()


def _message_param(turn: Turn) -> ChatCompletionMessageParam:
    if turn.role == "assistant":
        return ChatCompletionAssistantMessageParam(role="assistant", content=turn.content)
    return ChatCompletionUserMessageParam(role="user", content=turn.content)


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

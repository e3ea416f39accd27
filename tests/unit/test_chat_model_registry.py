"""Chat sessions ask the LLM provider the agent names, on the base URL and key the
registry gives it (the worker's `openai.LLM` gets the same), not always OPENAI_*."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from callwright_devstack.emulators import OpenAIEmulator
from callwright_issuer.sessions.chat_models import ChatRequest, OpenAIChatModel
from callwright_shared.errors import ProviderError
from callwright_shared.sessions.chat import Turn
from callwright_shared.settings import CallwrightSettings

pytestmark = pytest.mark.unit


@pytest.fixture
async def servers() -> AsyncIterator[tuple[OpenAIEmulator, OpenAIEmulator]]:
    async with (
        OpenAIEmulator(reply="from ollama") as own,
        OpenAIEmulator(reply="from openai") as builtin,
    ):
        yield own, builtin


def settings(path: Path, own: OpenAIEmulator, **values: object) -> CallwrightSettings:
    path.write_text(
        json.dumps(
            {
                "providers": [
                    {
                        "name": "ollama",
                        "kind": "openai",
                        "base_url": own.base_url,
                        "stages": ["llm"],
                        "models": ["qwen2.5:7b"],
                    },
                    {
                        "name": "keyed",
                        "kind": "openai",
                        "base_url": own.base_url,
                        "api_key_env": "CALLWRIGHT_TEST_UNSET_KEY",
                        "stages": ["llm"],
                        "models": ["m"],
                    },
                    {"name": "deepgram", "kind": "deepgram", "stages": ["stt"], "models": ["n"]},
                ]
            }
        )
    )
    return CallwrightSettings.model_validate({"providers_file": str(path), **values})


def request(provider: str, model: str = "qwen2.5:7b") -> ChatRequest:
    return ChatRequest(
        provider=provider,
        model=model,
        temperature=0.2,
        instructions="Be brief.",
        history=[Turn(role="user", content="hello")],
    )


async def reply(chat: OpenAIChatModel, req: ChatRequest) -> str:
    return "".join([delta.content async for delta in await chat.stream(req)])


async def test_the_agents_provider_answers_on_its_own_server(
    servers: tuple[OpenAIEmulator, OpenAIEmulator], tmp_path: Path
) -> None:
    own, builtin = servers
    chat = OpenAIChatModel(
        settings(tmp_path / "p.json", own, openai_base_url=builtin.base_url, openai_api_key="k")
    )
    try:
        assert await reply(chat, request("ollama")) == "from ollama"
    finally:
        await chat.aclose()
    assert [r["model"] for r in own.chat_requests] == ["qwen2.5:7b"]
    # With a file, its providers are the only ones: OpenAI's settings are not asked.
    assert not builtin.chat_requests


async def test_without_a_file_the_builtin_openai_answers(
    servers: tuple[OpenAIEmulator, OpenAIEmulator],
) -> None:
    _, builtin = servers
    chat = OpenAIChatModel(
        CallwrightSettings.model_validate(
            {"openai_base_url": builtin.base_url, "openai_api_key": "k"}
        )
    )
    try:
        assert await reply(chat, request("openai", "gpt-4o-mini")) == "from openai"
    finally:
        await chat.aclose()


@pytest.mark.parametrize(
    ("provider", "said"),
    [
        ("nobody", "'nobody' is not configured here"),
        ("deepgram", "'deepgram' is not configured here"),  # serves no LLM
        ("keyed", "(CALLWRIGHT_TEST_UNSET_KEY)"),
    ],
)
async def test_a_provider_that_cannot_answer_is_a_provider_error(
    servers: tuple[OpenAIEmulator, OpenAIEmulator], tmp_path: Path, provider: str, said: str
) -> None:
    own, _ = servers
    chat = OpenAIChatModel(settings(tmp_path / "p.json", own))
    with pytest.raises(ProviderError, match=said.replace("(", r"\(").replace(")", r"\)")):
        await chat.stream(request(provider))
    assert not own.chat_requests


async def test_the_builtin_without_its_key_says_which(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    chat = OpenAIChatModel(CallwrightSettings.model_validate({"openai_api_key": None}))
    with pytest.raises(ProviderError, match=r"not configured \(OPENAI_API_KEY\)"):
        await chat.stream(request("openai", "gpt-4o-mini"))

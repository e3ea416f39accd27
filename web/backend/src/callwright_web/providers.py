"""The provider keys a voice agent's call needs, as the page tells the operator which are
missing. A copy of the key names and purposes of `callwright_shared.agents.providers` (the one
registry the worker reads), held here so that the page's image carries no database layer;
tests/unit/test_web_member.py checks that the two agree."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# The architectures a voice session runs (a text agent cannot take a call).
VOICE_ARCHITECTURES: frozenset[str] = frozenset({"pipeline", "realtime"})


@dataclass(frozen=True, slots=True)
class ProviderKey:
    name: str
    key_env: str  # the worker's environment variable holding the key
    needed_for: str  # for the operator: what an unset key leaves uncallable


OPENAI = ProviderKey(
    "OpenAI", "OPENAI_API_KEY", "pipeline agents (LLM and voice) and OpenAI realtime agents"
)
DEEPGRAM = ProviderKey("Deepgram", "DEEPGRAM_API_KEY", "pipeline agents (speech-to-text)")
GOOGLE = ProviderKey("Google Gemini", "GOOGLE_API_KEY", "Gemini realtime agents")
PROVIDERS = (OPENAI, DEEPGRAM, GOOGLE)
KEY_PURPOSES = {provider.key_env: provider.needed_for for provider in PROVIDERS}


def required_keys(
    architecture: str, realtime_provider: str | None = None
) -> tuple[ProviderKey, ...]:
    """What a voice agent's call needs: a pipeline Deepgram's STT and OpenAI's LLM and TTS;
    a realtime agent its realtime provider (OpenAI by default)."""
    if architecture == "pipeline":
        return (DEEPGRAM, OPENAI)
    if architecture == "realtime":
        return (GOOGLE,) if realtime_provider in ("gemini", "google") else (OPENAI,)
    return ()


def keys_needed(agent: Mapping[str, Any]) -> set[str]:
    """The provider keys the worker needs to run this agent (as the API lists it)."""
    realtime = agent.get("realtime")
    provider = realtime.get("provider") if isinstance(realtime, Mapping) else None
    needed = required_keys(str(agent.get("architecture")), provider)
    return {provider.key_env for provider in needed}

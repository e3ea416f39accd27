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


# The built-in providers' names (the registry's, `gemini` its older name) and their keys.
BUILTIN_KEYS = {
    "openai": OPENAI.key_env,
    "deepgram": DEEPGRAM.key_env,
    "google": GOOGLE.key_env,
    "gemini": GOOGLE.key_env,
}
STAGES_OF = {"pipeline": ("stt", "llm", "tts"), "realtime": ("realtime",)}


def _providers_named(agent: Mapping[str, Any]) -> list[str] | None:
    """Every provider the agent's stages and their fallbacks name (the worker builds them
    all), or None when the answer has no stage objects."""
    names: list[str] = []
    for stage in STAGES_OF.get(str(agent.get("architecture")), ()):
        choice = agent.get(stage)
        if not isinstance(choice, Mapping):
            return None
        names.append(str(choice.get("provider")))
        names += [
            str(f.get("provider")) for f in choice.get("fallback") or () if isinstance(f, Mapping)
        ]
    return names


def keys_needed(agent: Mapping[str, Any]) -> set[str]:
    """The built-in provider keys the worker needs to run this agent (as the API lists
    it): those of the providers its stages name. A provider of the operator's file (a
    server of their own, a vendor voice) needs no key the page is told about."""
    named = _providers_named(agent)
    if named is None:
        realtime = agent.get("realtime")
        provider = realtime.get("provider") if isinstance(realtime, Mapping) else None
        needed = required_keys(str(agent.get("architecture")), provider)
        return {provider.key_env for provider in needed}
    return {BUILTIN_KEYS[name] for name in named if name in BUILTIN_KEYS}

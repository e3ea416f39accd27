"""What an agent chooses for each stage: `stt`, `llm`, `tts` (pipeline; text: `llm`) and
`realtime`, each a provider the operator names (callwright_shared.agents.registry), a
model and a voice, with up to two fallbacks.

Today's flat fields (`stt_model`, `llm_model`, `temperature`, `tts_model`, `tts_voice`,
`provider`, `model`, `voice`) are deprecated: accepted on write and lifted onto the objects
here (`lift`), the one mapping the agent routes, stored configurations and session
overrides use. Sending a flat field together with the object it maps onto is 400.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from callwright_shared.agents.registry import Provider, Registry, Stage
from callwright_shared.errors import InvalidRequestError
from callwright_shared.text import SingleLine

_STRICT = ConfigDict(extra="forbid", strict=True)
_LANGUAGE = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"
Name = Annotated[SingleLine, Field(min_length=1, max_length=100)]
ProviderName = Annotated[SingleLine, Field(min_length=1, max_length=40)]
Temperature = Annotated[float, Field(ge=0, le=2, allow_inf_nan=False)]
MAX_FALLBACKS = 2

# The realtime model and voice a provider kind runs when the agent names none (Gemini: the
# Gemini API model livekit-plugins-google 1.8.9 defaults to; Google retired
# gemini-2.0-flash-live-001 and gemini-live-2.5-flash-preview).
DEFAULT_REALTIME_MODELS = {
    "openai": "gpt-realtime",
    "google": "gemini-2.5-flash-native-audio-preview-12-2025",
}
DEFAULT_REALTIME_VOICES = {"openai": "alloy", "google": "Puck"}


class Fallback(BaseModel):
    """A second choice for a stage: tried in order when the one before it fails."""

    model_config = _STRICT

    provider: ProviderName
    model: Name | None = None  # None: the first model the operator lists for it
    voice: Name | None = None  # tts: None keeps the stage's own voice


_Fallbacks = Annotated[list[Fallback], Field(max_length=MAX_FALLBACKS)]


class SttChoice(BaseModel):
    model_config = _STRICT

    provider: ProviderName = "deepgram"
    model: Name = "nova-3"
    language: str | None = Field(None, pattern=_LANGUAGE)  # None: the agent's language
    fallback: _Fallbacks = Field(default_factory=list)


class LlmChoice(BaseModel):
    model_config = _STRICT

    provider: ProviderName = "openai"
    model: Name = "gpt-4o-mini"
    temperature: Temperature = 0.8
    fallback: _Fallbacks = Field(default_factory=list)


class TtsChoice(BaseModel):
    model_config = _STRICT

    provider: ProviderName = "openai"
    model: Name | None = None  # None: the first model the operator lists for it
    voice: Name = "alloy"
    fallback: _Fallbacks = Field(default_factory=list)


class RealtimeChoice(BaseModel):
    model_config = _STRICT

    provider: ProviderName = "openai"
    model: Name | None = None  # None: the provider's default model
    voice: Name | None = None  # None: the provider's default voice
    temperature: Temperature = 0.8


STAGE_FIELDS: tuple[Stage, ...] = ("stt", "llm", "tts", "realtime")
# The deprecated flat fields, each onto the object fields it now is.
FLAT: dict[str, tuple[tuple[Stage, str], ...]] = {
    "stt_model": (("stt", "model"),),
    "llm_model": (("llm", "model"),),
    "temperature": (("llm", "temperature"), ("realtime", "temperature")),
    "tts_model": (("tts", "model"),),
    "tts_voice": (("tts", "voice"),),
    "provider": (("realtime", "provider"),),
    "model": (("realtime", "model"),),
    "voice": (("realtime", "voice"),),
}
# `overridable` names and session override keys of the flat form.
FLAT_OVERRIDABLE: dict[str, tuple[str, ...]] = {
    "tts_voice": ("tts.voice",),
    "voice": ("realtime.voice",),
    "temperature": ("llm.temperature", "realtime.temperature"),
}


def flat_fields_of(names: Iterable[str]) -> set[Stage]:
    """The stages a set of changed field names touches (objects, dotted paths, flat)."""
    touched: set[Stage] = set()
    for name in names:
        head = name.split(".", 1)[0]
        if head in STAGE_FIELDS:
            touched.add(head)
        for stage, _ in FLAT.get(name, ()):
            touched.add(stage)
    return touched


def lift(data: Mapping[str, Any], *, stored: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """`data` with its flat fields moved onto the objects (merged into `stored`'s, for a
    PATCH), its old `overridable` names renamed; 400 naming the flat field when `data`
    also has the object it maps onto."""
    out = dict(data)
    flat = [name for name in FLAT if name in out]
    for name in flat:
        for stage, _ in FLAT[name]:
            if stage in data and data[stage] is not None:
                raise InvalidRequestError(
                    f"{name}: deprecated form of {stage}; send one form, not both",
                    param=name,
                )
    changed_provider = "provider" in out
    for name in flat:
        value = out.pop(name)
        for stage, key in FLAT[name]:
            base = out.get(stage)
            if not isinstance(base, dict):
                base = dict((stored or {}).get(stage) or {})
                # A new realtime provider takes its own default model and voice.
                if stage == "realtime" and changed_provider and stored is not None:
                    base.pop("model", None)
                    base.pop("voice", None)
            out[stage] = {**base, key: value}
    if "overridable" in out:
        out["overridable"] = rename_overridable(out["overridable"])
    return out


def rename_overridable(names: Any) -> Any:
    """An `overridable` list with its flat names renamed (anything else left to validation)."""
    if not isinstance(names, list):
        return names
    renamed: list[Any] = []
    for item in names:
        for new in FLAT_OVERRIDABLE.get(item, (item,)) if isinstance(item, str) else (item,):
            if new not in renamed:
                renamed.append(new)
    return renamed


def override_paths(overrides: Mapping[str, Any], allowed: Collection[str]) -> dict[str, Any]:
    """A session's overrides as dotted paths (`{"tts": {"voice": v}}` and the flat
    `tts_voice` both give `tts.voice`); a flat name that maps onto several (temperature)
    gives those the agent allows."""
    paths: dict[str, Any] = {}
    for key, value in overrides.items():
        if key in STAGE_FIELDS and isinstance(value, dict):
            for inner, inner_value in value.items():
                paths[f"{key}.{inner}"] = inner_value
        elif key in FLAT_OVERRIDABLE:
            targets = [p for p in FLAT_OVERRIDABLE[key] if p in allowed]
            for path in targets or [key]:
                paths[path] = value
        else:
            paths[key] = value
    return paths


@dataclass(frozen=True, slots=True)
class Chosen:
    """A stage's provider and what it runs, defaults filled in."""

    provider: Provider
    model: str
    voice: str | None


def _default_model(provider: Provider, stage: Stage) -> str | None:
    listed = provider.models.get(stage, ())
    if stage == "realtime":
        default = DEFAULT_REALTIME_MODELS.get(provider.kind)
        if default and (default in listed or not provider.models):
            return default
    return listed[0] if listed else None


def choose(
    registry: Registry,
    stage: Stage,
    *,
    param: str,
    provider: str,
    model: str | None,
    voice: str | None = None,
    needs_voice: bool = False,
    lists: bool = True,
) -> Chosen:
    """The provider, model and voice a stage runs, checked against the registry; a 400
    naming `param.…` when any is not offered (without `lists`, only the provider)."""
    found = registry.check(
        stage, param=param, provider=provider, model=model, voice=voice, lists=lists
    )
    model = model or _default_model(found, stage)
    if model is None:
        raise InvalidRequestError(
            f"{param}.model: {found.name} lists no {stage} model", param=f"{param}.model"
        )
    if needs_voice and voice is None:
        listed = found.voices.get(stage, ())
        voice = DEFAULT_REALTIME_VOICES.get(found.kind) if stage == "realtime" else None
        voice = voice if voice in listed else (listed[0] if listed else None)
        if voice is None:
            raise InvalidRequestError(
                f"{param}.voice: {found.name} lists no voice", param=f"{param}.voice"
            )
    return Chosen(found, model, voice)


def chain(
    registry: Registry,
    stage: Stage,
    choice: SttChoice | LlmChoice | TtsChoice,
    *,
    lists: bool = True,
) -> list[Chosen]:
    """A pipeline stage's choices in the order they are tried: its own, then its fallbacks."""
    voice = choice.voice if isinstance(choice, TtsChoice) else None
    chosen = [
        choose(
            registry,
            stage,
            param=stage,
            provider=choice.provider,
            model=choice.model,
            voice=voice,
            needs_voice=stage == "tts",
            lists=lists,
        )
    ]
    for index, fallback in enumerate(choice.fallback):
        chosen.append(
            choose(
                registry,
                stage,
                param=f"{stage}.fallback.{index}",
                provider=fallback.provider,
                model=fallback.model,
                voice=fallback.voice or voice,
                needs_voice=stage == "tts",
                lists=lists,
            )
        )
    return chosen


def realtime_chosen(registry: Registry, choice: RealtimeChoice, *, lists: bool = True) -> Chosen:
    return choose(
        registry,
        "realtime",
        param="realtime",
        provider=choice.provider,
        model=choice.model,
        voice=choice.voice,
        needs_voice=True,
        lists=lists,
    )

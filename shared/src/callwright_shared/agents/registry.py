"""The operator's model providers: which names an agent may write in `provider`, what
each serves, where it is and which key it uses.

The one registry the issuer (what a tenant may choose), the worker (the URL and key each
plugin gets) and the page (which keys an agent is missing) read. From the file named by
`CALLWRIGHT_PROVIDERS_FILE` (YAML or JSON, `{"providers": [...]}`), whose providers are
then the only ones; without it, the built-ins from today's settings and their
`CALLWRIGHT_ALLOWED_*` lists ([decision](decisions.md#provider-registry)).

Keys stay in the environment: a provider names the variable holding its key, never the
key, and an agent names a provider, never a URL.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from callwright_shared.agents.providers import ProviderConfigError
from callwright_shared.billing.pricing import MAX_PRICE
from callwright_shared.errors import InvalidRequestError
from callwright_shared.settings import ProviderSettings

Stage = Literal["stt", "llm", "tts", "realtime"]
Kind = Literal["openai", "deepgram", "elevenlabs", "cartesia", "google"]
STAGES: tuple[Stage, ...] = ("stt", "llm", "tts", "realtime")
# The stages a kind's plugins serve (livekit-plugins-openai, -deepgram, -elevenlabs,
# -cartesia, -google as the worker uses them).
KIND_STAGES: dict[Kind, frozenset[Stage]] = {
    "openai": frozenset({"stt", "llm", "tts", "realtime"}),
    "deepgram": frozenset({"stt", "tts"}),
    "elevenlabs": frozenset({"tts"}),
    "cartesia": frozenset({"tts"}),
    "google": frozenset({"realtime"}),
}
# The variable a kind's key is read from when a provider names none. An OpenAI-compatible
# server of the operator's own often takes no key: kind `openai` has no default, so the
# operator's OpenAI key is never sent to a server the file did not give it to.
KIND_KEY_ENV: dict[Kind, str | None] = {
    "openai": None,
    "deepgram": "DEEPGRAM_API_KEY",
    "elevenlabs": "ELEVENLABS_API_KEY",
    "cartesia": "CARTESIA_API_KEY",
    "google": "GOOGLE_API_KEY",
}
# The settings fields holding the built-in keys, by their variable: a key given in `.env`
# (read by the settings, not in os.environ) is found too.
_SETTINGS_KEYS = {
    "OPENAI_API_KEY": "openai_api_key",
    "DEEPGRAM_API_KEY": "deepgram_api_key",
    "GOOGLE_API_KEY": "google_api_key",
    "ELEVENLABS_API_KEY": "elevenlabs_api_key",
    "CARTESIA_API_KEY": "cartesia_api_key",
}
# Today's name of the Gemini realtime provider, kept for the agents that say it: it finds
# the Google provider unless the operator names a provider `gemini`.
ALIASES = {"gemini": "google"}
_NAME = r"^[a-z0-9][a-z0-9_-]{0,39}$"
_ENV_NAME = r"^[A-Za-z_][A-Za-z0-9_]{0,99}$"


class ProvidersFileError(ValueError):
    """The operator's providers file cannot be read; names the file and the fault."""


Credits = Annotated[int, Field(strict=True, ge=0, le=MAX_PRICE)]


class Surcharges(BaseModel):
    """Credits per minute a voice session pays on top of its base price for running one
    of the provider's models or voices ([decision](decisions.md#minute-surcharges))."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    models: dict[str, Credits] = Field(default_factory=dict)
    voices: dict[str, Credits] = Field(default_factory=dict)

    def of(self, *, model: str | None, voice: str | None) -> int:
        return (self.models.get(model, 0) if model else 0) + (
            self.voices.get(voice, 0) if voice else 0
        )


class ProviderEntry(BaseModel):
    """One provider of the operator's file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=_NAME)
    kind: Kind
    base_url: str | None = Field(None, pattern=r"^(https?|wss?)://\S+$")
    api_key_env: str | None = Field(None, pattern=_ENV_NAME)
    stages: tuple[Stage, ...] = Field(min_length=1)
    models: tuple[str, ...] = ()
    voices: tuple[str, ...] = ()
    surcharges: Surcharges = Surcharges()


class ProvidersFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    providers: list[ProviderEntry]


@dataclass(frozen=True, slots=True)
class Provider:
    """A provider as the registry holds it: its models and voices per stage (the file's
    lists apply to each stage it serves; the built-ins keep today's per-stage lists)."""

    name: str
    kind: Kind
    base_url: str | None
    api_key_env: str | None
    models: Mapping[Stage, tuple[str, ...]]
    voices: Mapping[Stage, tuple[str, ...]] = field(default_factory=dict)
    surcharges: Surcharges = field(default_factory=Surcharges)

    @property
    def stages(self) -> tuple[Stage, ...]:
        return tuple(stage for stage in STAGES if stage in self.models)

    def serves(self, stage: Stage) -> bool:
        return stage in self.models

    def key(self, settings: ProviderSettings) -> str | None:
        """The API key, None when the provider takes none; `ProviderConfigError` when its
        variable is named but not set."""
        if self.api_key_env is None:
            return None
        value: str | None = None
        if setting := _SETTINGS_KEYS.get(self.api_key_env):
            secret: SecretStr | None = getattr(settings, setting)
            value = secret.get_secret_value() if secret else None
        if not value:
            value = os.environ.get(self.api_key_env)
        if not value:
            raise ProviderConfigError(self.name, self.api_key_env)
        return value


@dataclass(frozen=True, slots=True)
class Registry:
    providers: Mapping[str, Provider]
    from_file: bool = False

    def find(self, name: str) -> Provider | None:
        found = self.providers.get(name)
        if found is None and name in ALIASES:
            found = self.providers.get(ALIASES[name])
        return found

    def get(self, name: str) -> Provider:
        found = self.find(name)
        if found is None:
            raise KeyError(name)
        return found

    def names(self, stage: Stage) -> list[str]:
        return [p.name for p in self.providers.values() if p.serves(stage)]

    def check(
        self,
        stage: Stage,
        *,
        param: str,
        provider: str,
        model: str | None = None,
        voice: str | None = None,
        lists: bool = True,
    ) -> Provider:
        """The provider, or a 400 naming `param.provider`, `param.model` or `param.voice`:
        an unknown name, a provider not serving `stage`, a model or voice off its list
        (not checked without `lists`: the worker runs what was accepted)."""
        found = self.find(provider)
        if found is None or not found.serves(stage):
            offered = ", ".join(self.names(stage)) or "(none configured)"
            why = "is not a provider here" if found is None else f"does not serve {stage}"
            raise InvalidRequestError(
                f"{param}.provider: '{provider[:40]}' {why}; choose one of {offered}",
                param=f"{param}.provider",
            )
        for what, value, allowed in (
            ("model", model, found.models[stage]),
            ("voice", voice, found.voices.get(stage, ())),
        ):
            if lists and value is not None and value not in allowed:
                raise InvalidRequestError(
                    f"{param}.{what}: '{value[:100]}' is not offered by {found.name}; choose "
                    f"one of {', '.join(allowed) or '(none configured)'}",
                    param=f"{param}.{what}",
                )
        return found


def builtin_registry(settings: ProviderSettings) -> Registry:
    """Today's providers from today's settings: OpenAI (LLM, voice, realtime), Deepgram
    (speech-to-text), Google (Gemini realtime), and ElevenLabs and Cartesia when their keys
    are set; each with the CALLWRIGHT_ALLOWED_* lists."""
    realtime_allowed = set(settings.allowed_realtime_providers)
    openai_models: dict[Stage, tuple[str, ...]] = {
        "llm": settings.allowed_llm_models,
        "tts": settings.allowed_tts_models,
    }
    openai_voices: dict[Stage, tuple[str, ...]] = {"tts": settings.allowed_tts_voices}
    if "openai" in realtime_allowed:
        openai_models["realtime"] = settings.allowed_openai_realtime_models
        openai_voices["realtime"] = settings.allowed_openai_realtime_voices
    google_models: dict[Stage, tuple[str, ...]] = {}
    google_voices: dict[Stage, tuple[str, ...]] = {}
    if realtime_allowed & {"gemini", "google"}:
        google_models["realtime"] = settings.allowed_gemini_live_models
        google_voices["realtime"] = settings.allowed_gemini_live_voices
    providers = [
        Provider(
            "openai",
            "openai",
            settings.openai_base_url or None,
            "OPENAI_API_KEY",
            openai_models,
            openai_voices,
        ),
        Provider(
            "deepgram",
            "deepgram",
            settings.deepgram_base_url or None,
            "DEEPGRAM_API_KEY",
            {"stt": settings.allowed_stt_models},
        ),
        Provider(
            "google",
            "google",
            settings.google_base_url or None,
            "GOOGLE_API_KEY",
            google_models,
            google_voices,
        ),
    ]
    # Which models and voices a tenant may pick from these two is the operator's to list
    # (a providers file); the built-ins offer the vendors' current default model and no
    # voice until then.
    if settings.elevenlabs_api_key and settings.elevenlabs_api_key.get_secret_value():
        providers.append(
            Provider(
                "elevenlabs",
                "elevenlabs",
                settings.elevenlabs_base_url or None,
                "ELEVENLABS_API_KEY",
                {"tts": ("eleven_flash_v2_5", "eleven_turbo_v2_5", "eleven_multilingual_v2")},
                {"tts": ()},
            )
        )
    if settings.cartesia_api_key and settings.cartesia_api_key.get_secret_value():
        providers.append(
            Provider(
                "cartesia",
                "cartesia",
                settings.cartesia_base_url or None,
                "CARTESIA_API_KEY",
                {"tts": ("sonic-2", "sonic-3")},
                {"tts": ()},
            )
        )
    return Registry({p.name: p for p in providers})


def _entry(entry: ProviderEntry) -> Provider:
    stages = sorted(set(entry.stages), key=STAGES.index)
    return Provider(
        name=entry.name,
        kind=entry.kind,
        base_url=entry.base_url,
        api_key_env=entry.api_key_env or KIND_KEY_ENV[entry.kind],
        models={stage: entry.models for stage in stages},
        voices={stage: entry.voices for stage in stages if stage in ("tts", "realtime")},
        surcharges=entry.surcharges,
    )


def parse_providers(text: str, *, source: str) -> Registry:
    """A registry from the file's text (YAML, of which JSON is a subset)."""
    try:
        data = yaml.safe_load(text) if not source.endswith(".json") else json.loads(text)
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        raise ProvidersFileError(f"{source}: not valid YAML or JSON ({exc})") from None
    try:
        parsed = ProvidersFile.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ProvidersFileError(f"{source}: {where}: {first['msg']}") from None
    providers: dict[str, Provider] = {}
    for entry in parsed.providers:
        if entry.name in providers:
            raise ProvidersFileError(f"{source}: provider '{entry.name}' is named twice")
        wrong = sorted(set(entry.stages) - KIND_STAGES[entry.kind], key=STAGES.index)
        if wrong:
            raise ProvidersFileError(
                f"{source}: provider '{entry.name}' of kind {entry.kind} cannot serve "
                f"{', '.join(wrong)}"
            )
        if not entry.models:
            raise ProvidersFileError(f"{source}: provider '{entry.name}' lists no models")
        for what, priced, listed in (
            ("models", entry.surcharges.models, entry.models),
            ("voices", entry.surcharges.voices, entry.voices),
        ):
            unlisted = [name for name in priced if name not in listed]
            if unlisted:
                raise ProvidersFileError(
                    f"{source}: provider '{entry.name}': surcharges.{what}.{unlisted[0]}: "
                    f"not one of its {what}"
                )
        providers[entry.name] = _entry(entry)
    return Registry(providers, from_file=True)


_CACHE: dict[tuple[str, int], Registry] = {}


def registry_of(settings: ProviderSettings) -> Registry:
    """The registry these settings give: the providers file when set (read again when it
    changes), else the built-ins."""
    if not settings.providers_file:
        return builtin_registry(settings)
    path = Path(settings.providers_file)
    try:
        mtime = path.stat().st_mtime_ns
        cached = _CACHE.get((str(path), mtime))
        if cached is not None:
            return cached
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ProvidersFileError(f"{path}: cannot be read ({exc.strerror})") from None
    registry = parse_providers(text, source=str(path))
    _CACHE.clear()
    _CACHE[(str(path), mtime)] = registry
    return registry

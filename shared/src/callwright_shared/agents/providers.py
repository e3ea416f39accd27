"""The model providers callwright calls, and which agent needs which: the one registry
the worker (the key and base URL each plugin gets), the page backend (which keys an
agent is missing) and the test wiring read.

A provider's key and base URL are operator settings: `ProviderSettings`
fields, named here; their environment names come from those fields' aliases. Adding a
provider means its two settings, one `Provider` here and its plugin in the worker.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import AliasChoices, SecretStr

from callwright_shared.db.models import Architecture
from callwright_shared.settings import ProviderSettings


class ProviderConfigError(Exception):
    """A provider cannot be used as configured (a missing key); tells the user, not the logs."""

    def __init__(self, provider: str, setting: str) -> None:
        super().__init__(f"{provider} is not configured ({setting} is not set)")
        self.provider = provider
        self.setting = setting


def _env_name(field: str) -> str:
    alias = ProviderSettings.model_fields[field].validation_alias
    assert isinstance(alias, AliasChoices) and isinstance(alias.choices[0], str), field
    return alias.choices[0]


@dataclass(frozen=True, slots=True)
class Provider:
    name: str
    key_setting: str  # the ProviderSettings field holding its API key
    base_url_setting: str  # … and the one pointing it elsewhere (a proxy, an emulator)
    needed_for: str  # for the operator: what an unset key leaves uncallable

    @property
    def key_env(self) -> str:
        return _env_name(self.key_setting)

    @property
    def base_url_env(self) -> str:
        return _env_name(self.base_url_setting)

    def key(self, settings: ProviderSettings) -> str:
        """The API key; `ProviderConfigError` when it is not set."""
        value: SecretStr | None = getattr(settings, self.key_setting)
        if value is None or not value.get_secret_value():
            raise ProviderConfigError(self.name, self.key_env)
        return value.get_secret_value()

    def base_url(self, settings: ProviderSettings) -> str | None:
        """The operator's base URL, or None for the plugin's own default."""
        value: str | None = getattr(settings, self.base_url_setting)
        return value or None


OPENAI = Provider(
    "OpenAI",
    "openai_api_key",
    "openai_base_url",
    "pipeline agents (LLM and voice) and OpenAI realtime agents",
)
DEEPGRAM = Provider(
    "Deepgram", "deepgram_api_key", "deepgram_base_url", "pipeline agents (speech-to-text)"
)
GOOGLE = Provider("Google Gemini", "google_api_key", "google_base_url", "Gemini realtime agents")
PROVIDERS = (OPENAI, DEEPGRAM, GOOGLE)


def required_providers(
    architecture: Architecture | str, realtime_provider: str | None = None
) -> tuple[Provider, ...]:
    """What a voice agent's call needs: a pipeline Deepgram's STT and
    OpenAI's LLM and TTS; a realtime agent its realtime provider (OpenAI by default).
    Text agents run in the issuer, not on a worker: none here."""
    if architecture == Architecture.PIPELINE:
        return (DEEPGRAM, OPENAI)
    if architecture == Architecture.REALTIME:
        return (GOOGLE,) if realtime_provider in ("gemini", "google") else (OPENAI,)
    return ()

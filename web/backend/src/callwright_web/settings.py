"""The page backend's settings (CALLWRIGHT_WEB_*)."""

from __future__ import annotations

import ipaddress
from pathlib import Path

from pydantic import (
    AliasChoices,
    Field,
    SecretStr,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from callwright_web.providers import DEEPGRAM, GOOGLE, OPENAI, PROVIDERS

# The page's bundle, relative to the working directory: `make web-build` writes it to
# web/dist of the checkout, the dev runner names the checkout's, the image sets its own.
DEFAULT_STATIC_DIR = Path("web/dist")
_MIN_PASSWORD_CHARS = 12


def _env(name: str) -> AliasChoices:
    return AliasChoices(name, name.lower())


def _env_value(value: object) -> str:
    """A setting's value as the environment spells it (what its validators read back)."""
    if isinstance(value, SecretStr):
        value = value.get_secret_value()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class WebSettings(BaseSettings):
    """The page backend's settings. It never holds a provider key: only whether each is set
    (`make run`: read from .env) or the names the operator configured (compose)."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True
    )

    issuer_url: str = Field(
        "http://127.0.0.1:8000",
        validation_alias=_env("CALLWRIGHT_WEB_ISSUER_URL"),
        description="The issuer the page backend calls.",
    )
    api_key: SecretStr | None = Field(
        None,
        validation_alias=_env("CALLWRIGHT_WEB_API_KEY"),
        description="The API key the page backend calls the issuer with, so the key never reaches "
        "the browser. `make run` seeds a demo key; with compose, mint one: docker "
        "compose exec issuer callwright admin create-key --org <org_id> --user "
        "<user_id>.",
    )
    host: str = Field(
        "127.0.0.1",
        validation_alias=_env("CALLWRIGHT_WEB_HOST"),
        description="The address the page listens on.",
    )
    port: int = Field(
        3000,
        gt=0,
        lt=65536,
        validation_alias=_env("CALLWRIGHT_WEB_PORT"),
        description="The page's port.",
    )
    static_dir: Path = Field(
        DEFAULT_STATIC_DIR,
        validation_alias=_env("CALLWRIGHT_WEB_STATIC_DIR"),
        description="The page's bundle (`make web-build` writes web/dist).",
    )
    issuer_timeout_seconds: float = Field(
        15.0,
        gt=0,
        validation_alias=_env("CALLWRIGHT_WEB_ISSUER_TIMEOUT_SECONDS"),
        description="Timeout of the page backend's calls to the issuer.",
    )

    # Who may use the page (docs/deploy.md, "Who may use the page").
    # `user:password` of HTTP basic auth; required to listen beyond the loopback.
    basic_auth: SecretStr | None = Field(
        None,
        validation_alias=_env("CALLWRIGHT_WEB_BASIC_AUTH"),
        description="Who may use the page: HTTP basic auth as user:password (a password of 12+ "
        "characters). The page refuses to listen beyond the loopback without it, so "
        'docker compose needs it: echo "page:$(openssl rand -hex 12)".',
    )
    # Host names the page answers besides localhost, 127.0.0.1, ::1 and its own host
    # (comma-separated): any other Host header is a DNS-rebinding attempt.
    allowed_hosts: str = Field(
        "",
        validation_alias=_env("CALLWRIGHT_WEB_ALLOWED_HOSTS"),
        description="Host names the page answers besides localhost, 127.0.0.1, ::1 and "
        "CALLWRIGHT_WEB_HOST (comma-separated; compose passes WEB_DOMAIN). Other names "
        "are refused (DNS rebinding).",
    )
    # Calls one client (IP address) may place: a burst, then this many a minute.
    call_burst: int = Field(
        3,
        gt=0,
        validation_alias=_env("CALLWRIGHT_WEB_CALL_BURST"),
        description="Calls one client address may place at once (429 past it) ...",
    )
    calls_per_minute: float = Field(
        6.0,
        gt=0,
        validation_alias=_env("CALLWRIGHT_WEB_CALLS_PER_MINUTE"),
        description="... then this many a minute.",
    )
    # Peers whose X-Forwarded-For names the client (uvicorn's forwarded_allow_ips).
    forwarded_allow_ips: str = Field(
        "127.0.0.1",
        validation_alias=_env("CALLWRIGHT_WEB_FORWARDED_ALLOW_IPS"),
        description='Peers trusted to name the client in X-Forwarded-For (compose: "*", behind '
        "Caddy).",
    )

    # The operator console (/console/, callwright_web.console): the key's organization's
    # sessions and transcripts. Off unless turned on with its own credential (`user:password`
    # of basic auth, not the page's): a page user is not an operator
    # (docs/security.md#console-off-by-default).
    console: bool = Field(
        False,
        validation_alias=_env("CALLWRIGHT_WEB_CONSOLE"),
        description="The operator console at /console/ (docs/console.md): the sessions and "
        "transcripts of the key's organization. Off unless true, and then only with "
        "its own sign-in.",
    )
    console_auth: SecretStr | None = Field(
        None,
        validation_alias=_env("CALLWRIGHT_WEB_CONSOLE_AUTH"),
        description="The console's sign-in, user:password (12+ characters, not the page's): echo "
        '"ops:$(openssl rand -hex 12)".',
    )
    console_requests_per_minute: float = Field(
        120.0,
        gt=0,
        validation_alias=_env("CALLWRIGHT_WEB_CONSOLE_REQUESTS_PER_MINUTE"),
        description="Requests one client address may send to the console: a burst of 30, then this "
        "many a minute.",
    )

    # Signs the cookie naming the calls this browser placed (callwright_web.call_cookie);
    # a random one per start when unset (a restart then forgets which browser placed which
    # call: its tabs can no longer rejoin or end it).
    cookie_secret: SecretStr | None = Field(
        None,
        validation_alias=_env("CALLWRIGHT_WEB_COOKIE_SECRET"),
        description="Signs the cookie naming the calls a browser placed (only that browser may "
        "rejoin or end them); 32+ characters. Unset: a random key per start, so a "
        "restart forgets them.",
    )
    # Rejoins and hang-ups one client may send: a burst, then this many a minute.
    call_controls_per_minute: float = Field(
        30.0,
        gt=0,
        validation_alias=_env("CALLWRIGHT_WEB_CALL_CONTROLS_PER_MINUTE"),
        description="Rejoins and hang-ups one client address may send: a burst of 10, then this "
        "many a minute.",
    )

    # Which provider keys the workers have: the names, comma-separated (compose passes
    # them); when unset, whether each key is set in this environment (`make run`).
    configured_keys: str | None = Field(
        None,
        validation_alias=_env("CALLWRIGHT_WEB_CONFIGURED_KEYS"),
        description="The provider keys the workers have, by name, comma-separated (compose derives "
        "it; never the keys). Unset: the page looks at which of OPENAI_API_KEY, "
        "DEEPGRAM_API_KEY and GOOGLE_API_KEY are set in its own environment (`make "
        "run`).",
    )
    openai_key_set: bool = Field(
        False,
        validation_alias=_env(OPENAI.key_env),
        description="Whether OpenAI's key is set (never the key).",
    )
    deepgram_key_set: bool = Field(
        False,
        validation_alias=_env(DEEPGRAM.key_env),
        description="Whether Deepgram's key is set (never the key).",
    )
    google_key_set: bool = Field(
        False,
        validation_alias=_env(GOOGLE.key_env),
        description="Whether Google's key is set (never the key).",
    )

    @field_validator("openai_key_set", "deepgram_key_set", "google_key_set", mode="before")
    @classmethod
    def _is_set(cls, value: object) -> bool:
        """Keep only whether the key is there, never the key."""
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        return bool(value)

    @field_validator("basic_auth", "console_auth")
    @classmethod
    def _user_and_password(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        if value is None or not value.get_secret_value():
            return None
        user, colon, password = value.get_secret_value().partition(":")
        if not user or not colon or len(password) < _MIN_PASSWORD_CHARS:
            name = "CALLWRIGHT_WEB_" + (info.field_name or "").upper()
            raise ValueError(
                f"{name} must be user:password, with a password of at "
                f"least {_MIN_PASSWORD_CHARS} characters"
            )
        return value

    @field_validator("cookie_secret")
    @classmethod
    def _long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value():
            return None
        if len(value.get_secret_value()) < 32:
            raise ValueError("CALLWRIGHT_WEB_COOKIE_SECRET must be at least 32 characters")
        return value

    @model_validator(mode="after")
    def _console_has_its_own_credential(self) -> WebSettings:
        if not self.console:
            return self
        if self.console_auth is None:
            raise ValueError(
                "CALLWRIGHT_WEB_CONSOLE=true needs CALLWRIGHT_WEB_CONSOLE_AUTH "
                "(user:password, the console's own sign-in)"
            )
        if self.basic_auth is not None and (
            self.basic_auth.get_secret_value() == self.console_auth.get_secret_value()
        ):
            raise ValueError(
                "CALLWRIGHT_WEB_CONSOLE_AUTH must differ from CALLWRIGHT_WEB_BASIC_AUTH: "
                "whoever may place calls is not an operator"
            )
        return self

    @property
    def page_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def to_env(self, *fields: str) -> dict[str, str]:
        """Each field (all of them unless named) under its environment name: what a
        process started with it reads back as these settings (the dev runner's page)."""
        env: dict[str, str] = {}
        for name, info in type(self).model_fields.items():
            if fields and name not in fields:
                continue
            alias = info.validation_alias
            if not isinstance(alias, AliasChoices) or not isinstance(alias.choices[0], str):
                raise TypeError(f"{type(self).__name__}.{name} has no environment name")
            env[alias.choices[0]] = _env_value(getattr(self, name))
        return env

    def missing_provider_keys(self) -> set[str]:
        """The key names (callwright_web.providers) the workers lack."""
        if self.configured_keys is not None:
            configured = {name.strip() for name in self.configured_keys.split(",")}
        else:
            present = {
                OPENAI: self.openai_key_set,
                DEEPGRAM: self.deepgram_key_set,
                GOOGLE: self.google_key_set,
            }
            configured = {provider.key_env for provider, set_ in present.items() if set_}
        return {provider.key_env for provider in PROVIDERS} - configured

    def host_names(self) -> frozenset[str]:
        """The Host header names the page answers."""
        names = {"localhost", "127.0.0.1", "::1", self.host.lower()}
        names.update(n.strip().lower() for n in self.allowed_hosts.split(",") if n.strip())
        # A browser reaches 0.0.0.0 as the local machine: it is never a page's name.
        return frozenset(names - {"", "0.0.0.0", "::"})


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a name: it may resolve to any address
        return False

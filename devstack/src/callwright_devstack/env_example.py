""".env.example and docs/configuration.md, rendered from the settings classes: every
environment name, its default, its description, grouped by section with the services that
read it (a unit test fails when either file is stale).

    python -m callwright_devstack.env_example --write    # or: make env-example
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
import sys
import textwrap

from pydantic import AliasChoices, BaseModel, Field, SecretStr
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings

from callwright_devstack.checkout import REPO_ROOT
from callwright_shared.analysis.settings import AnalysisSettings
from callwright_shared.recordings.settings import RecordingSettings
from callwright_shared.settings import (
    FILL_IN,
    CallwrightSettings,
    EnvSettings,
    IssuerSettings,
    Section,
    WorkerSettings,
    _env,
)
from callwright_web.settings import WebSettings

ENV_EXAMPLE = REPO_ROOT / ".env.example"
CONFIGURATION_MD = REPO_ROOT / "docs" / "configuration.md"
WIDTH = 90


class TelemetryVariables(EnvSettings):
    """OpenTelemetry export of each call's spans (docs/deploy.md), read by the exporter
    itself rather than by callwright's settings."""

    otlp_endpoint: str | None = Field(
        None,
        validation_alias=_env("OTEL_EXPORTER_OTLP_ENDPOINT"),
        description="An OTLP/HTTP collector: with it (or the traces endpoint) the worker "
        "exports its calls' spans.",
        examples=["http://otel-collector:4318"],
    )
    otlp_traces_endpoint: str | None = Field(
        None,
        validation_alias=_env("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"),
        description="The traces endpoint itself, instead of the collector's base URL.",
    )
    otlp_headers: SecretStr | None = Field(
        None,
        validation_alias=_env("OTEL_EXPORTER_OTLP_HEADERS"),
        description="Headers sent to the collector (key=value,...), such as its credential.",
    )
    otlp_timeout: str | None = Field(
        None,
        validation_alias=_env("OTEL_EXPORTER_OTLP_TIMEOUT"),
        description="The export's timeout, in milliseconds.",
    )
    service_name: str | None = Field(
        None,
        validation_alias=_env("OTEL_SERVICE_NAME"),
        description="The service name on the exported spans.",
    )
    allow_pii: bool = Field(
        False,
        validation_alias=_env("LIVEKIT_TELEMETRY_ALLOW_PII"),
        description="Conversation text on exported spans only when true.",
    )


class ComposeVariables(EnvSettings):
    """docker compose (docs/deploy.md). `make run` needs none of these: it uses
    development keys, SQLite and `livekit-server --dev` on this machine."""

    postgres_password: SecretStr | None = Field(
        None,
        validation_alias=_env("POSTGRES_PASSWORD"),
        description="Postgres password, URL-safe characters (it goes into DATABASE_URL), "
        "required by docker compose: openssl rand -hex 24.",
        json_schema_extra=FILL_IN,
    )
    redis_password: SecretStr | None = Field(
        None,
        validation_alias=_env("REDIS_PASSWORD"),
        description="Redis password (LiveKit's shared state), required by docker compose: "
        "openssl rand -hex 24.",
        json_schema_extra=FILL_IN,
    )
    node_ip: str | None = Field(
        None,
        validation_alias=_env("NODE_IP"),
        description="The address LiveKit advertises for media, when the host's public IP is "
        "not on one of its interfaces (cloud VMs behind 1:1 NAT); empty = the host's own.",
        examples=["203.0.113.10"],
    )
    web_domain: str | None = Field(
        None,
        validation_alias=_env("WEB_DOMAIN"),
        description="The `tls` profile (Caddy, HTTPS and WSS): the page's DNS name, pointing "
        "at this host.",
        examples=["call.example.com"],
    )
    api_domain: str | None = Field(
        None,
        validation_alias=_env("API_DOMAIN"),
        description="The `tls` profile: the issuer's DNS name.",
        examples=["api.example.com"],
    )
    livekit_domain: str | None = Field(
        None,
        validation_alias=_env("LIVEKIT_DOMAIN"),
        description="The `tls` profile: LiveKit's DNS name.",
        examples=["livekit.example.com"],
    )


# Who reads which class. A field may narrow its section's readers
# (callwright_shared.settings.only_read_by).
READERS: tuple[tuple[str, type[BaseSettings]], ...] = (
    ("issuer", IssuerSettings),
    ("worker", WorkerSettings),
    ("issuer", RecordingSettings),
    ("worker", RecordingSettings),
    ("issuer", AnalysisSettings),
    ("worker", TelemetryVariables),
    ("web", WebSettings),
    ("docker compose", ComposeVariables),
)
SERVICE_ORDER = ("issuer", "worker", "web", "docker compose")


def env_name(field: FieldInfo) -> str:
    alias = field.validation_alias
    if not isinstance(alias, AliasChoices) or not isinstance(alias.choices[0], str):
        raise TypeError(f"{field} has no environment name")
    return alias.choices[0]


def _extra(field: FieldInfo) -> dict[str, object]:
    extra = field.json_schema_extra
    return dict(extra) if isinstance(extra, dict) else {}


def readers_of(name: str) -> tuple[str, ...]:
    """The services that read an environment name."""
    found = set()
    for service, model in READERS:
        for field in model.model_fields.values():
            if env_name(field) != name:
                continue
            narrowed = _extra(field).get("readers")
            if not isinstance(narrowed, list) or service in narrowed:
                found.add(service)
    return tuple(s for s in SERVICE_ORDER if s in found)


def sections() -> list[type[BaseModel]]:
    """The groups, in order: the service sections (as the union composes them, the root
    first), then the classes that are sections of their own."""
    composed = [
        cls
        for cls in CallwrightSettings.__mro__
        if isinstance(cls, type) and issubclass(cls, Section) and cls is not Section
    ]
    own = [c for c in composed if own_fields(c)]
    return [
        Section,
        *own,
        RecordingSettings,
        AnalysisSettings,
        TelemetryVariables,
        WebSettings,
        ComposeVariables,
    ]


def own_fields(cls: type[BaseModel]) -> dict[str, FieldInfo]:
    """The fields a class declares itself (not those of its bases)."""
    inherited: set[str] = set()
    for base in cls.__bases__:
        if issubclass(base, BaseModel):
            inherited |= set(base.model_fields)
    return {name: f for name, f in cls.model_fields.items() if name not in inherited}


def shown_value(field: FieldInfo) -> str:
    """The value a line shows: the default as the environment spells it, an example when
    there is no default, and nothing for a secret."""
    value = field.get_default(call_default_factory=True)
    if isinstance(value, SecretStr):
        return ""
    if value is None:
        return str(field.examples[0]) if field.examples else ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, tuple | list):
        return ",".join(
            str(int(v)) if isinstance(v, float) and v.is_integer() else str(v) for v in value
        )
    return str(value)


@dataclasses.dataclass(frozen=True)
class Setting:
    name: str
    description: str
    value: str
    fill_in: bool
    readers: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class Group:
    title: str
    model: str
    settings: tuple[Setting, ...]

    @property
    def readers(self) -> tuple[str, ...]:
        """Who reads most of the section (a line read by others says so)."""
        counts = collections.Counter(s.readers for s in self.settings)
        return counts.most_common(1)[0][0] if counts else ()


def groups() -> list[Group]:
    listed: set[str] = set()
    result = []
    for cls in sections():
        settings = []
        for field in own_fields(cls).values():
            name = env_name(field)
            if name in listed:  # the page reads whether a provider key is set
                continue
            listed.add(name)
            if not field.description:
                raise ValueError(f"{cls.__name__}: {name} has no description")
            settings.append(
                Setting(
                    name=name,
                    description=field.description,
                    value=shown_value(field),
                    fill_in=_extra(field).get("env_example") == FILL_IN["env_example"],
                    readers=readers_of(name),
                )
            )
        doc = " ".join((cls.__doc__ or cls.__name__).split())
        result.append(Group(doc, cls.__name__, tuple(settings)))
    return result


def _comment(text: str) -> list[str]:
    return textwrap.wrap(
        text,
        WIDTH - 2,
        initial_indent="# ",
        subsequent_indent="# ",
        break_long_words=False,
        break_on_hyphens=False,
    )


HEADER = """\
# callwright settings. Copy to .env: `make run` and `docker compose` both read it.
#
# Generated from the settings classes by `make env-example`; tests/unit/test_env_example.py
# fails when it is stale. Commented lines show the default; secrets are shown empty. Leave a
# line commented rather than empty unless it is shown empty: some libraries read the
# environment themselves and take an empty value for a real one. Each section says which
# services read it (docs/configuration.md): the issuer reads this file; docker compose
# hands the worker and the page only the names they read.
"""
RULE = "# " + "-" * (WIDTH - 2)


def render_env_example() -> str:
    lines = [HEADER.rstrip("\n")]
    for group in groups():
        lines += ["", RULE, *_comment(group.title)]
        lines += _comment("Read by: " + ", ".join(group.readers) + ".")
        lines.append(RULE)
        for setting in group.settings:
            description = setting.description
            if setting.readers != group.readers:
                description += " (Read by: " + ", ".join(setting.readers) + ".)"
            lines += _comment(description)
            if setting.fill_in:
                lines.append(f"{setting.name}=")
            else:
                lines.append(f"# {setting.name}={setting.value}")
    return "\n".join(lines) + "\n"


CONFIGURATION_HEADER = """\
# Configuration

<!-- Generated from the settings classes by `make env-example`;
tests/unit/test_env_example.py fails when this page is stale. -->

callwright is configured by environment variables, or a `.env` file in the working
directory. `.env.example`, at the root of the repository, lists every one with its default
and what it does; copy it to `.env`.

The settings are typed sections, one per concern, in
`callwright_shared.settings` ([why](decisions.md#settings-sections)). Each service reads
the sections it needs: the issuer's `IssuerSettings`, the worker's `WorkerSettings`, the
page backend's `WebSettings` and the recordings' `RecordingSettings`; the CLI's other
commands and the dev runner read `CallwrightSettings`, the issuer's and the worker's
together. The issuer reads `.env`; docker compose hands the worker and the page only the
variables they read (`docker-compose.yml`), so a setting of the worker goes into both
`.env` and the worker's `environment:` list there.

| Section | Class | Read by | Variables |
|---|---|---|---|
"""


def render_configuration() -> str:
    rows = []
    for group in groups():
        names = ", ".join(f"`{s.name}`" for s in group.settings)
        title = group.title.split(". ")[0].rstrip(".")
        rows.append(f"| {title} | `{group.model}` | {', '.join(group.readers)} | {names} |")
    return CONFIGURATION_HEADER + "\n".join(rows) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", action="store_true", help="write both files")
    args = parser.parse_args(argv)
    rendered = ((ENV_EXAMPLE, render_env_example()), (CONFIGURATION_MD, render_configuration()))
    for path, text in rendered:
        if args.write:
            path.write_text(text)
        else:
            sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The self-hosting files agree with each other and with the code.

No Docker engine is needed: docker-compose.yml, livekit.yaml, .env.example, the Dockerfiles
and docs/deploy.md are read as files and checked against what the code reads — the
settings classes' environment names, the issuer's routes, the health endpoints, uv.lock's
dependency sets and the modules each image's command imports. Compose's `${VAR:-default}`
interpolation is evaluated with the values of .env.example (plus the secrets a user must
add), so the checks are about the stack a user actually gets from `docker compose up`.
"""

from __future__ import annotations

import ast
import importlib.metadata
import importlib.resources
import importlib.util
import ipaddress
import re
import sys
import tomllib
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import yaml
from fastapi import FastAPI
from pydantic import AliasChoices
from pydantic_settings import BaseSettings

from callwright.cli import COMMAND_EXTRAS, EXTRA_MODULES
from callwright_devstack.env_example import groups
from callwright_devstack.livekit_config import dev_config
from callwright_http.body_limits import MAX_BODY_BYTES
from callwright_issuer.app import create_app as create_issuer_app
from callwright_shared.agents.definitions import AgentConfig, check_choices
from callwright_shared.analysis.settings import AnalysisSettings
from callwright_shared.recordings.settings import RecordingSettings
from callwright_shared.settings import CallwrightSettings, IssuerSettings
from callwright_web.app import create_app as create_web_app
from callwright_web.settings import WebSettings
from callwright_worker import telemetry

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[2]
WEBHOOK_PATH = "/v1/livekit/webhook"
# What a user must add to .env.example's values before `docker compose up` works.
USER_SECRETS = {
    "LIVEKIT_API_SECRET": "s3cr3t-s3cr3t-s3cr3t-s3cr3t-s3cr3t-42",
    "POSTGRES_PASSWORD": "pg-password-0123456789",
    "REDIS_PASSWORD": "redis-password-0123456789",
}
CALLWRIGHT_SERVICES = ("issuer", "worker")
# Distributions of the workspace, by their first-party top-level module.
FIRST_PARTY = {
    "callwright": "callwright",
    "callwright_shared": "callwright-shared",
    "callwright_issuer": "callwright-issuer",
    "callwright_worker": "callwright-worker",
    "callwright_http": "callwright-http",
    "callwright_web": "callwright-web",
    "callwright_devstack": "callwright-devstack",
}


# --- reading the files ---------------------------------------------------------------------


@cache
def compose() -> dict[str, Any]:
    loaded = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    assert isinstance(loaded, dict)
    return loaded


@cache
def livekit_yaml() -> dict[str, Any]:
    loaded = yaml.safe_load((REPO / "livekit.yaml").read_text())
    assert isinstance(loaded, dict)
    return loaded


def service(name: str) -> dict[str, Any]:
    services: dict[str, dict[str, Any]] = compose()["services"]
    return services[name]


_ENV_LINE = re.compile(r"^\s*(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$")


def env_example_lines() -> Iterator[tuple[str, str, bool]]:
    """(name, value, commented) for every `NAME=value` line, commented or not."""
    for line in (REPO / ".env.example").read_text().splitlines():
        if match := _ENV_LINE.match(line):
            yield match.group(2), match.group(3).strip(), match.group(1) is not None


def user_env(**overrides: str) -> dict[str, str]:
    """The .env a user ends up with: .env.example's live lines plus the required secrets."""
    env = {name: value for name, value, commented in env_example_lines() if not commented}
    return {**env, **USER_SECRETS, **overrides}


_VARIABLE = re.compile(r"\$(?:\$|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|([A-Za-z_]\w*))")


def interpolate(text: str, env: Mapping[str, str]) -> str:
    """Compose's interpolation: ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error},
    ${VAR:+replacement}, ${VAR+replacement}, $$."""

    def substitute(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name = match.group(1) or match.group(4)
        operator, argument = match.group(2), match.group(3) or ""
        value = env.get(name)
        unset = value is None or (operator is not None and operator.startswith(":") and not value)
        if operator in (":-", "-"):
            return argument if unset else str(value)
        if operator in (":+", "+"):
            return "" if unset else argument
        if operator in (":?", "?"):
            if unset:
                raise LookupError(f"compose refuses to start without {name}: {argument}")
            return str(value)
        return value or ""

    return _VARIABLE.sub(substitute, text)


def variables_used(text: str) -> set[str]:
    return {m.group(1) or m.group(4) for m in _VARIABLE.finditer(text) if m.group(0) != "$$"}


def resolved_environment(name: str, env: Mapping[str, str]) -> dict[str, str]:
    """A service's environment; a name without a value takes .env's, if .env sets it."""
    raw = service(name).get("environment") or {}
    if isinstance(raw, list):
        raw = dict(item.split("=", 1) if "=" in item else (item, None) for item in raw)
    return {
        key: env[key] if value is None else interpolate(str(value), env)
        for key, value in raw.items()
        if value is not None or key in env
    }


def environment_names(name: str) -> set[str]:
    """Every name a service's environment lists, with or without a value."""
    raw = service(name).get("environment") or {}
    if isinstance(raw, list):
        return {item.split("=", 1)[0] for item in raw}
    return set(raw)


def settings_env_names(settings_class: type[BaseSettings]) -> set[str]:
    names = set()
    for field in settings_class.model_fields.values():
        alias = field.validation_alias
        assert isinstance(alias, AliasChoices), field
        first = alias.choices[0]
        assert isinstance(first, str)
        names.add(first)
    return names


def read_by(service_name: str) -> set[str]:
    """The environment names a service reads (callwright_devstack.env_example)."""
    return {s.name for g in groups() for s in g.settings if service_name in s.readers}


def healthcheck_url(name: str) -> tuple[int, str]:
    test = service(name)["healthcheck"]["test"]
    command = " ".join(test) if isinstance(test, list) else str(test)
    match = re.search(r"http://127\.0\.0\.1:(\d+)(/[^\s'\"]*)?", command)
    assert match, f"{name}'s health check does not request a loopback URL: {command}"
    return int(match.group(1)), match.group(2) or "/"


def duration_seconds(value: str | int) -> float:
    """A compose duration (`31m`, `1h30m`, `90s`, `1860`) in seconds."""
    if isinstance(value, int):
        return float(value)
    units = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}
    parts = re.findall(r"(\d+(?:\.\d+)?)(ms|h|m|s)", value)
    assert parts and "".join(n + u for n, u in parts) == value, f"not a duration: {value}"
    return sum(float(number) * units[unit] for number, unit in parts)


def published(name: str) -> list[tuple[str, int, int]]:
    """(host ip, host port, container port) for each TCP port a service publishes."""
    result = []
    for entry in service(name).get("ports", []):
        text = str(entry)
        if text.endswith("/udp"):
            continue
        parts = text.removesuffix("/tcp").split(":")
        ip = parts[0] if len(parts) == 3 else "0.0.0.0"
        result.append((ip, int(parts[-2]), int(parts[-1])))
    return result


def route_paths(app: FastAPI) -> set[str]:
    paths = {path for route in app.routes if isinstance(path := getattr(route, "path", None), str)}
    return paths | set(app.openapi()["paths"])


async def answers_ok(app: FastAPI, path: str) -> bool:
    """GET `path` in process (no lifespan: a liveness check needs no database)."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://app") as client:
        return (await client.get(path)).status_code == 200


# --- keys, URLs, names ---------------------------------------------------------------------


def test_compose_sets_only_settings_the_code_reads() -> None:
    readable = {
        "issuer": settings_env_names(IssuerSettings) | settings_env_names(RecordingSettings),
        "worker": read_by("worker"),
        "web": settings_env_names(WebSettings),
    }
    for name, names in readable.items():
        unknown = environment_names(name) - names
        assert not unknown, f"{name} sets variables its settings do not read: {unknown}"
    assert service("issuer")["env_file"] in (".env", [".env"])
    # The page is the most exposed service, the worker the one that decodes untrusted
    # media: no .env, so no secret either does not read.
    assert "env_file" not in service("web")
    assert "env_file" not in service("worker")


def test_env_example_names_every_setting_and_every_compose_variable() -> None:
    listed = {name for name, _, _ in env_example_lines()}
    settings = (
        settings_env_names(CallwrightSettings)
        | settings_env_names(RecordingSettings)
        | settings_env_names(WebSettings)
        | settings_env_names(AnalysisSettings)
        | set(telemetry.VARIABLES)
    )
    compose_variables = variables_used((REPO / "docker-compose.yml").read_text())
    assert not settings - listed, f".env.example lacks settings: {settings - listed}"
    assert not compose_variables - listed, f".env.example lacks: {compose_variables - listed}"
    stale = listed - settings - compose_variables
    assert not stale, f".env.example lists what nothing reads: {stale}"


def test_env_example_leaves_every_secret_empty() -> None:
    for name, value, commented in env_example_lines():
        if name.endswith(("_API_KEY", "_SECRET", "_PASSWORD")) and not commented:
            assert value == "", f"{name} has a value in .env.example"


@pytest.mark.parametrize("api_key", [None, "rotated-key"])
def test_livekit_the_issuer_and_the_worker_share_one_key_pair(api_key: str | None) -> None:
    env = user_env() if api_key is None else user_env(LIVEKIT_API_KEY=api_key)
    livekit_env = resolved_environment("livekit", env)
    key, _, secret = livekit_env["LIVEKIT_KEYS"].partition(": ")
    for name in CALLWRIGHT_SERVICES:
        environment = resolved_environment(name, env)
        assert environment["LIVEKIT_API_KEY"] == key, name
        assert environment["LIVEKIT_API_SECRET"] == secret == USER_SECRETS["LIVEKIT_API_SECRET"]
    # livekit-server refuses to start when the webhook's key is not one of its keys.
    assert livekit_env["LIVEKIT_WEBHOOK_API_KEY"] == key
    if api_key is None:
        assert livekit_yaml()["webhook"]["api_key"] == key


def test_compose_refuses_to_start_without_the_secrets() -> None:
    for missing in USER_SECRETS:
        env = {k: v for k, v in user_env().items() if k != missing}
        with pytest.raises(LookupError, match=missing):
            for name in compose()["services"]:
                resolved_environment(name, env)


def test_the_livekit_webhook_reaches_the_issuer_route() -> None:
    (url,) = livekit_yaml()["webhook"]["urls"]
    parts = urlsplit(url)
    assert parts.path == WEBHOOK_PATH
    assert WEBHOOK_PATH in route_paths(create_issuer_app(CallwrightSettings()))
    # LiveKit runs on the host's network: it reaches the issuer's published port.
    assert service("livekit")["network_mode"] == "host"
    issuer_port = int(resolved_environment("issuer", user_env())["CALLWRIGHT_ISSUER_PORT"])
    assert (parts.hostname, parts.port) == ("127.0.0.1", issuer_port)
    assert any(
        host == parts.port and inner == issuer_port for _, host, inner in published("issuer")
    )


def test_servers_and_browsers_reach_livekit_on_its_port() -> None:
    port = livekit_yaml()["port"]
    assert healthcheck_url("livekit") == (port, "/")
    for name in CALLWRIGHT_SERVICES:
        environment = resolved_environment(name, user_env())
        internal = urlsplit(environment["LIVEKIT_URL"])
        assert (internal.scheme, internal.hostname, internal.port) == (
            "ws",
            "host.docker.internal",
            port,
        )
        assert "host.docker.internal:host-gateway" in service(name)["extra_hosts"], name
        public = urlsplit(environment["LIVEKIT_PUBLIC_URL"])
        assert public.scheme == "ws" and public.port == port, "the default public URL"
        tls_public = resolved_environment(name, user_env(LIVEKIT_PUBLIC_URL="wss://lk.example"))
        assert tls_public["LIVEKIT_PUBLIC_URL"] == "wss://lk.example"


def test_livekit_uses_the_compose_redis() -> None:
    host, _, port = livekit_yaml()["redis"]["address"].rpartition(":")
    assert host == "127.0.0.1", "LiveKit is on the host network: Redis is on the loopback"
    assert ("127.0.0.1", int(port), 6379) in published("redis")
    assert "redis" in service("livekit")["depends_on"]


def test_the_issuer_and_the_worker_use_the_same_agent_name() -> None:
    for env in (user_env(), user_env(LIVEKIT_AGENT_NAME="support-agent")):
        names = {
            resolved_environment(name, env)["LIVEKIT_AGENT_NAME"] for name in CALLWRIGHT_SERVICES
        }
        assert names == {env.get("LIVEKIT_AGENT_NAME") or CallwrightSettings().livekit_agent_name}


def test_issuer_and_worker_share_the_compose_postgres() -> None:
    postgres = resolved_environment("postgres", user_env())
    expected = (
        f"postgresql+asyncpg://{postgres['POSTGRES_USER']}:{postgres['POSTGRES_PASSWORD']}"
        f"@postgres:5432/{postgres['POSTGRES_DB']}"
    )
    for name in CALLWRIGHT_SERVICES:
        assert resolved_environment(name, user_env())["DATABASE_URL"] == expected
        assert resolved_environment(name, user_env())["CALLWRIGHT_ENV"] == "production"
    assert "pg_isready" in service("postgres")["healthcheck"]["test"]
    assert service("issuer")["depends_on"]["postgres"]["condition"] == "service_healthy"
    # The issuer migrates on start (`callwright issuer` without --no-migrate).
    assert service("issuer")["command"] == ["callwright", "issuer"]
    # SQLAlchemy loads the URL's driver by name: both images must carry it.
    for extra in ("issuer", "worker"):
        assert "asyncpg" in image_distributions(extra)


def networks(name: str) -> set[str]:
    return set(service(name).get("networks") or ["default"])


def test_redis_asks_livekit_for_a_password_and_only_livekit_reaches_it() -> None:
    password = USER_SECRETS["REDIS_PASSWORD"]
    redis = resolved_environment("redis", user_env())
    assert redis["REDIS_PASSWORD"] == password
    (script,) = [part for part in service("redis")["command"] if "redis-server" in part]
    assert "requirepass" in script and "$$REDIS_PASSWORD" in script
    assert "REDIS_PASSWORD" in " ".join(service("redis")["healthcheck"]["test"])
    # livekit-server reads REDIS_PASSWORD for livekit.yaml's redis.address.
    assert resolved_environment("livekit", user_env())["REDIS_PASSWORD"] == password
    assert "password" not in livekit_yaml()["redis"], "the password comes from .env"
    for name in compose()["services"]:
        if name not in ("redis", "livekit"):
            assert not networks(name) & networks("redis"), f"{name} reaches Redis"


def test_the_page_is_on_the_loopback_and_holds_no_provider_key() -> None:
    assert published("web") and all(ip == "127.0.0.1" for ip, _, _ in published("web"))
    assert networks("web") == {"edge"} and not networks("web") & networks("postgres")
    keys = {"OPENAI_API_KEY": "sk-live-1", "DEEPGRAM_API_KEY": "dg-live-2"}
    web = resolved_environment("web", user_env(**keys))
    assert not set(keys) & set(web), "a provider key is passed to the page"
    assert not any(secret in value for value in web.values() for secret in keys.values())
    settings = WebSettings.model_validate({k.lower(): v for k, v in web.items()})
    assert settings.missing_provider_keys() == {"GOOGLE_API_KEY"}
    none = WebSettings.model_validate(
        {k.lower(): v for k, v in resolved_environment("web", user_env()).items()}
    )
    assert none.missing_provider_keys() == {"OPENAI_API_KEY", "DEEPGRAM_API_KEY", "GOOGLE_API_KEY"}


def test_the_page_answers_its_public_name_and_needs_credentials_in_compose() -> None:
    web = resolved_environment("web", user_env(WEB_DOMAIN="call.example.com"))
    assert "call.example.com" in web["CALLWRIGHT_WEB_ALLOWED_HOSTS"].split(",")
    # Bound to every interface of its container: `callwright web` then needs basic auth.
    assert web["CALLWRIGHT_WEB_HOST"] == "0.0.0.0"
    assert "CALLWRIGHT_WEB_BASIC_AUTH" in web
    assert "CALLWRIGHT_WEB_BASIC_AUTH" in (REPO / "docs" / "deploy.md").read_text()


def test_caddy_limits_bodies_like_the_issuer_and_the_page() -> None:
    caddyfile = compose()["configs"]["caddyfile"]["content"]
    sites = re.findall(r"^(\S+) \{\n(.*?)^\}", caddyfile, re.MULTILINE | re.DOTALL)
    limits = {}
    for name, body in sites:
        match = re.search(r"request_body \{\s*max_size (\d+)KB\s*\}", body)
        limits[name] = int(match.group(1)) * 1024 if match else None
    assert limits["${WEB_DOMAIN:-app.localhost}"] == MAX_BODY_BYTES
    assert limits["${API_DOMAIN:-api.localhost}"] == MAX_BODY_BYTES


# --- health checks, scaling, draining ------------------------------------------------------


async def test_health_checks_hit_the_real_health_endpoints() -> None:
    issuer_port = int(resolved_environment("issuer", user_env())["CALLWRIGHT_ISSUER_PORT"])
    port, path = healthcheck_url("issuer")
    assert port == issuer_port and path == "/healthz"
    assert await answers_ok(create_issuer_app(CallwrightSettings()), path)

    worker_port = int(resolved_environment("worker", user_env())["CALLWRIGHT_WORKER_PORT"])
    assert healthcheck_url("worker") == (worker_port, "/")
    assert worker_port == CallwrightSettings().worker_port  # livekit-agents' production 8081

    web_port = int(resolved_environment("web", user_env())["CALLWRIGHT_WEB_PORT"])
    port, path = healthcheck_url("web")
    assert port == web_port and (port, port) in {(h, c) for _, h, c in published("web")}
    assert await answers_ok(create_web_app(WebSettings()), path)
    for name in ("livekit", "redis", "postgres"):
        assert service(name)["healthcheck"]["test"], name


def test_the_worker_scales_and_drains() -> None:
    worker = service("worker")
    assert "container_name" not in worker and "ports" not in worker, "--scale worker=N"
    assert worker["command"] == ["callwright", "worker", "start"], "only `start` drains"
    assert worker.get("stop_signal", "SIGTERM") == "SIGTERM"
    drain = int(
        resolved_environment("worker", user_env())["CALLWRIGHT_WORKER_DRAIN_TIMEOUT_SECONDS"]
    )
    grace = duration_seconds(worker["stop_grace_period"])
    assert grace > drain, "docker kills the worker before its calls end"
    assert grace > CallwrightSettings().worker_drain_timeout_seconds
    # LiveKit drains too on SIGTERM (no new rooms, waits for participants).
    assert duration_seconds(service("livekit")["stop_grace_period"]) >= grace


# --- livekit.yaml and its development derivation -------------------------------------------


def test_only_the_issuer_creates_rooms() -> None:
    room = livekit_yaml()["room"]
    settings = CallwrightSettings()
    assert room["auto_create"] is False
    assert room["empty_timeout"] == settings.room_empty_timeout_seconds
    assert room["departure_timeout"] == settings.room_departure_timeout_seconds


def test_the_development_config_keeps_the_production_rules() -> None:
    production = livekit_yaml()
    config = dev_config(
        port=17880,
        rtc_tcp_port=17881,
        rtc_udp_port=17882,
        api_key="devkey",
        api_secret="callwright-test-secret-0123456789abcdefghij",
        webhook_url=f"http://127.0.0.1:18000{WEBHOOK_PATH}",
    )
    assert config["room"] == production["room"]
    assert config["room"]["auto_create"] is False
    assert config["webhook"]["api_key"] in config["keys"]
    assert [urlsplit(url).path for url in config["webhook"]["urls"]] == [
        urlsplit(url).path for url in production["webhook"]["urls"]
    ]
    assert "redis" not in config
    # Only the development overrides differ from the file users deploy.
    assert set(config) - set(production) <= {"bind_addresses", "keys"}


def test_the_firewall_guide_opens_the_configured_ports() -> None:
    guide = (REPO / "docs" / "deploy.md").read_text()
    rtc = livekit_yaml()["rtc"]
    for port in (
        f"{livekit_yaml()['port']}/tcp",
        f"{rtc['tcp_port']}/tcp",
        f"{rtc['port_range_start']}-{rtc['port_range_end']}/udp",
        *(
            f"{host}/tcp"
            for name in ("issuer", "web")
            for ip, host, _ in published(name)
            if ip != "127.0.0.1"
        ),
    ):
        assert port in guide, f"docs/deploy.md does not open {port}"


# --- images --------------------------------------------------------------------------------


def dockerfile(name: str) -> str:
    return (REPO / "docker" / f"{name}.Dockerfile").read_text()


@pytest.mark.parametrize(
    ("service_name", "dockerfile_name", "package"),
    [
        ("issuer", "issuer", "--package callwright --extra issuer"),
        # The page backend alone: not the CLI, whose base brings the database layer.
        ("web", "web", "--package callwright-web"),
        ("worker", "worker", "--package callwright --extra worker"),
    ],
)
def test_images_are_built_from_the_root_with_one_members_dependencies(
    service_name: str, dockerfile_name: str, package: str
) -> None:
    build = service(service_name)["build"]
    assert build["context"] == "."
    assert build["dockerfile"] == f"docker/{dockerfile_name}.Dockerfile"
    text = dockerfile(dockerfile_name)
    stages = re.findall(r"^FROM\s+\S+(?:\s+AS\s+(\S+))?", text, re.MULTILINE)
    assert len(stages) >= 3, "multi-stage"
    final = build.get("target") or stages[-1]
    assert final in stages
    # One package (the CLI with one extra), from the lock, as wheels; nothing by hand.
    syncs = re.findall(r"^\s+uv sync [^\n]*", text, re.MULTILINE)
    assert syncs and all(
        {"--frozen", "--no-dev", "--no-editable"} <= set(s.split())
        and f"{package} " in f"{s} "
        and s.count("--extra") == package.count("--extra")
        for s in syncs
    ), syncs
    assert not re.search(r"\buv (pip|export)\b", text), "a hand-written install"
    # The final stage runs as the non-root user.
    body = text.split(f" AS {final}\n", 1)[1].split("\nFROM ", 1)[0]
    users = re.findall(r"^USER\s+(\S+)", body, re.MULTILINE)
    assert users and users[-1] not in ("root", "0"), f"{final} runs as root"


def test_the_worker_image_carries_the_silero_model() -> None:
    text = dockerfile("worker")
    assert "python -m livekit.agents download-files" in text
    assert "silero_vad.onnx" in text and "silero.VAD.load()" in text
    model = importlib.resources.files("livekit.plugins.silero.resources") / "silero_vad.onnx"
    assert model.is_file(), "the model ships inside the livekit-plugins-silero wheel"


def test_dockerignore_keeps_secrets_and_environments_out() -> None:
    ignored = set((REPO / ".dockerignore").read_text().split())
    assert {".env", ".venv", ".tools", ".git", "**/node_modules"} <= ignored


@cache
def lock_packages() -> dict[str, dict[str, Any]]:
    lock = tomllib.loads((REPO / "uv.lock").read_text())
    return {package["name"]: package for package in lock["package"]}


def lock_closure(roots: set[tuple[str, str | None]]) -> set[str]:
    """Every distribution uv.lock installs for `roots`, (package, one of its extras or None
    for its base) pairs: extras included, markers ignored, no dependency group."""
    packages = lock_packages()
    visited: set[tuple[str, str | None]] = set()
    pending = list(roots)
    while pending:
        name, extra = pending.pop()
        if (name, extra) in visited:
            continue
        visited.add((name, extra))
        package = packages[name]
        if extra is None:
            dependencies = package.get("dependencies", [])
        else:
            dependencies = package.get("optional-dependencies", {}).get(extra, [])
            pending.append((name, None))
        for dependency in dependencies:
            pending.append((dependency["name"], None))
            pending += [(dependency["name"], e) for e in dependency.get("extra", [])]
    return {name for name, _ in visited}


def image_distributions(extra: str) -> set[str]:
    """What an image's `uv sync --package callwright --extra <extra>` installs."""
    return lock_closure({("callwright", extra)})


def test_each_extra_of_the_cli_is_one_member_the_cli_knows() -> None:
    extras = lock_packages()["callwright"]["optional-dependencies"]
    assert {extra: [d["name"] for d in dependencies] for extra, dependencies in extras.items()} == {
        extra: [FIRST_PARTY[module]] for extra, module in EXTRA_MODULES.items()
    }
    # Without an extra the command has only callwright-shared of the members.
    members = set(FIRST_PARTY.values()) - {"callwright"}
    assert lock_closure({("callwright", None)}) & members == {"callwright-shared"}


def test_the_web_image_carries_no_database_layer() -> None:
    """The page backend only proxies JSON to the issuer: its image (callwright-web alone)
    has none of the issuer's or the worker's heavy dependencies."""
    web = lock_closure({("callwright-web", None)})
    assert {"callwright-web", "callwright-http", "fastapi", "httpx", "uvicorn"} <= web
    heavy = {"sqlalchemy", "asyncpg", "aiosqlite", "alembic", "livekit-api", "openai"}
    assert not heavy & web, heavy & web
    assert not {"callwright", "callwright-shared", "callwright-issuer"} & web


def test_each_image_carries_one_member() -> None:
    issuer = image_distributions("issuer")
    worker = image_distributions("worker")
    assert "callwright-issuer" in issuer and "callwright-worker" not in issuer
    assert not {"onnxruntime", "livekit-agents", "livekit-plugins-silero"} & issuer
    assert "callwright-worker" in worker and "callwright-issuer" not in worker
    assert {"onnxruntime", "livekit-plugins-silero", "livekit-agents"} <= worker
    assert "fastapi" not in worker


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@cache
def installed_files() -> dict[Path, str]:
    owners: dict[Path, str] = {}
    for distribution in importlib.metadata.distributions():
        for file in distribution.files or ():
            owners[Path(str(distribution.locate_file(file))).resolve()] = _normalize(
                distribution.metadata["Name"]
            )
    return owners


def distribution_of(module: str) -> str | None:
    """The distribution a module comes from; None for the standard library."""
    top = module.split(".")[0]
    if top in sys.stdlib_module_names:
        return None
    if top in FIRST_PARTY:
        return FIRST_PARTY[top]
    if _is_namespace(module):  # livekit, google: shared by several, code in none
        return None
    parts = module.split(".")
    for depth in range(1, len(parts) + 1):
        spec = importlib.util.find_spec(".".join(parts[:depth]))
        assert spec is not None, f"{module} is not installed"
        if spec.origin is not None:
            return installed_files()[Path(spec.origin).resolve()]
    raise AssertionError(f"cannot tell which distribution provides {module}")


def _is_namespace(name: str) -> bool:
    """Whether `name` is a namespace package, importing nothing but namespace parents."""
    parts = name.split(".")
    for depth in range(1, len(parts) + 1):
        spec = importlib.util.find_spec(".".join(parts[:depth]))
        if spec is None or spec.origin is not None:
            return False
    return True


def _is_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:  # the parent is a module, `name` one of its attributes
        return False


def _imported_modules(module: str, *, in_functions: bool) -> set[str]:
    spec = importlib.util.find_spec(module)
    assert spec is not None and spec.origin is not None, module
    tree = ast.parse(Path(spec.origin).read_text())
    package = module if spec.submodule_search_locations is not None else module.rpartition(".")[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            return
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and not in_functions:
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            found.add(base)
            # `from package import submodule`: follow our own; inside a namespace package
            # (`from livekit import rtc`) the submodule is what names the distribution.
            if base.split(".")[0] in FIRST_PARTY or _is_namespace(base):
                found.update(
                    f"{base}.{alias.name}"
                    for alias in node.names
                    if _is_module(f"{base}.{alias.name}")
                )
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def command_imports(entries: tuple[str, ...], *, cli: bool = True) -> set[str]:
    """Every module `callwright <command>` can import: the CLI module's own top level (each
    command imports its entry lazily), then everything reachable from the entry modules."""
    modules = _imported_modules("callwright.cli", in_functions=False) if cli else set()
    pending, walked = list(entries), set()
    while pending:
        module = pending.pop()
        if module in walked:
            continue
        walked.add(module)
        for imported in _imported_modules(module, in_functions=True):
            modules.add(imported)
            if imported.split(".")[0] in FIRST_PARTY:
                pending.append(imported)
    return modules | walked


@pytest.mark.parametrize(
    ("command", "entries", "extra"),
    [
        # uvicorn imports the app by its "module:factory" string, alembic its env.py by path.
        (
            "issuer",
            (
                "callwright.issuer_server",
                "callwright_issuer.app",
                "callwright_shared.migrations.env",
            ),
            "issuer",
        ),
        # docs/deploy.md: `docker compose exec issuer callwright admin …`
        ("admin", ("callwright.admin",), "issuer"),
        ("worker", ("callwright_worker.server",), "worker"),
        ("web", ("callwright_web.app",), "web"),
    ],
)
def test_each_image_has_what_its_command_imports(
    command: str, entries: tuple[str, ...], extra: str
) -> None:
    # The CLI asks for no extra the image lacks ...
    assert set(COMMAND_EXTRAS.get(command, ())) <= {extra}
    # ... and the image has every distribution the command can import.
    installed = image_distributions(extra)
    missing = {
        module: distribution
        for module in command_imports(entries)
        if (distribution := distribution_of(module)) is not None and distribution not in installed
    }
    assert not missing, f"`callwright {command}` imports what its image lacks: {missing}"


def test_the_web_image_has_what_callwright_web_imports() -> None:
    """docker/web.Dockerfile installs callwright-web alone and runs `callwright-web`."""
    installed = lock_closure({("callwright-web", None)})
    missing = {
        module: distribution
        for module in command_imports(("callwright_web.app",), cli=False)
        if (distribution := distribution_of(module)) is not None and distribution not in installed
    }
    assert not missing, f"`callwright-web` imports what its image lacks: {missing}"


# --- the development secret and the operator's lists -----------------------------


@pytest.mark.parametrize(
    ("livekit_url", "accepted"),
    [
        ("ws://127.0.0.1:7880", True),
        ("ws://localhost:7880", True),
        ("ws://[::1]:7880", True),
        ("wss://livekit.example.com", False),
        ("ws://10.0.0.5:7880", False),
        ("ws://host.docker.internal:7880", False),
    ],
)
def test_the_published_dev_secret_is_only_for_a_livekit_on_this_machine(
    livekit_url: str, accepted: bool
) -> None:
    """A deployment that forgot CALLWRIGHT_ENV=production (so `dev`) and the secret."""
    values = {"livekit_url": livekit_url}
    if accepted:
        assert CallwrightSettings.model_validate(values).environment == "dev"
    else:
        with pytest.raises(ValueError, match="development secret"):
            CallwrightSettings.model_validate(values)
    # A real secret is fine anywhere; tests may use whatever they like.
    CallwrightSettings.model_validate({**values, "livekit_api_secret": "r" * 40})
    CallwrightSettings.model_validate({**values, "environment": "test"})


def test_allowlists_are_comma_separated_in_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CALLWRIGHT_ALLOWED_LLM_MODELS", " gpt-4o-mini, gpt-4.1 ,,")
    monkeypatch.setenv("CALLWRIGHT_PRICE_REALTIME_CREDITS_PER_MINUTE", "55")
    settings = CallwrightSettings(_env_file=None)
    assert settings.allowed_llm_models == ("gpt-4o-mini", "gpt-4.1")
    assert settings.price_realtime_credits_per_minute == 55


def test_the_built_in_agent_defaults_are_in_the_allowlists() -> None:
    settings = CallwrightSettings.model_validate({})
    config = AgentConfig()
    for architecture in ("pipeline", "realtime", "text"):
        check_choices(config, architecture, settings)
    check_choices(AgentConfig(provider="gemini"), "realtime", settings)


def test_settings_write_the_environment_that_reads_them_back() -> None:
    """What a test or the dev runner hands a child process: every field under its
    environment name, lists comma-separated, an unset optional as empty."""
    settings = CallwrightSettings.model_validate(
        {
            "environment": "test",
            "livekit_api_secret": "s" * 40,
            "openai_api_key": "sk-1",
            "api_docs": None,
            "outbound_allow_private": True,
            "allowed_stt_models": ("nova-3", "whisper"),
            "webhook_retry_schedule_seconds": (1.5, 60),
        }
    )
    env = settings.to_env()
    assert env["OPENAI_API_KEY"] == "sk-1" and env["CALLWRIGHT_API_DOCS"] == ""
    assert env["CALLWRIGHT_ALLOWED_STT_MODELS"] == "nova-3,whisper"
    assert env["CALLWRIGHT_OUTBOUND_ALLOW_PRIVATE"] == "true"
    read_back = CallwrightSettings.model_validate(
        {k: v for k, v in env.items() if v}, by_alias=True
    )
    assert read_back == settings
    assert WebSettings.model_validate({"issuer_url": "http://i:1"}).to_env("issuer_url") == {
        "CALLWRIGHT_WEB_ISSUER_URL": "http://i:1"
    }


@pytest.mark.parametrize(
    "name", ["CALLWRIGHT_OUTBOUND_ALLOW_PRIVATE", "CALLWRIGHT_TOOLS_ALLOW_PRIVATE_NETWORKS"]
)
def test_allow_private_is_true_false_or_a_list_of_networks(
    monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    field = {
        "CALLWRIGHT_OUTBOUND_ALLOW_PRIVATE": "outbound_allow_private",
        "CALLWRIGHT_TOOLS_ALLOW_PRIVATE_NETWORKS": "tools_allow_private_networks",
    }[name]
    for value, expected in (("true", True), ("False", False), ("", False)):
        monkeypatch.setenv(name, value)
        assert getattr(CallwrightSettings(_env_file=None), field) is expected
    monkeypatch.setenv(name, " 10.8.0.0/16, fd12::/48 ,")
    settings = CallwrightSettings(_env_file=None)
    networks = (ipaddress.ip_network("10.8.0.0/16"), ipaddress.ip_network("fd12::/48"))
    assert getattr(settings, field) == networks
    assert settings.to_env(field) == {name: "10.8.0.0/16,fd12::/48"}
    monkeypatch.setenv(name, "10.0.0.1/8")
    with pytest.raises(ValueError):
        CallwrightSettings(_env_file=None)


# --- hardening (docs/security.md#compose-hardening) ----------------------------------------

# What a service's image needs root's capabilities for, and nothing else.
ALLOWED_CAPABILITIES = {
    "postgres": {"CHOWN", "DAC_OVERRIDE", "FOWNER", "SETGID", "SETUID"},  # its entrypoint
    "caddy": {"NET_BIND_SERVICE"},  # ports 80 and 443
}
# The non-root user each service runs as; postgres and caddy drop to theirs or need root.
USERS = {
    "issuer": "callwright",
    "worker": "callwright",
    "web": "callwright",
    "redis": "redis",
    "livekit": "65534:65534",
}


def test_the_issuer_is_published_on_the_loopback_only() -> None:
    assert published("issuer") and all(ip == "127.0.0.1" for ip, _, _ in published("issuer"))
    for name in compose()["services"]:
        if name != "caddy":  # the edge: 80 and 443, TLS
            assert all(ip == "127.0.0.1" for ip, _, _ in published(name)), name


def test_every_service_drops_capabilities_and_privileges_and_has_a_memory_limit() -> None:
    for name, spec in compose()["services"].items():
        _hardened(name, spec)


def _hardened(name: str, spec: dict[str, Any]) -> None:
    assert spec.get("cap_drop") == ["ALL"], name
    assert "no-new-privileges:true" in spec.get("security_opt", []), name
    assert set(spec.get("cap_add", [])) <= ALLOWED_CAPABILITIES.get(name, set()), name
    assert re.fullmatch(r"\d+[mg]", str(spec.get("mem_limit", ""))), name


def test_services_run_as_their_non_root_users() -> None:
    for name, user in USERS.items():
        assert service(name).get("user") == user, name
    # The images we build create that user, and run as it too.
    for name in ("issuer", "worker", "web"):
        assert "useradd --system --uid 10001" in dockerfile(name) and "USER callwright" in (
            dockerfile(name)
        )
    # Redis's command is a shell (the password on stdin): the image's entrypoint would not
    # drop root for it, the service's user does.
    assert service("redis")["command"][0] == "sh"


def test_the_worker_gets_the_settings_it_reads_and_no_other_secret() -> None:
    # The worker has no .env: compose lists every name its settings read (WorkerSettings,
    # the recordings' store and switches, the telemetry exporter's), and no other.
    names = environment_names("worker")
    needed = read_by("worker")
    assert not needed - names, f"the worker does not get {needed - names}"
    assert not names - needed, f"the worker gets what it does not read: {names - needed}"
    env = user_env(
        CALLWRIGHT_WEB_API_KEY="cw_page",
        CALLWRIGHT_WEB_BASIC_AUTH="u:p",
        CALLWRIGHT_METRICS_TOKEN="metrics-token",
        OPENAI_API_KEY="sk-live-1",
    )
    worker = resolved_environment("worker", env)
    assert worker["OPENAI_API_KEY"] == "sk-live-1"
    for secret in ("cw_page", "u:p", "metrics-token", USER_SECRETS["REDIS_PASSWORD"]):
        assert not any(secret in value for value in worker.values()), secret


def test_caddy_sends_hsts_and_forbids_framing_on_every_site() -> None:
    caddyfile = compose()["configs"]["caddyfile"]["content"]
    snippet = re.search(r"^\(security_headers\) \{\n(.*?)^\}", caddyfile, re.M | re.S)
    assert snippet
    assert "Strict-Transport-Security" in snippet.group(1)
    assert "frame-ancestors 'none'" in snippet.group(1)
    sites = re.findall(r"^(\$\{\w+:-[^}]+\}) \{\n(.*?)^\}", caddyfile, re.M | re.S)
    assert len(sites) == 3
    for name, body in sites:
        assert "import security_headers" in body, name

""".env.example and docs/configuration.md are rendered from the settings classes
(callwright_devstack.env_example): every environment name, with its default, description
and readers, and nothing else."""

from __future__ import annotations

import pytest
from pydantic_settings import BaseSettings

from callwright_devstack.env_example import (
    CONFIGURATION_MD,
    ENV_EXAMPLE,
    ComposeVariables,
    TelemetryVariables,
    env_name,
    groups,
    render_configuration,
    render_env_example,
)
from callwright_shared.recordings.settings import RecordingSettings
from callwright_shared.settings import CallwrightSettings, IssuerSettings, WorkerSettings
from callwright_web.settings import WebSettings
from callwright_worker import telemetry

pytestmark = pytest.mark.unit

REGENERATE = "is out of date: run `make env-example`"


def names(model: type[BaseSettings]) -> set[str]:
    return {env_name(field) for field in model.model_fields.values()}


def test_env_example_is_rendered_from_the_settings() -> None:
    assert ENV_EXAMPLE.read_text() == render_env_example(), f".env.example {REGENERATE}"


def test_the_configuration_page_is_rendered_from_the_settings() -> None:
    assert CONFIGURATION_MD.read_text() == render_configuration(), (
        f"docs/configuration.md {REGENERATE}"
    )


def test_every_setting_is_listed_once_with_its_readers() -> None:
    listed = [s.name for g in groups() for s in g.settings]
    assert len(listed) == len(set(listed))
    every = names(CallwrightSettings) | names(RecordingSettings) | names(WebSettings)
    assert every <= set(listed)
    assert {env_name(f) for f in TelemetryVariables.model_fields.values()} == set(
        telemetry.VARIABLES
    )
    readers = {s.name: s.readers for g in groups() for s in g.settings}
    for name in names(IssuerSettings):
        assert "issuer" in readers[name], name
    # A field may narrow its section's readers: the chat price is the issuer's alone.
    for name in names(WorkerSettings) - {"CALLWRIGHT_PRICE_CHAT_CREDITS_PER_MESSAGE"}:
        assert "worker" in readers[name], name
    # Worker-only and issuer-only sections stay apart.
    assert "issuer" not in readers["CALLWRIGHT_WORKER_MAX_JOBS"]
    assert "worker" not in readers["CALLWRIGHT_WEBHOOK_TIMEOUT_SECONDS"]
    assert readers["CALLWRIGHT_RECORDINGS_URL_SECRET"] == ("issuer",)


def test_the_worker_carries_no_issuer_only_section() -> None:
    issuer_only = names(IssuerSettings) - names(WorkerSettings)
    worker_only = names(WorkerSettings) - names(IssuerSettings)
    assert {"CALLWRIGHT_OPERATOR_TOKEN", "CALLWRIGHT_METRICS_TOKEN"} <= issuer_only
    assert "CALLWRIGHT_WORKER_EVENT_LOOP" in worker_only
    assert names(CallwrightSettings) == names(IssuerSettings) | names(WorkerSettings)


def test_secrets_are_shown_empty() -> None:
    shown = {s.name: s.value for g in groups() for s in g.settings}
    models = (CallwrightSettings, RecordingSettings, WebSettings, TelemetryVariables)
    for model in (*models, ComposeVariables):
        for field in model.model_fields.values():
            if "SecretStr" in str(field.annotation):
                assert shown[env_name(field)] == "", env_name(field)

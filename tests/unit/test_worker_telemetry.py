"""The worker's OpenTelemetry export (callwright_worker.telemetry): conversation text
leaves the worker only when the operator opts in."""

from __future__ import annotations

from typing import Any

import pytest
from livekit.agents import telemetry as agents_telemetry
from opentelemetry.sdk.trace import TracerProvider

from callwright_worker import telemetry

pytestmark = pytest.mark.unit


@pytest.fixture
def installed(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """What `configure` hands livekit-agents (not installed: the tracer is process-wide)."""
    calls: list[dict[str, Any]] = []

    def set_tracer_provider(provider: TracerProvider, **kwargs: Any) -> None:
        calls.append({"provider": provider, **kwargs})

    monkeypatch.setattr(agents_telemetry, "set_tracer_provider", set_tracer_provider)
    monkeypatch.setattr(telemetry, "_provider", None)
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318")
    monkeypatch.delenv("LIVEKIT_TELEMETRY_ALLOW_PII", raising=False)
    return calls


def _shut_down(calls: list[dict[str, Any]]) -> None:
    for call in calls:
        call["provider"].shutdown()


def test_spans_are_exported_without_conversation_text_by_default(
    installed: list[dict[str, Any]],
) -> None:
    telemetry.configure()
    _shut_down(installed)
    assert len(installed) == 1
    assert installed[0].get("allow_pii") is False


@pytest.mark.parametrize(("value", "allowed"), [("true", True), ("1", True), ("false", False)])
def test_the_operator_opts_in_to_conversation_text(
    installed: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch, value: str, allowed: bool
) -> None:
    monkeypatch.setenv("LIVEKIT_TELEMETRY_ALLOW_PII", value)
    telemetry.configure()
    _shut_down(installed)
    assert installed[0].get("allow_pii") is allowed

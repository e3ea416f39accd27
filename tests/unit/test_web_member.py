"""The page backend (callwright_web) keeps copies of a few API facts so that its image
carries no database layer: the errors it names, the provider keys, the timeline's shapes.
Each copy must agree with the code the issuer and the worker run."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from callwright_shared import errors
from callwright_shared.agents.definitions import SESSION_ARCHITECTURES
from callwright_shared.agents.providers import PROVIDERS, required_providers
from callwright_shared.calls import records as call_records
from callwright_shared.db.models import Architecture, SessionKind
from callwright_web import errors as web_errors
from callwright_web import providers as web_providers
from callwright_web import timeline

pytestmark = pytest.mark.unit

WEB_SOURCES = Path(web_errors.__file__).parent


@pytest.mark.parametrize(
    ("copy", "original"),
    [
        (web_errors.INTERNAL, errors.CallwrightError),
        (web_errors.INVALID_REQUEST, errors.InvalidRequestError),
        (web_errors.AGENT_ARCHITECTURE_UNSUPPORTED, errors.AgentArchitectureUnsupportedError),
        (web_errors.AUTHENTICATION, errors.AuthenticationError),
        (web_errors.INSUFFICIENT_CREDITS, errors.InsufficientCreditsError),
        (web_errors.NOT_FOUND, errors.NotFoundError),
        (web_errors.AGENT_NOT_FOUND, errors.AgentNotFoundError),
        (web_errors.SESSION_NOT_FOUND, errors.SessionNotFoundError),
        (web_errors.REQUEST_TOO_LARGE, errors.RequestTooLargeError),
        (web_errors.RATE_LIMITED, errors.RateLimitedError),
        (web_errors.CONCURRENCY_LIMIT, errors.ConcurrencyLimitError),
        (web_errors.LIVEKIT_UNAVAILABLE, errors.LiveKitUnavailableError),
        (web_errors.DATABASE_UNAVAILABLE, errors.DatabaseUnavailableError),
    ],
)
def test_the_errors_the_page_names_are_the_apis(
    copy: web_errors.ApiError, original: type[errors.CallwrightError]
) -> None:
    assert (copy.http_status, copy.error_type, copy.code) == (
        original.http_status,
        original.error_type,
        original.code,
    )


def test_the_error_body_is_the_apis() -> None:
    for param in (None, "agent_id"):
        assert web_errors.error_body("t", "c", "m", param) == errors.error_body(
            "t", "c", "m", param
        )


def test_the_provider_keys_are_the_workers() -> None:
    assert [(p.name, p.key_env, p.needed_for) for p in web_providers.PROVIDERS] == [
        (p.name, p.key_env, p.needed_for) for p in PROVIDERS
    ]
    for architecture in Architecture:
        for provider in (None, "openai", "gemini"):
            assert [p.key_env for p in web_providers.required_keys(architecture, provider)] == [
                p.key_env for p in required_providers(architecture, provider)
            ]
    assert SESSION_ARCHITECTURES[SessionKind.VOICE] == web_providers.VOICE_ARCHITECTURES


def _shape(schema: Any) -> Any:
    """A JSON schema without its prose: the copies may word their docstrings apart."""
    if isinstance(schema, dict):
        return {k: _shape(v) for k, v in schema.items() if k != "description"}
    if isinstance(schema, list):
        return [_shape(v) for v in schema]
    return schema


@pytest.mark.parametrize(
    ("copy", "original"),
    [
        (timeline.TurnLatency, call_records.TurnLatency),
        (timeline.TranscriptEntry, call_records.TranscriptEntry),
        (timeline.LatencySummary, call_records.LatencySummary),
    ],
)
def test_the_timeline_shapes_are_the_apis(copy: type[BaseModel], original: type[BaseModel]) -> None:
    for mode in ("validation", "serialization"):
        assert _shape(copy.model_json_schema(mode=mode)) == _shape(
            original.model_json_schema(mode=mode)
        )


def test_the_page_backend_imports_no_database_layer() -> None:
    """Only callwright_web, callwright_http and its own dependencies: no callwright_shared,
    issuer, SQLAlchemy or LiveKit (the image has none of them)."""
    allowed_first_party = {"callwright_web", "callwright_http"}
    for path in WEB_SOURCES.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                assert not (top.startswith("callwright") and top not in allowed_first_party), (
                    path.name,
                    name,
                )
                assert top not in {"sqlalchemy", "asyncpg", "livekit", "openai"}, (path.name, name)

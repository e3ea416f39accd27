"""`callwright doctor`'s report and the addresses it derives from settings (the checks
themselves run against a real stack in tests/e2e/test_doctor.py)."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from callwright.doctor import Finding, deepgram_api_root, provider_probes, redacted, render
from callwright_devstack.tenants import make_settings

pytestmark = pytest.mark.unit


def test_the_report_marks_each_check_and_tells_the_fix() -> None:
    report = render(
        [
            Finding("database", "ok", "migrated"),
            Finding("livekit", "problem", "refused", "set the keys"),
            Finding("worker", "skipped", "LiveKit is not reachable"),
        ]
    )
    assert report.splitlines() == [
        "✓ database: migrated",
        "✗ livekit: refused",
        "    fix: set the keys",
        "- worker: LiveKit is not reachable",
        "1 problem found.",
    ]
    assert render([Finding("database", "ok", "migrated")]).endswith("All is well.")


@pytest.mark.parametrize(
    ("base_url", "root"),
    [
        (None, "https://api.deepgram.com/v1"),
        ("http://127.0.0.1:9000/v1/listen", "http://127.0.0.1:9000/v1"),
        ("wss://dg.example/v1/listen/", "https://dg.example/v1"),
    ],
)
def test_deepgram_is_asked_beside_its_streaming_endpoint(base_url: str | None, root: str) -> None:
    assert deepgram_api_root(base_url) == root


def test_probes_only_providers_with_a_key_and_prints_no_password() -> None:
    settings = make_settings(
        "postgresql+asyncpg://cw:hunter2@db/cw",
        None,
        openai_api_key=SecretStr("sk-x"),
        openai_base_url="http://127.0.0.1:1/v1",
    )
    probes = provider_probes(settings)
    assert probes[1:] == ["Deepgram", "Google"]
    openai = probes[0]
    assert not isinstance(openai, str)
    assert str(openai.request.url) == "http://127.0.0.1:1/v1/models"
    assert openai.request.headers["Authorization"] == "Bearer sk-x"
    assert redacted(settings.database_url) == "postgresql+asyncpg://cw:***@db/cw"

"""The fully self-hosted recipe as shipped: the providers files for `make run` and for
docker-compose.self-hosted.yml parse into the stages and models the documentation
promises, the compose override hands the file to the issuer and the worker, and the demo
agent `callwright dev` seeds runs on the file's servers. (A call through the shipped file,
its base URLs pointed at emulators: tests/e2e/test_provider_stages.py.)"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from callwright_devstack.demo_agent import demo_stages
from callwright_shared.agents.definitions import AgentConfig, check_choices
from callwright_shared.agents.registry import Registry, registry_of
from callwright_shared.agents.stages import LlmChoice, SttChoice, TtsChoice
from callwright_shared.settings import CallwrightSettings

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[2]
LOCAL = REPO / "deploy" / "providers.self-hosted.yaml"
COMPOSED = REPO / "deploy" / "providers.self-hosted.compose.yaml"
OVERRIDE = REPO / "docker-compose.self-hosted.yml"


def settings(path: Path) -> CallwrightSettings:
    return CallwrightSettings.model_validate({"providers_file": str(path)})


def registry(path: Path) -> Registry:
    return registry_of(settings(path))


def test_the_shipped_file_is_ollama_and_speaches_with_no_key() -> None:
    providers = registry(LOCAL).providers
    assert {name: p.stages for name, p in providers.items()} == {
        "ollama": ("llm",),
        "speaches-stt": ("stt",),
        "speaches-tts": ("tts",),
    }
    assert {p.kind for p in providers.values()} == {"openai"}
    # A server of one's own: no key is read or sent.
    assert {p.api_key_env for p in providers.values()} == {None}
    assert providers["ollama"].base_url == "http://127.0.0.1:11434/v1"  # Ollama's port
    # speaches on 8002: `make run` has 8000 (the issuer), `make docs` 8001.
    assert providers["speaches-stt"].base_url == providers["speaches-tts"].base_url
    assert urlsplit(providers["speaches-tts"].base_url or "").port == 8002
    assert providers["ollama"].models["llm"][0] == "qwen2.5:7b"
    assert providers["speaches-stt"].models["stt"][0] == "Systran/faster-whisper-small"
    assert providers["speaches-tts"].models["tts"] == ("speaches-ai/Kokoro-82M-v1.0-ONNX",)
    assert providers["speaches-tts"].voices["tts"][0] == "af_heart"


def test_the_compose_file_is_the_same_on_the_services_names() -> None:
    local, composed = registry(LOCAL).providers, registry(COMPOSED).providers
    assert list(local) == list(composed)
    for name in local:
        assert (local[name].kind, local[name].models, local[name].voices) == (
            composed[name].kind,
            composed[name].models,
            composed[name].voices,
        )
    override = yaml.safe_load(OVERRIDE.read_text())
    services: dict[str, Any] = override["services"]
    # Each base URL is a service of the override, on its port inside the network.
    ports = {"ollama": 11434, "speaches": 8000}
    for provider in composed.values():
        url = urlsplit(provider.base_url or "")
        assert url.hostname in services and url.port == ports[url.hostname], url
        assert services[url.hostname]["networks"] == ["internal"]  # the worker's network


def test_the_override_hands_the_file_to_the_issuer_and_the_worker() -> None:
    override = yaml.safe_load(OVERRIDE.read_text())
    for name in ("issuer", "worker"):
        service = override["services"][name]
        [mount] = service["volumes"]
        assert (REPO / mount["source"]).resolve() == COMPOSED
        assert mount["read_only"] is True
        assert service["environment"]["CALLWRIGHT_PROVIDERS_FILE"] == mount["target"]
    # The base stack's services the override extends.
    base = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    assert {"issuer", "worker"} <= set(base["services"])
    assert "CALLWRIGHT_PROVIDERS_FILE" in base["services"]["worker"]["environment"]


def test_the_demo_agent_runs_on_the_files_servers() -> None:
    stages = demo_stages(registry(LOCAL))
    assert stages == {
        "stt": SttChoice(provider="speaches-stt", model="Systran/faster-whisper-small"),
        "llm": LlmChoice(provider="ollama", model="qwen2.5:7b"),
        "tts": TtsChoice(
            provider="speaches-tts", model="speaches-ai/Kokoro-82M-v1.0-ONNX", voice="af_heart"
        ),
    }
    # What the issuer accepts from a tenant, and so what the worker runs.
    check_choices(AgentConfig.model_validate(stages), "pipeline", settings(LOCAL))


def test_without_a_file_the_demo_agent_keeps_todays_stages() -> None:
    assert demo_stages(registry_of(CallwrightSettings.model_validate({}))) == {
        "stt": SttChoice(),
        "llm": LlmChoice(),
        "tts": TtsChoice(),
    }


def test_the_documentation_gives_the_commands_it_was_tested_with() -> None:
    doc = (REPO / "docs" / "providers.md").read_text()
    assert "CALLWRIGHT_PROVIDERS_FILE=deploy/providers.self-hosted.yaml make run" in doc
    assert "-f docker-compose.self-hosted.yml" in doc

"""The recordings' stores without a server: the local folder (copy, delete, the issuer's
signed links and their refusals) and the S3 store's presigned links and its errors (a
closed loopback port), plus the operator's switch and the agent-field refusals."""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from pydantic import SecretStr, ValidationError

from callwright_devstack.ports import free_tcp_port
from callwright_shared.agents.definitions import AgentSpec
from callwright_shared.errors import InvalidRequestError
from callwright_shared.recordings.models import RecordingSpec, check_recording
from callwright_shared.recordings.settings import RecordingSettings
from callwright_shared.recordings.storage import (
    LocalFolderStore,
    S3Store,
    StorageError,
    key_of,
    link_secret,
    link_valid,
    store_of,
)

pytestmark = pytest.mark.unit

NOW = 1_800_000_000


async def test_the_local_folder_keeps_deletes_and_signs(tmp_path: Path) -> None:
    source = tmp_path / "audio.ogg"
    source.write_bytes(b"OggS" + bytes(100))
    store = LocalFolderStore(tmp_path / "kept", secret=b"k" * 32)
    key = key_of("org_1", "sess_1")
    assert await store.put(key, source) == 104
    assert await store.exists(key)
    url = store.download_url(key, expires_at=NOW + 60, issuer_url="http://issuer:8000/")
    parts = urlsplit(url)
    assert parts.path == f"/v1/recording-files/{key}"
    query = {name: values[0] for name, values in parse_qs(parts.query).items()}
    signature, expires = query["signature"], int(query["expires"])
    assert link_valid(store.secret, key, expires, signature, now=NOW)
    assert not link_valid(store.secret, key, expires, signature, now=NOW + 61)  # expired
    assert not link_valid(b"x" * 32, key, expires, signature, now=NOW)  # another key
    assert not link_valid(store.secret, key_of("org_1", "sess_2"), expires, signature, now=NOW)
    assert not link_valid(store.secret, key, expires + 1, signature, now=NOW)
    assert not link_valid(store.secret, "../etc/passwd", expires, signature, now=NOW)
    await store.delete(key)
    await store.delete(key)  # already gone: no error
    assert not await store.exists(key)


def test_keys_are_only_ours() -> None:
    with pytest.raises(ValueError):
        key_of("org/../x", "sess_1")
    store = LocalFolderStore("/tmp", secret=b"k")
    with pytest.raises(StorageError):
        store.path_of("../../etc/passwd")


def test_the_link_key_is_the_operators_or_derived() -> None:
    derived = link_secret(RecordingSettings(), "livekit-secret")
    assert derived != b"livekit-secret" and len(derived) == 32
    assert link_secret(RecordingSettings(), "another") != derived
    own = RecordingSettings(url_secret=SecretStr("operator-key"))
    assert link_secret(own, "livekit-secret") == b"operator-key"


async def test_the_s3_store_presigns_and_reports_an_unreachable_store(tmp_path: Path) -> None:
    settings = RecordingSettings(
        storage="s3",
        s3_endpoint_url=f"http://127.0.0.1:{free_tcp_port()}",
        s3_bucket="calls",
        s3_access_key_id="AKIDEXAMPLE",
        s3_secret_access_key=SecretStr("secret"),
    )
    store = store_of(settings, livekit_api_secret="unused")
    assert isinstance(store, S3Store)
    url = store.download_url("org_1/sess_1.ogg", expires_at=int(time.time()) + 300, issuer_url="")
    parts = urlsplit(url)
    assert parts.path == "/calls/org_1/sess_1.ogg"  # path-style
    query = parse_qs(parts.query)
    assert 295 <= int(query["X-Amz-Expires"][0]) <= 300
    source = tmp_path / "audio.ogg"
    source.write_bytes(b"OggS")
    with pytest.raises(StorageError, match="could not store the recording"):
        await store.put("org_1/sess_1.ogg", source)


def test_the_operator_switch_wins() -> None:
    settings = RecordingSettings(forced_on_orgs=("org_on",), forced_off_orgs=("org_off",))
    assert settings.records("org_on", agent_enabled=False)
    assert not settings.records("org_off", agent_enabled=True)
    assert settings.records("org_x", agent_enabled=True)
    assert not settings.records("org_x", agent_enabled=False)


def test_a_text_agent_cannot_record_and_a_data_schema_is_portable() -> None:
    with pytest.raises(InvalidRequestError) as refused:
        check_recording(RecordingSpec(enabled=True), "text")
    assert refused.value.param == "recording"
    check_recording(RecordingSpec(enabled=True), "pipeline")
    check_recording(RecordingSpec(enabled=True), "text", fields={"name"})  # unchanged
    with pytest.raises(ValidationError, match="data_schema"):
        AgentSpec.model_validate(
            {
                "name": "a",
                "architecture": "pipeline",
                "analysis": {"data_schema": {"type": "object", "anyOf": []}},
            }
        )

"""A recorded call end to end, once per storage: a real S3-compatible server (SeaweedFS,
built from source by `make test`) and the local folder `make run` uses. The caller
speaks, the agent answers; the file the API links to is downloaded and decoded (PyAV):
stereo Ogg/Opus, the caller's channel carrying sound while the caller spoke and the
agent's while the agent spoke (placed by the recording's `started_at`), its length within
what the call's own timeline allows; the link expires; DELETE removes the object. A worker
killed while it stores the file leaves the charge as it was and the recording `pending`,
then `failed`."""

from __future__ import annotations

import asyncio
import io
import time
import uuid
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import av
import httpx
import numpy as np
import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from callwright_devstack.api import create_voice_session, credits_of, issuer_client
from callwright_devstack.checkout import ARTIFACTS
from callwright_devstack.emulators import (
    DeepgramEmulator,
    GeminiLiveEmulator,
    OpenAIEmulator,
    OpenAIRealtimeEmulator,
)
from callwright_devstack.ports import free_tcp_port
from callwright_devstack.required import service_missing
from callwright_devstack.services import seaweedfs_server
from callwright_devstack.services.livekit_server import running_livekit
from callwright_devstack.services.seaweedfs_server import SeaweedFS
from callwright_devstack.services.served_issuer import ServedIssuer
from callwright_devstack.services.worker_process import WorkerProcess, worker_env
from callwright_devstack.speech import make_speech_wav
from callwright_devstack.voice_stack import worker_stack
from callwright_devstack.waiting import eventually
from callwright_issuer.loops import recording_retention
from callwright_shared.recordings.settings import RecordingSettings
from callwright_shared.settings import CallwrightSettings
from callwright_worker.recording import KEPT_AFTER_LEAVING_S
from tests.e2e.support import AGENT_REPLY, USER_TRANSCRIPT, Stack, join, new_tenant, wait_ended

pytestmark = pytest.mark.e2e

CONSENT = "This call is recorded."


class RecordedStack:
    def __init__(
        self, stack: Stack, recording: RecordingSettings, s3: SeaweedFS | None, folder: Path
    ) -> None:
        self.stack = stack
        self.recording = recording  # the issuer's: a test may shorten its links' life
        self.s3 = s3
        self.folder = folder

    def stored(self, key: str) -> bool:
        if self.s3 is not None:
            return self.s3.has(key)
        return (self.folder / key).is_file()


def _settings(storage: str, folder: Path, s3: SeaweedFS | None) -> RecordingSettings:
    if s3 is None:
        return RecordingSettings(storage="local", directory=str(folder))
    return RecordingSettings(
        storage="s3",
        s3_endpoint_url=s3.endpoint_url,
        s3_bucket=s3.bucket,
        s3_region=seaweedfs_server.REGION,
        s3_access_key_id=seaweedfs_server.ACCESS_KEY,
        s3_secret_access_key=seaweedfs_server.SECRET_KEY,
    )


@pytest.fixture(scope="module", params=["s3", "local"])
async def recorded(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[RecordedStack]:
    storage: str = request.param
    if storage == "s3" and not SeaweedFS.available():
        service_missing(f"SeaweedFS at {seaweedfs_server.WEED_BINARY} (make test builds it)")
    tmp = tmp_path_factory.mktemp(f"recordings-{storage}")
    folder = tmp / "recordings"
    s3 = SeaweedFS() if storage == "s3" else None
    if s3 is not None:
        await asyncio.to_thread(s3.start)
    try:
        recording = _settings(storage, folder, s3)
        realtime = OpenAIRealtimeEmulator(reply=AGENT_REPLY, user_transcript=USER_TRANSCRIPT)
        openai = OpenAIEmulator(reply=AGENT_REPLY, realtime=realtime)
        deepgram = DeepgramEmulator(transcript=USER_TRANSCRIPT)
        issuer_port = free_tcp_port()
        webhook = f"http://127.0.0.1:{issuer_port}/v1/livekit/webhook"
        with running_livekit(f"livekit-{tmp.name}.log", webhook_url=webhook) as lk:
            async with worker_stack(
                lk,
                tmp,
                openai=openai,
                deepgram=deepgram,
                agent_name_prefix="callwright-rec",
                worker_log=ARTIFACTS / f"worker-{tmp.name}.log",
                **recording.to_env(),
            ) as parts:
                wav = await asyncio.to_thread(
                    make_speech_wav, "Hello, can you hear me?", tmp / "hello.wav"
                )
                with ServedIssuer(
                    parts.settings, port=issuer_port, state={"recording_settings": recording}
                ) as issuer:
                    stack = Stack(
                        lk,
                        parts.settings,
                        parts.database_url,
                        openai,
                        realtime,
                        deepgram,
                        GeminiLiveEmulator(reply=AGENT_REPLY),
                        parts.worker,
                        wav,
                        issuer.url,
                    )
                    yield RecordedStack(stack, recording, s3, folder)
    finally:
        if s3 is not None:
            await asyncio.to_thread(s3.stop)


def _at(entry: dict[str, Any], field: str = "at") -> float:
    return datetime.fromisoformat(entry[field]).timestamp()


def decoded(data: bytes) -> tuple[str, str, int, np.ndarray]:
    """(container, codec, channels, samples as channels × n) of an Ogg/Opus file."""
    with av.open(io.BytesIO(data), mode="r") as container:
        stream = container.streams.audio[0]
        chunks = [
            frame.to_ndarray().reshape(stream.codec_context.channels, -1)
            for frame in container.decode(stream)
        ]
        return (
            container.format.name,
            stream.codec_context.name,
            stream.codec_context.channels,
            np.concatenate(chunks, axis=1) if chunks else np.zeros((2, 0)),
        )


def peak_rms(channel: np.ndarray, rate: int = 48_000) -> float:
    window = rate // 50  # 20 ms
    usable = channel[: len(channel) // window * window].reshape(-1, window)
    return float(np.sqrt((usable.astype(np.float64) ** 2).mean(axis=1)).max(initial=0.0))


async def test_a_recorded_call_is_kept_linked_expires_and_is_deleted(
    recorded: RecordedStack,
) -> None:
    stack = recorded.stack
    tenant = await new_tenant(
        stack,
        greeting="Hi, this is the support line.",
        recording={"enabled": True, "consent_message": CONSENT},
    )
    async with httpx.AsyncClient(base_url=stack.issuer_url, timeout=30) as client:
        body = await create_voice_session(client, tenant)
        session_id = body["session_id"]
        caller = await join(body)
        await asyncio.wait_for(caller.agent_joined.wait(), 60)
        await eventually(lambda: "support line" in caller.agent_text(), within=60, what="greeting")
        assert caller.agent_text().index("recorded") < caller.agent_text().index("support line")
        await asyncio.wait_for(caller.wait_for_agent_state("listening"), 60)
        await caller.speak(stack.speech_wav, then_silence_s=1.0)
        await eventually(
            lambda: AGENT_REPLY.split(",")[0] in caller.agent_text(), within=60, what="answer"
        )
        await asyncio.wait_for(caller.wait_for_agent_state("listening"), 60)
        await caller.leave()
        session = await wait_ended(client, tenant, session_id, within=60)

        async def ready() -> bool:
            got = await client.get(f"/v1/sessions/{session_id}", headers=tenant.headers)
            rec = got.json()["recording"]
            return rec is not None and rec["status"] in ("ready", "failed")

        await eventually(ready, within=60, what="the recording stored")
        link = await client.get(f"/v1/sessions/{session_id}/recording", headers=tenant.headers)
        assert link.status_code == 200, link.text
        meta = link.json()
        assert (meta["status"], meta["content_type"], meta["channels"]) == (
            "ready",
            "audio/ogg",
            ["caller", "agent"],
        )
        key = f"{tenant.org_id}/{session_id}.ogg"
        assert recorded.stored(key)

        # The link needs no API key.
        download = await client.get(meta["url"])
        assert download.status_code == 200, download.text
        assert len(download.content) == meta["size_bytes"]
        container, codec, channels, samples = decoded(download.content)
        assert (container, codec, channels) == ("ogg", "opus", 2)
        length = samples.shape[1] / 48_000
        assert length == pytest.approx(meta["duration_seconds"], abs=0.05)

        # Its length, from the call's own timeline: no shorter than the agent's speech
        # from its first word to its last, no longer than the user was in the call (the
        # recorder runs inside the agent session, which starts after the user joined
        # and is closed before the call's `ended` event).
        timeline = session["transcript"]
        turns = [e for e in timeline if e["role"] == "assistant" and e.get("stopped_speaking_at")]
        events = {e["content"]: e for e in timeline if e["role"] == "event"}
        spoken = _at(turns[-1], "stopped_speaking_at") - _at(turns[0], "started_speaking_at")
        present = _at(events["ended"]) - _at(events["user_joined"])
        assert spoken <= length <= present, (spoken, length, present)
        assert session["duration_seconds"] <= present
        # It ends a second after the caller left, not with the rejoin grace's silence
        # (the recorder starts after the caller joined; 50 ms for Opus frames).
        stayed = _at(events["user_away"]) - _at(events["user_joined"])
        assert length <= stayed + KEPT_AFTER_LEAVING_S + 0.05, (length, stayed)

        # Both sides are in it, where the timeline says they spoke: the caller's speech
        # on the left, the agent's on the right. `started_at` places the file on the
        # call's clock (the windows are trimmed by 0.1 s for the VAD's and the
        # playout's own timing).
        assert meta["started_at"] is not None
        origin = datetime.fromisoformat(meta["started_at"]).timestamp()

        def spoke(entry: dict[str, Any], channel: int) -> float:
            first = round((_at(entry, "started_speaking_at") - origin + 0.1) * 48_000)
            last = round((_at(entry, "stopped_speaking_at") - origin - 0.1) * 48_000)
            assert 0 <= first < last <= samples.shape[1], (entry, first, last)
            return peak_rms(samples[channel][first:last])

        said = [e for e in timeline if e["role"] == "user" and e.get("stopped_speaking_at")]
        assert said and turns
        for entry in said:
            assert spoke(entry, 0) > 0.01, f"the caller's channel is silent in {entry}"
        for entry in turns:
            assert spoke(entry, 1) > 0.01, f"the agent's channel is silent in {entry}"

        # A link lives its TTL, then the store (or the issuer) refuses it.
        recorded.recording.url_ttl_seconds = 1
        short = (
            await client.get(f"/v1/sessions/{session_id}/recording", headers=tenant.headers)
        ).json()
        expires_at = datetime.fromisoformat(short["expires_at"]).timestamp()
        await eventually(lambda: time.time() > expires_at + 1, within=10, what="expiry")
        expired = await client.get(short["url"])
        assert expired.status_code == 403, expired.text

        other = await new_tenant(stack)
        foreign = await client.get(f"/v1/sessions/{session_id}/recording", headers=other.headers)
        assert (foreign.status_code, foreign.json()["error"]["code"]) == (404, "session_not_found")

        deleted = await client.delete(
            f"/v1/sessions/{session_id}/recording", headers=tenant.headers
        )
        assert deleted.status_code == 200, deleted.text
        assert deleted.json()["status"] == "deleted"
        assert not recorded.stored(key)
        gone = await client.get(f"/v1/sessions/{session_id}/recording", headers=tenant.headers)
        assert (gone.status_code, gone.json()["error"]["code"]) == (404, "recording_not_found")
        row = (await client.get(f"/v1/sessions/{session_id}", headers=tenant.headers)).json()
        assert row["recording"]["status"] == "deleted"
        assert row["credits_charged"] == session["credits_charged"]


async def test_a_worker_killed_while_storing_the_recording_leaves_the_charge_alone(
    recorded: RecordedStack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker's store refuses every copy (an S3 endpoint nothing listens on, or a
    file where the folder should be), so the worker is still retrying when it is killed:
    the call was settled before the copy began, the recording stays `pending` until the
    issuers' upkeep finds it abandoned, then `failed`; the charge never changes."""
    stack = recorded.stack
    broken = (
        {"CALLWRIGHT_RECORDINGS_S3_ENDPOINT_URL": f"http://127.0.0.1:{free_tcp_port()}"}
        if recorded.s3 is not None
        else {"CALLWRIGHT_RECORDINGS_DIR": str(tmp_path / "a-file")}
    )
    (tmp_path / "a-file").write_text("a file where the recordings' folder should be")
    env = {**recorded.recording.to_env(), **broken, "CALLWRIGHT_RECORDINGS_UPLOAD_ATTEMPTS": "10"}
    # A worker of its own (it is killed), under an agent name the issuer dispatches to.
    agent_name = f"callwright-rec-kill-{uuid.uuid4().hex[:6]}"
    settings = stack.settings.model_copy(update={"livekit_agent_name": agent_name})
    worker = WorkerProcess(
        env=worker_env(
            stack.settings, stack.openai, stack.deepgram, LIVEKIT_AGENT_NAME=agent_name, **env
        ),
        log_path=ARTIFACTS / f"worker-{agent_name}.log",
    )
    await asyncio.to_thread(worker.start)
    try:
        await killed_while_storing(stack, settings, worker, monkeypatch)
    finally:
        await asyncio.to_thread(worker.stop)


async def killed_while_storing(
    stack: Stack,
    settings: CallwrightSettings,
    worker: WorkerProcess,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with issuer_client(settings) as client:
        tenant = await new_tenant(stack, greeting="Hi!", recording={"enabled": True})
        body = await create_voice_session(client, tenant)
        session_id = body["session_id"]
        caller = await join(body)
        await asyncio.wait_for(caller.agent_joined.wait(), 60)
        await eventually(lambda: "Hi" in caller.agent_text(), within=60, what="the greeting")
        await caller.leave()
        session = await wait_ended(client, tenant, session_id, within=60)
        assert session["credits_charged"] > 0
        await eventually(
            lambda: "could not store the recording" in worker.log_path.read_text(),
            within=60,
            what="the worker retrying the copy",
        )
        await asyncio.to_thread(worker.kill)

        kept = (await client.get(f"/v1/sessions/{session_id}", headers=tenant.headers)).json()
        assert kept["recording"]["status"] == "pending", kept["recording"]
        assert kept["credits_charged"] == session["credits_charged"]

        # The upkeep, with its margin moved past this call's end (as if the time had come).
        monkeypatch.setattr(recording_retention, "ABANDON_MARGIN_S", -3600.0)
        state = SimpleNamespace(
            recording_settings=RecordingSettings(upload_attempts=1, upload_timeout_seconds=1)
        )
        engine = create_async_engine(stack.database_url)
        try:
            marked = await recording_retention.abandoned_pass(state, async_sessionmaker(engine))
        finally:
            await engine.dispose()
        assert marked >= 1
        failed = (await client.get(f"/v1/sessions/{session_id}", headers=tenant.headers)).json()
        assert failed["recording"]["status"] == "failed"
        assert failed["recording"]["error"] == recording_retention.ABANDONED
        assert failed["credits_charged"] == session["credits_charged"]
        credits = await credits_of(client, tenant)
        assert (credits["balance"], credits["held"]) == (1000 - session["credits_charged"], 0)

"""A recorded call's file: livekit-agents' recorder (`AgentSession.start(record=...)`)
writes both sides into one stereo Ogg/Opus file in the job's temporary folder (the caller
as received on the left, the agent as played on the right, one timeline); the folder is
deleted when the job ends, so the file is copied to the operator's storage in a job
shutdown callback: after the call settled (a slow upload never delays the charge) and
before livekit-agents cleans the folder up.

A failed copy is retried (CALLWRIGHT_RECORDINGS_UPLOAD_ATTEMPTS), then recorded as
`failed` with its reason; a stored one becomes `ready` and queues the
`session.recording_ready` webhook.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from livekit.agents.voice.agent_session import RecordingOptions

from callwright_shared.recordings.models import RecordingInfo
from callwright_shared.recordings.settings import RecordingSettings
from callwright_shared.recordings.storage import (
    CONTENT_TYPE,
    RecordingStore,
    StorageError,
    key_of,
    store_of,
)
from callwright_shared.settings import WorkerSettings
from callwright_worker.call_store import CallRecord, CallStore

logger = logging.getLogger(__name__)

# Where livekit-agents 1.8.9's recorder writes, in the job's session directory.
RECORDING_FILE = "audio.ogg"
# Audio only: the traces, logs and transcript it could also keep go to LiveKit Cloud.
RECORD_AUDIO: RecordingOptions = {
    "audio": True,
    "traces": False,
    "logs": False,
    "transcript": False,
}
RETRY_DELAYS_S = (1.0, 3.0, 9.0)
# Kept after the moment the caller left: the tail of what was being said then.
KEPT_AFTER_LEAVING_S = 1.0


def recording_started_at(session: object) -> datetime | None:
    """When the recorder's first sample is. livekit-agents keeps it on the session's
    recorder only (its own session report reads it there); tests/unit/test_worker_server.py
    fails when that member goes."""
    recorder = getattr(session, "_recorder_io", None)
    started = getattr(recorder, "recording_started_at", None)
    return datetime.fromtimestamp(started, UTC) if isinstance(started, float) else None


def trimmed(path: Path, seconds: float) -> Path:
    """The file's first `seconds`, beside it: its packets copied as they are (no
    re-encoding), so cutting costs a read and a write."""
    import av

    kept = path.with_name(f"kept-{path.name}")
    with av.open(str(path)) as source, av.open(str(kept), "w", format="ogg") as target:
        stream = source.streams.audio[0]
        out = target.add_stream_from_template(stream)
        assert stream.time_base is not None
        limit = seconds / stream.time_base
        for packet in source.demux(stream):
            if packet.dts is None:  # the demuxer's closing empty packet
                continue
            if packet.pts is not None and packet.pts >= limit:
                break
            packet.stream = out
            target.mux(packet)
    return kept


def audio_seconds(path: Path) -> float:
    """The file's length, from its packets' timestamps (no decoding)."""
    import av

    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        end = 0
        for packet in container.demux(stream):
            if packet.pts is not None and packet.duration:
                end = max(end, packet.pts + packet.duration)
        assert stream.time_base is not None
        return float(end * stream.time_base)


class CallRecording:
    """The recording of one call, when its agent (or the operator) asks for one."""

    def __init__(
        self,
        record: CallRecord,
        calls: CallStore,
        settings: RecordingSettings,
        store: RecordingStore,
    ) -> None:
        self._record = record
        self._calls = calls
        self._settings = settings
        self._store = store
        self.key = key_of(record.org_id, record.session_id)
        self.consent_message = record.config.recording.consent_message
        self.started = False
        self.started_at: datetime | None = None
        self._started_on_clock: float | None = None
        self._keep_seconds: float | None = None

    @classmethod
    def of(
        cls,
        record: CallRecord,
        calls: CallStore,
        settings: WorkerSettings,
        recording: RecordingSettings,
    ) -> CallRecording | None:
        if not recording.records(record.org_id, agent_enabled=record.config.recording.enabled):
            return None
        store = store_of(
            recording, livekit_api_secret=settings.livekit_api_secret.get_secret_value()
        )
        return cls(record, calls, recording, store)

    async def mark_started(self, session: object, *, now: float) -> None:
        """The recorder runs (`now` on the call's clock): the session shows a recording on
        its way."""
        self.started = True
        self._started_on_clock = now
        self.started_at = recording_started_at(session)
        await self._calls.set_recording(
            self._record.session_id,
            RecordingInfo(status="pending", key=self.key, started_at=self.started_at),
        )

    def caller_left_at(self, now: float) -> None:
        """The call ended while its caller was away, gone since `now` (the call's clock):
        the file ends a moment after that, not with the rejoin grace's silence."""
        if self._started_on_clock is not None:
            self._keep_seconds = max(0.0, now - self._started_on_clock) + KEPT_AFTER_LEAVING_S

    def keeper(self, folder: Path) -> Callable[[str], Coroutine[Any, Any, None]]:
        """The job shutdown callback that stores the file the call left in `folder`."""

        async def keep(_reason: str) -> None:
            await self.keep(folder / RECORDING_FILE)

        return keep

    async def keep(self, path: Path) -> None:
        info = await self._store_file(path)
        try:
            await self._calls.set_recording(
                self._record.session_id, info, announce=info.status == "ready"
            )
        except Exception:
            logger.exception("could not record the recording's state")
        logger.info(
            "recording kept" if info.status == "ready" else "recording failed",
            extra={"size_bytes": info.size_bytes, "error": info.error},
        )

    async def _store_file(self, path: Path) -> RecordingInfo:
        try:
            duration = await asyncio.to_thread(audio_seconds, path)
            if self._keep_seconds is not None and self._keep_seconds < duration:
                path = await asyncio.to_thread(trimmed, path, self._keep_seconds)
                duration = await asyncio.to_thread(audio_seconds, path)
        except FileNotFoundError:
            return RecordingInfo(status="failed", key=self.key, error="no audio was recorded")
        except Exception as exc:  # a file the recorder could not finish
            return RecordingInfo(
                status="failed", key=self.key, error=f"unreadable recording: {type(exc).__name__}"
            )
        error = "not stored"
        attempts = self._settings.upload_attempts
        for attempt in range(attempts):
            try:
                size = await asyncio.wait_for(
                    self._store.put(self.key, path), self._settings.upload_timeout_seconds
                )
            except StorageError as exc:
                error = str(exc)
            except TimeoutError:
                error = f"storing took longer than {self._settings.upload_timeout_seconds:g} s"
            except Exception as exc:
                error = f"could not store the recording: {type(exc).__name__}"
            else:
                return RecordingInfo(
                    status="ready",
                    key=self.key,
                    duration_seconds=round(duration, 3),
                    size_bytes=size,
                    content_type=CONTENT_TYPE,
                    started_at=self.started_at,
                    ready_at=datetime.now(UTC),
                )
            logger.warning(
                "could not store the recording", extra={"attempt": attempt + 1, "error": error}
            )
            if attempt + 1 < attempts:
                await asyncio.sleep(RETRY_DELAYS_S[min(attempt, len(RETRY_DELAYS_S) - 1)])
        return RecordingInfo(status="failed", key=self.key, error=error)

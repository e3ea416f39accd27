"""A recorded call in the worker's recipe (callwright_worker.call with
callwright_worker.recording), in-process: the recorder asked for, the consent said before
the greeting, the file copied to the local folder in the job's shutdown (after the
settlement), retried then `failed` with its reason, and the operator's switch."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from callwright_devstack.tenants import Tenant
from callwright_shared.agents.definitions import AgentConfig
from callwright_shared.db.models import Architecture, EndReason
from callwright_shared.recordings.models import RecordingInfo, RecordingSpec
from callwright_shared.recordings.settings import RecordingSettings
from callwright_worker import recording
from callwright_worker.recording import RECORD_AUDIO, RECORDING_FILE
from tests.support.recording_files import write_ogg
from tests.unit.call_harness import USER, CallUnderTest, new_call, template_database, until

pytestmark = pytest.mark.unit

NewCall = Callable[..., Awaitable[CallUnderTest]]
RECORDED = AgentConfig(
    greeting="Hi!", recording=RecordingSpec(enabled=True, consent_message="This call is recorded.")
)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Tenant]:
    return template_database(tmp_path_factory.mktemp("recorded-calls"))


@pytest.fixture
async def make_call(tmp_path: Path, template: tuple[Path, Tenant]) -> AsyncIterator[NewCall]:
    made: list[CallUnderTest] = []

    async def make(**kwargs: Any) -> CallUnderTest:
        call = await new_call(tmp_path, template, **kwargs)
        made.append(call)
        return call

    yield make
    for call in made:
        await call.aclose()


async def ended_by_the_user(call: CallUnderTest) -> None:
    await call.in_conversation()
    call.time.advance(3)
    call.room.leave(USER)
    call.time.advance(50)
    row = await call.ended()
    assert row.end_reason is EndReason.USER_LEFT


async def test_a_recorded_call_says_the_consent_first_and_keeps_the_file(
    make_call: NewCall, tmp_path: Path
) -> None:
    folder = tmp_path / "kept"
    call = await make_call(
        config=RECORDED,
        settings={"rejoin_grace_seconds": 0.01},
        recordings=RecordingSettings(directory=str(folder)),
    )
    session = await call.in_conversation()
    assert session.record == RECORD_AUDIO
    assert [text for text, _ in session.said][:2] == ["This call is recorded.", "Hi!"]
    pending = RecordingInfo.stored((await call.row()).recording)
    assert pending is not None and pending.status == "pending"

    await ended_by_the_user(call)
    settled = await call.row()
    # Settled before the file is copied: the copy runs in the job's shutdown.
    assert settled.credits_charged == 1
    assert len(call.job.shutdown_callbacks) == 1
    write_ogg(call.job.session_directory / RECORDING_FILE, 1.5)
    await call.job.run_shutdown_callbacks()

    row = await call.row()
    info = RecordingInfo.stored(row.recording)
    assert info is not None and info.status == "ready", info
    assert info.key == f"{row.org_id}/{row.id}.ogg"
    stored = folder / info.key
    assert info.size_bytes == stored.stat().st_size > 0
    assert info.duration_seconds == pytest.approx(1.5, abs=0.03)
    assert info.channels == ["caller", "agent"]
    # Where the file starts on the call's clock (the recorder's first sample): what the
    # console seeks a turn by.
    assert info.started_at is not None and pending.started_at == info.started_at
    assert session._recorder_io is not None
    started = session._recorder_io.recording_started_at
    assert info.started_at.timestamp() == pytest.approx(started, abs=1e-3)
    assert row.credits_charged == settled.credits_charged


async def test_the_file_ends_a_second_after_the_caller_left(
    make_call: NewCall, tmp_path: Path
) -> None:
    """Not with the rejoin grace's silence: the call ended while its caller was away,
    3 s into the recording, so the file keeps 3 s and the second after."""
    folder = tmp_path / "kept"
    call = await make_call(
        config=RECORDED,
        settings={"rejoin_grace_seconds": 0.01},
        recordings=RecordingSettings(directory=str(folder)),
    )
    await ended_by_the_user(call)  # the caller leaves 3 s after the recorder started
    write_ogg(call.job.session_directory / RECORDING_FILE, 40)  # the grace, recorded
    await call.job.run_shutdown_callbacks()
    info = RecordingInfo.stored((await call.row()).recording)
    assert info is not None and info.status == "ready", info
    kept = 3 + recording.KEPT_AFTER_LEAVING_S
    assert info.duration_seconds == pytest.approx(kept, abs=0.03)
    assert info.key is not None
    assert recording.audio_seconds(folder / info.key) == pytest.approx(kept, abs=0.03)
    assert info.size_bytes == (folder / info.key).stat().st_size


async def test_a_copy_that_keeps_failing_ends_failed_with_its_reason(
    make_call: NewCall, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(recording, "RETRY_DELAYS_S", (0.0,))
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the folder should be")
    call = await make_call(
        config=RECORDED,
        settings={"rejoin_grace_seconds": 0.01},
        recordings=RecordingSettings(directory=str(blocked), upload_attempts=2),
    )
    await ended_by_the_user(call)
    write_ogg(call.job.session_directory / RECORDING_FILE, 0.5)
    await call.job.run_shutdown_callbacks()
    row = await call.row()
    info = RecordingInfo.stored(row.recording)
    assert info is not None and info.status == "failed"
    assert info.error is not None and "could not write the recording" in info.error
    assert row.credits_charged == 1  # the charge is the call's, whatever the copy does


async def test_no_file_is_failed_not_ready(make_call: NewCall) -> None:
    call = await make_call(config=RECORDED, settings={"rejoin_grace_seconds": 0.01})
    await ended_by_the_user(call)
    await call.job.run_shutdown_callbacks()
    info = RecordingInfo.stored((await call.row()).recording)
    assert info is not None and (info.status, info.error) == ("failed", "no audio was recorded")


async def test_a_call_not_recorded_asks_for_no_recorder(make_call: NewCall) -> None:
    call = await make_call(settings={"rejoin_grace_seconds": 0.01})
    session = await call.in_conversation()
    assert session.record is False
    assert [text for text, _ in session.said] == ["Hi!"]
    call.time.advance(3)
    call.room.leave(USER)
    call.time.advance(50)
    row = await call.ended()
    assert row.recording is None and call.job.shutdown_callbacks == []


async def test_the_operator_switch_wins_over_the_agent(
    make_call: NewCall, template: tuple[Path, Tenant], tmp_path: Path
) -> None:
    org_id = template[1].org_id
    off = await make_call(
        config=RECORDED,
        recordings=RecordingSettings(directory=str(tmp_path), forced_off_orgs=(org_id,)),
    )
    assert (await off.in_conversation()).record is False
    on = await make_call(
        recordings=RecordingSettings(directory=str(tmp_path), forced_on_orgs=(org_id,)),
    )
    assert (await on.in_conversation()).record == RECORD_AUDIO


async def test_a_realtime_call_is_recorded_and_says_the_consent_first(
    make_call: NewCall,
) -> None:
    call = await make_call(architecture=Architecture.REALTIME, config=RECORDED)
    session = await call.in_conversation()
    assert session.record == RECORD_AUDIO
    await until(lambda: len(session.replies) == 2, "the consent and the greeting")
    assert "This call is recorded." in session.replies[0]
    assert "Hi!" in session.replies[1]

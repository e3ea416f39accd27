"""A session's recording: its metadata and a short-lived download link
(`GET /v1/sessions/{id}/recording`), its deletion (`DELETE`, the record that it existed
is kept), and the local folder's signed downloads (`GET /v1/recording-files/...`, no API
key: the link's signature and expiry are the authorization)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse

from callwright_issuer.http.deps import CurrentKey, DbSessionDep
from callwright_issuer.http.parameters import checked_parameters
from callwright_issuer.http.recording_store import recording_settings_of, recording_store_of
from callwright_issuer.schemas import error_responses
from callwright_shared.db.engine import transaction
from callwright_shared.db.models import Session
from callwright_shared.errors import ServiceUnavailableError
from callwright_shared.recordings.models import (
    RecordingInfo,
    RecordingLinkError,
    RecordingNotFoundError,
)
from callwright_shared.recordings.settings import RecordingSettings
from callwright_shared.recordings.storage import (
    FILE_ROUTE,
    LocalFolderStore,
    RecordingStore,
    StorageError,
    link_valid,
)
from callwright_shared.sessions import lifecycle as sessions
from callwright_shared.sessions.recordings import set_recording

router = APIRouter(
    prefix="/v1/sessions", tags=["sessions"], dependencies=[Depends(checked_parameters)]
)
# Not in the API schema: a link's target, reached through the URL GET .../recording gives.
files_router = APIRouter(prefix=FILE_ROUTE, include_in_schema=False)


class RecordingLink(RecordingInfo):
    object: Literal["session.recording"] = "session.recording"
    session_id: str
    # Fetches the file without an API key until `expires_at` (at most an hour).
    url: str
    expires_at: datetime


class RecordingDeleted(RecordingInfo):
    object: Literal["session.recording"] = "session.recording"
    session_id: str


def recording_store(request: Request) -> RecordingStore:
    return recording_store_of(request.app.state)


def recording_settings(request: Request) -> RecordingSettings:
    return recording_settings_of(request.app.state)


StoreDep = Annotated[RecordingStore, Depends(recording_store)]
RecordingSettingsDep = Annotated[RecordingSettings, Depends(recording_settings)]


def _kept(row: Session) -> RecordingInfo:
    info = RecordingInfo.stored(row.recording)
    if info is not None and info.status == "ready" and info.key is not None:
        return info
    # One code for every state without a file (documented); the message says which.
    why = {
        "pending": "is not stored yet (the call is running or its file is being copied); "
        "ask again once the session's recording.status is ready",
        "failed": f"failed: {info.error}" if info is not None else "",
        "deleted": "was deleted",
    }
    state = why.get(info.status, "") if info is not None else ""
    if state:
        raise RecordingNotFoundError(f"Session '{row.id}''s recording {state}.")
    raise RecordingNotFoundError(f"Session '{row.id}' has no recording.")


@router.get(
    "/{session_id}/recording",
    response_model=RecordingLink,
    responses=error_responses(400, 401, 404),
)
async def get_recording(
    *,
    session_id: str,
    request: Request,
    key: CurrentKey,
    db: DbSessionDep,
    store: StoreDep,
    recording: RecordingSettingsDep,
) -> RecordingLink:
    """The call's recording (one stereo Ogg/Opus file: the caller on the left channel,
    the agent on the right) and a link that downloads it without an API key until
    `expires_at`. 404 `recording_not_found` when the call was not recorded, its recording
    is not stored yet, failed, or was deleted."""
    row = await sessions.get_session(db, org_id=key.org_id, session_id=session_id)
    info = _kept(row)
    assert info.key is not None
    expires_at = int(time.time()) + recording.url_ttl_seconds
    return RecordingLink(
        **info.model_dump(),
        session_id=row.id,
        url=store.download_url(info.key, expires_at=expires_at, issuer_url=str(request.base_url)),
        expires_at=datetime.fromtimestamp(expires_at, UTC),
    )


@router.delete(
    "/{session_id}/recording",
    response_model=RecordingDeleted,
    responses=error_responses(400, 401, 404, 503),
)
async def delete_recording(
    *, session_id: str, key: CurrentKey, db: DbSessionDep, store: StoreDep
) -> RecordingDeleted:
    """Delete the file from the operator's storage; the session keeps the record that it
    existed (`recording.status`: `deleted`), and GET answers 404 from then on."""
    async with transaction(db):
        row = await sessions.get_session(db, org_id=key.org_id, session_id=session_id)
        info = _kept(row)
        assert info.key is not None
        try:
            await store.delete(info.key)
        except StorageError as exc:
            raise ServiceUnavailableError(str(exc)) from None
        deleted = info.model_copy(update={"status": "deleted"})
        await set_recording(db, row.id, deleted)
    return RecordingDeleted(**deleted.model_dump(), session_id=row.id)


@files_router.get(
    "/{org_id}/{file_name}",
    response_class=FileResponse,
)
async def recording_file(
    *,
    org_id: str,
    file_name: str,
    store: StoreDep,
    expires: Annotated[int, Query(ge=0)],
    signature: Annotated[str, Query(max_length=100)],
) -> FileResponse:
    """A recording of the local folder, by a link `GET /v1/sessions/{id}/recording`
    answered; 403 `recording_link_invalid` once it expired."""
    file_key = f"{org_id}/{file_name}"
    if not isinstance(store, LocalFolderStore):
        raise RecordingNotFoundError("Recordings are not served by the issuer here.")
    if not link_valid(store.secret, file_key, expires, signature, now=time.time()):
        raise RecordingLinkError("This recording link expired or is not valid.")
    if not await store.exists(file_key):
        raise RecordingNotFoundError("The recording was deleted.")
    return FileResponse(store.path_of(file_key), media_type="audio/ogg", filename=file_name)

"""The issuer's recording storage and its settings, built once per app on first use (the
routes of callwright_issuer.routes.recordings, the retention loop); a test may place its
own `recording_settings` on `app.state` before the app serves."""

from __future__ import annotations

from typing import Any

from callwright_shared.recordings.settings import RecordingSettings
from callwright_shared.recordings.storage import RecordingStore, store_of
from callwright_shared.settings import IssuerSettings


def recording_settings_of(state: Any) -> RecordingSettings:
    found: RecordingSettings | None = getattr(state, "recording_settings", None)
    if found is None:
        found = state.recording_settings = RecordingSettings()
    return found


def recording_store_of(state: Any) -> RecordingStore:
    store: RecordingStore | None = getattr(state, "recording_store", None)
    if store is None:
        settings: IssuerSettings = state.settings
        store = state.recording_store = store_of(
            recording_settings_of(state),
            livekit_api_secret=settings.livekit_api_secret.get_secret_value(),
        )
    return store

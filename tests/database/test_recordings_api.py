"""Recordings through the API on both databases: the agent fields and their refusals
(nothing stored), a session's recording answered with a link that the issuer signs for
the local folder (served without an API key, refused once expired or tampered with),
DELETE keeping the record, another organization's 404, and the retention pass."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from callwright_devstack.api import assert_error
from callwright_devstack.database import database
from callwright_devstack.tenants import Tenant, make_settings, seed_tenant
from callwright_devstack.waiting import eventually
from callwright_issuer.app import create_app
from callwright_issuer.loops.recording_retention import ABANDONED, abandoned_pass, retention_pass
from callwright_shared.billing import credits
from callwright_shared.db.models import Session, SessionStatus, WebhookMessage, utcnow
from callwright_shared.ids import new_session_id
from callwright_shared.recordings.models import RecordingInfo
from callwright_shared.recordings.settings import RecordingSettings
from callwright_shared.sessions import lifecycle as sessions
from callwright_shared.sessions.recordings import set_recording

pytestmark = pytest.mark.database


@asynccontextmanager
async def issuer(
    database_url: str, recording: RecordingSettings
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    settings = make_settings(
        database_url,
        None,
        reconcile_interval_seconds=0,
        webhook_dispatch_interval_seconds=0,
        outbound_allow_private=True,  # the webhook endpoint is on loopback
    )
    app = create_app(settings)
    app.state.recording_settings = recording
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://issuer") as client:
            yield app, client


async def ended_session(url: str, tenant: Tenant, *, ended_days_ago: float = 0) -> str:
    session_id = new_session_id()
    async with database(url) as db:
        row = sessions.new_voice_session(
            session_id=session_id,
            org_id=tenant.org_id,
            user_id=tenant.user_id,
            agent_id=tenant.agent_id,
            room_name=f"room-{session_id}",
            hold=credits.Hold(amount=0, max_duration_seconds=60, limited_by_credits=False),
            credits_per_minute=6,
            metadata=None,
        )
        row.status = SessionStatus.ENDED
        row.ended_at = utcnow() - timedelta(days=ended_days_ago)
        db.add(row)
    return session_id


async def recorded(url: str, tenant: Tenant, folder: Path, **kwargs: Any) -> str:
    """An ended session whose recording is stored in the local folder."""
    session_id = await ended_session(url, tenant, **kwargs)
    key = f"{tenant.org_id}/{session_id}.ogg"
    (folder / tenant.org_id).mkdir(parents=True, exist_ok=True)
    (folder / key).write_bytes(b"OggS fake recording")
    async with database(url) as db:
        row = await db.get(Session, session_id)
        assert row is not None
        row.recording = RecordingInfo(
            status="ready", key=key, duration_seconds=1.0, size_bytes=19
        ).to_json()
    return session_id


async def test_agent_fields_are_checked_and_a_refusal_stores_nothing(
    database_url: str, tmp_path: Path
) -> None:
    tenant = await seed_tenant(database_url)
    async with issuer(database_url, RecordingSettings(directory=str(tmp_path))) as (_, client):
        before = (await client.get("/v1/agents", headers=tenant.headers)).json()["data"]
        text = await client.post(
            "/v1/agents",
            headers=tenant.headers,
            json={"name": "Chat", "architecture": "text", "recording": {"enabled": True}},
        )
        assert assert_error(text, 400, "invalid_request")["param"] == "recording"
        schema = await client.post(
            "/v1/agents",
            headers=tenant.headers,
            json={
                "name": "Voice",
                "architecture": "pipeline",
                "analysis": {"data_schema": {"type": "object", "properties": {"x": {"$ref": "#"}}}},
            },
        )
        assert assert_error(schema, 400, "invalid_request")["param"] == "analysis.data_schema"
        after = (await client.get("/v1/agents", headers=tenant.headers)).json()["data"]
        assert len(after) == len(before)

        made = await client.post(
            "/v1/agents",
            headers=tenant.headers,
            json={
                "name": "Recorded",
                "architecture": "pipeline",
                "recording": {"enabled": True, "consent_message": "This call is recorded."},
                "analysis": {
                    "success_criteria": "The caller got an answer.",
                    "data_schema": {"type": "object", "properties": {"x": {"type": "string"}}},
                },
            },
        )
        assert made.status_code == 200, made.text
        agent = made.json()
        assert agent["recording"] == {"enabled": True, "consent_message": "This call is recorded."}
        assert agent["analysis"]["success_criteria"] == "The caller got an answer."
        to_text = await client.patch(
            f"/v1/agents/{agent['id']}", headers=tenant.headers, json={"architecture": "text"}
        )
        assert assert_error(to_text, 400, "invalid_request")["param"] == "recording"
        kept = (await client.get(f"/v1/agents/{agent['id']}", headers=tenant.headers)).json()
        assert kept["architecture"] == "pipeline"


async def test_a_recording_is_linked_signed_expires_and_is_deleted(
    database_url: str, tmp_path: Path
) -> None:
    tenant = await seed_tenant(database_url)
    other = await seed_tenant(database_url, user_id="someone_else")
    folder = tmp_path / "recordings"
    recording = RecordingSettings(directory=str(folder))
    session_id = await recorded(database_url, tenant, folder)
    never = await ended_session(database_url, tenant)
    async with issuer(database_url, recording) as (_, client):
        path = f"/v1/sessions/{session_id}/recording"
        assert_error(
            await client.get(f"/v1/sessions/{never}/recording", headers=tenant.headers),
            404,
            "recording_not_found",
        )
        assert_error(await client.get(path, headers=other.headers), 404, "session_not_found")
        assert_error(await client.delete(path, headers=other.headers), 404, "session_not_found")
        assert_error(await client.get(path), 401, "invalid_api_key")

        link = await client.get(path, headers=tenant.headers)
        assert link.status_code == 200, link.text
        body = link.json()
        assert body["status"] == "ready" and "key" not in body
        download = await client.get(body["url"])  # no API key
        assert download.status_code == 200
        assert download.content == b"OggS fake recording"
        assert download.headers["content-type"] == "audio/ogg"
        tampered = body["url"].replace("signature=", "signature=x")
        assert_error(await client.get(tampered), 403, "recording_link_invalid")
        other_file = body["url"].replace(session_id, never)
        assert_error(await client.get(other_file), 403, "recording_link_invalid")

        recording.url_ttl_seconds = 1
        short = (await client.get(path, headers=tenant.headers)).json()
        expires = int(short["url"].split("expires=")[1].split("&")[0])
        await eventually(lambda: time.time() > expires, within=10, what="the link's expiry")
        assert_error(await client.get(short["url"]), 403, "recording_link_invalid")

        deleted = await client.delete(path, headers=tenant.headers)
        assert deleted.status_code == 200, deleted.text
        assert deleted.json()["status"] == "deleted"
        assert not (folder / tenant.org_id / f"{session_id}.ogg").exists()
        gone = assert_error(
            await client.get(path, headers=tenant.headers), 404, "recording_not_found"
        )
        assert "was deleted" in gone["message"]
        assert_error(await client.delete(path, headers=tenant.headers), 404, "recording_not_found")
        session = (await client.get(f"/v1/sessions/{session_id}", headers=tenant.headers)).json()
        assert session["recording"]["status"] == "deleted"


async def test_a_recording_not_stored_yet_says_so(database_url: str, tmp_path: Path) -> None:
    """While the call runs and its file is copied, the link is 404 like a call never
    recorded, with a message that tells the two apart."""
    tenant = await seed_tenant(database_url)
    session_id = await ended_session(database_url, tenant)
    async with database(database_url) as db:
        row = await db.get(Session, session_id)
        assert row is not None
        row.recording = RecordingInfo(status="pending").to_json()
    never = await ended_session(database_url, tenant)
    recording = RecordingSettings(directory=str(tmp_path))
    async with issuer(database_url, recording) as (_, client):
        pending = assert_error(
            await client.get(f"/v1/sessions/{session_id}/recording", headers=tenant.headers),
            404,
            "recording_not_found",
        )
        assert "not stored yet" in pending["message"]
        absent = assert_error(
            await client.get(f"/v1/sessions/{never}/recording", headers=tenant.headers),
            404,
            "recording_not_found",
        )
        assert absent["message"] == f"Session '{never}' has no recording."


async def test_retention_deletes_old_recordings_only(database_url: str, tmp_path: Path) -> None:
    tenant = await seed_tenant(database_url)
    folder = tmp_path / "recordings"
    old = await recorded(database_url, tenant, folder, ended_days_ago=31)
    recent = await recorded(database_url, tenant, folder, ended_days_ago=1)
    async with issuer(database_url, RecordingSettings(directory=str(folder))) as (app, _):
        assert await retention_pass(app.state, app.state.session_factory) == 1
        assert await retention_pass(app.state, app.state.session_factory) == 0
    assert not (folder / tenant.org_id / f"{old}.ogg").exists()
    assert (folder / tenant.org_id / f"{recent}.ogg").exists()
    async with database(database_url) as db:
        rows = {sid: await db.get(Session, sid) for sid in (old, recent)}
        statuses = {
            sid: RecordingInfo.stored(row.recording).status  # type: ignore[union-attr]
            for sid, row in rows.items()
            if row is not None
        }
    assert statuses == {old: "deleted", recent: "ready"}


async def test_a_recording_a_worker_left_pending_ends_failed(
    database_url: str, tmp_path: Path
) -> None:
    tenant = await seed_tenant(database_url)
    lost = await ended_session(database_url, tenant, ended_days_ago=1)
    running = await ended_session(database_url, tenant)
    async with database(database_url) as db:
        for session_id in (lost, running):
            await set_recording(
                db,
                session_id,
                RecordingInfo(status="pending", key=f"{tenant.org_id}/{session_id}.ogg"),
            )
    async with issuer(database_url, RecordingSettings(directory=str(tmp_path))) as (app, client):
        assert await abandoned_pass(app.state, app.state.session_factory) == 1
        lost_row = (await client.get(f"/v1/sessions/{lost}", headers=tenant.headers)).json()
        assert lost_row["recording"]["status"] == "failed"
        assert lost_row["recording"]["error"] == ABANDONED
        kept = (await client.get(f"/v1/sessions/{running}", headers=tenant.headers)).json()
        assert kept["recording"]["status"] == "pending"


async def test_a_stored_recording_queues_its_webhook_once(
    database_url: str, tmp_path: Path
) -> None:
    tenant = await seed_tenant(database_url)
    session_id = await ended_session(database_url, tenant)
    async with issuer(database_url, RecordingSettings(directory=str(tmp_path))) as (_, client):
        made = await client.post(
            "/v1/webhook-endpoints",
            headers=tenant.headers,
            json={"url": "http://127.0.0.1:9/hooks", "events": ["session.recording_ready"]},
        )
        assert made.status_code == 200, made.text
    info = RecordingInfo(status="ready", key=f"{tenant.org_id}/{session_id}.ogg", size_bytes=9)
    async with database(database_url) as db:
        await set_recording(db, session_id, info.model_copy(update={"status": "pending"}))
        await set_recording(db, session_id, info, announce=True)
    async with database(database_url) as db:
        messages = (
            (
                await db.execute(
                    select(WebhookMessage).where(WebhookMessage.session_id == session_id)
                )
            )
            .scalars()
            .all()
        )
        assert [m.type for m in messages] == ["session.recording_ready"]
        sent = json.loads(messages[0].payload)
        assert sent["data"]["session"]["recording"]["status"] == "ready"
        assert "key" not in sent["data"]["session"]["recording"]

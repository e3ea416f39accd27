"""The job gate: a dispatched job serves a call only for a room callwright named and
issued, still open, and not already served by another job; then the call runs
(callwright_worker.call)."""

from __future__ import annotations

import logging
import time
from typing import TypeGuard

from livekit.agents import JobContext
from pydantic import ValidationError

from callwright_shared.calls.dispatch import DispatchMetadata
from callwright_shared.calls.room_names import RoomName, RoomNameError, parse_room_name
from callwright_shared.db.models import SessionStatus
from callwright_worker import telemetry
from callwright_worker.call import Call
from callwright_worker.call_store import CallRecord
from callwright_worker.deps import WorkerDeps
from callwright_worker.providers import ProviderSessions

logger = logging.getLogger(__name__)


def issued_for(
    record: CallRecord | None, room: RoomName, job_metadata: str
) -> TypeGuard[CallRecord]:
    """Whether callwright issued this room for this agent and user, and it is still open."""
    if record is None or record.status is not SessionStatus.CREATED:
        return False
    if (record.agent_id, record.user_id) != (room.agent_id, room.user_id):
        return False
    if job_metadata:
        try:
            dispatched = DispatchMetadata.from_json(job_metadata)
        except ValidationError:
            return False
        if dispatched.session_id != record.session_id:
            return False
    return True


async def entrypoint(ctx: JobContext) -> None:
    started = time.perf_counter()
    # Tags every log line of this job, livekit-agents' own included.
    ctx.log_context_fields = {"room": ctx.room.name}
    try:
        room = parse_room_name(ctx.room.name)
    except RoomNameError:
        logger.warning("refusing a room callwright did not name")
        ctx.shutdown("room not named by callwright")
        return
    deps = WorkerDeps.of(ctx.proc)
    store = deps.store
    try:
        record = await store.load(ctx.room.name)
        if not issued_for(record, room, ctx.job.metadata):
            logger.warning("refusing a room callwright did not issue")
            ctx.shutdown("room not issued by callwright")
            return
        if not await store.claim(
            record.session_id,
            ctx.job.id,
            grace_seconds=deps.settings.worker_heartbeat_grace_seconds,
        ):
            # A second dispatch of a session another live job serves: harmless, leave.
            logger.info("session already served by another job")
            ctx.shutdown("session already claimed")
            return
        ctx.log_context_fields.update(session_id=record.session_id, agent_id=record.agent_id)
        telemetry.bind_call(
            session_id=record.session_id, agent_id=record.agent_id, org_id=record.org_id
        )
        sessions = ProviderSessions(deps.vad, ctx.room)
        await Call(ctx, deps, record, sessions=sessions, started=started).run()
    finally:
        await store.aclose()

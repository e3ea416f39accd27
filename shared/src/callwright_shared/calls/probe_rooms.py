"""Rooms that test a deployment rather than carry a call: their names and markers.

Writers: `callwright doctor` (a webhook probe room, and a worker probe room with an agent
dispatched into it) and the issuer's `POST /v1/connection-test` (a room the page's
"Test connection" joins). Readers: the issuer's LiveKit webhook route, which answers a
webhook probe by marking its room's metadata (`WEBHOOK_SEEN`), so that the doctor can
observe a delivery through LiveKit alone, whichever issuer process received it.

None of these rooms has a session: the webhook handler, the reconciler and the
re-dispatcher find nothing to do for them, and nothing is charged.
"""

from __future__ import annotations

import secrets
import time

from callwright_shared.calls.room_names import format_room_name

WEBHOOK_PROBE_PREFIX = "callwright-doctor-webhook-"
CONNECTION_TEST_PREFIX = "callwright-connection-test-"
# What the issuer writes into a webhook probe room's metadata on its `room_started`.
WEBHOOK_SEEN = "callwright-doctor: webhook received"
# The worker probe's user id; the dispatch metadata says the same to anyone reading logs.
WORKER_PROBE_USER = "callwright-doctor"
WORKER_PROBE_METADATA = '{"callwright_doctor": "worker probe"}'


def webhook_probe_room() -> str:
    return WEBHOOK_PROBE_PREFIX + secrets.token_hex(8)


def is_webhook_probe(room_name: str) -> bool:
    return room_name.startswith(WEBHOOK_PROBE_PREFIX)


def connection_test_room() -> str:
    return CONNECTION_TEST_PREFIX + secrets.token_hex(8)


def worker_probe_room() -> str:
    """Named like a call's room, so the worker accepts the job (its `on_request` takes only
    callwright room names); its entrypoint then finds no session for it and leaves, having
    started no call (docs/decisions.md#doctor-worker-probe)."""
    return format_room_name(secrets.token_hex(8), WORKER_PROBE_USER, int(time.time() * 1000))

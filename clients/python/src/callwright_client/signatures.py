"""Verifying what callwright sends you (written by hand, not generated).

Lifecycle webhooks and HTTP tool calls carry the same Standard Webhooks signature:
`webhook-id`, `webhook-timestamp` (Unix seconds) and `webhook-signature` (`v1,<base64
HMAC-SHA256 of "id.timestamp.body">`, space-separated, one per secret during a rotation),
keyed by the `whsec_…` secret: the webhook endpoint's for webhooks, the organization's tool
secret for tools. Only the standard library is used, so the SDK needs no more packages.

    event = verify_webhook(raw_body, request.headers, "whsec_…")
    call = verify_tool_call(raw_body, request.headers, "whsec_…")
    tool = verify_get_tool_call(full_url, request.headers, "whsec_…")   # a GET tool
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from typing import Any

# How far a signature's timestamp may be from now (either way): a replayed request older
# than this is refused. The Standard Webhooks libraries use the same five minutes.
TOLERANCE_SECONDS = 5 * 60
_PREFIX = "whsec_"


class SignatureError(Exception):
    """The request is not signed by callwright with this secret (or is too old or new)."""


def _secret_bytes(secret: str) -> bytes:
    try:
        return base64.b64decode(secret.removeprefix(_PREFIX), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("the secret is not a `whsec_…` signing secret") from None


def _header(headers: Mapping[str, str], name: str) -> str:
    # Headers are case-insensitive; a plain dict of them may hold any case.
    for key, value in headers.items():
        if key.lower() == name:
            return value
    raise SignatureError(f"the {name} header is missing")


def verify_signature(
    payload: bytes | str,
    headers: Mapping[str, str],
    secret: str,
    *,
    now: float | None = None,
) -> None:
    """Raises SignatureError unless `payload` (the raw body, exactly as received) carries a
    valid signature by `secret` made within TOLERANCE_SECONDS of `now`."""
    message_id = _header(headers, "webhook-id")
    timestamp = _header(headers, "webhook-timestamp")
    signatures = _header(headers, "webhook-signature")
    try:
        sent_at = int(timestamp)
    except ValueError:
        raise SignatureError("the webhook-timestamp header is not a number") from None
    if abs((time.time() if now is None else now) - sent_at) > TOLERANCE_SECONDS:
        raise SignatureError("the signature's timestamp is too old or too new")
    body = payload.decode() if isinstance(payload, bytes) else payload
    signed = f"{message_id}.{timestamp}.{body}".encode()
    expected = base64.b64encode(
        hmac.new(_secret_bytes(secret), signed, hashlib.sha256).digest()
    ).decode()
    for candidate in signatures.split():
        version, _, value = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(value, expected):
            return
    raise SignatureError("no signature matches")


def verify_webhook(
    payload: bytes | str, headers: Mapping[str, str], secret: str, *, now: float | None = None
) -> dict[str, Any]:
    """A lifecycle webhook's event (`{"type", "timestamp", "data"}`), once its signature
    by the endpoint's secret is verified; raises SignatureError otherwise."""
    verify_signature(payload, headers, secret, now=now)
    event: dict[str, Any] = json.loads(payload)
    return event


def verify_tool_call(
    payload: bytes | str, headers: Mapping[str, str], secret: str, *, now: float | None = None
) -> dict[str, Any]:
    """A tool call's body (`{"type": "tool.call", "timestamp", "data": {"tool",
    "arguments", "session"}}`), once its signature by the organization's tool secret is
    verified; raises SignatureError otherwise. For a GET tool use verify_get_tool_call."""
    verify_signature(payload, headers, secret, now=now)
    call: dict[str, Any] = json.loads(payload)
    return call


def verify_get_tool_call(
    url: str, headers: Mapping[str, str], secret: str, *, now: float | None = None
) -> str:
    """A GET tool call has no body: its signature covers
    `{"method":"GET","url":"<url>","tool":"<name>"}` (compact JSON, in that order), `url`
    being the full URL callwright requested (`https://<Host header><raw path and query>`,
    behind a proxy the public one) and the name the `callwright-tool` header's. Returns
    that tool name (check it is the tool you serve); raises SignatureError unless the
    request is signed by the tool secret, so it cannot be replayed to another URL or tool."""
    tool = _header(headers, "callwright-tool")
    signed = json.dumps({"method": "GET", "url": url, "tool": tool}, separators=(",", ":"))
    verify_signature(signed, headers, secret, now=now)
    return tool

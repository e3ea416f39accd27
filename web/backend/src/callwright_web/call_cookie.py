"""The calls a browser placed: a signed, HttpOnly cookie holding their session ids, so a
call's controls (`/api/calls/{id}/rejoin` and `/end`) answer only the browser that placed
it (docs/security.md#call-controls-bound-to-the-browser).

The value is `<ids>.<signature>`: the ids (at most `MAX_CALLS`, newest last) joined by
commas, and the HMAC-SHA256 of them with CALLWRIGHT_WEB_COOKIE_SECRET (or a random key
made at start), both base64url. A cookie that does not verify names no call.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets

from fastapi import Request, Response

from callwright_web.errors import SESSION_ID

COOKIE_NAME = "callwright_calls"
# Enough for a tab per call a person could hold open; the oldest are forgotten past it.
MAX_CALLS = 16
# Longer than the longest call (a session's time limit is at most four hours).
_MAX_AGE_SECONDS = 12 * 3600


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class CallCookie:
    """Reads and extends the cookie; `secret` None makes a random key for this process."""

    def __init__(self, secret: str | None) -> None:
        self._key = secret.encode() if secret else secrets.token_bytes(32)

    def _sign(self, payload: bytes) -> str:
        return _b64(hmac.new(self._key, payload, hashlib.sha256).digest())

    def session_ids(self, request: Request) -> list[str]:
        """The calls this browser placed, oldest first; [] for no cookie or a forged one."""
        value = request.cookies.get(COOKIE_NAME, "")
        encoded, dot, signature = value.partition(".")
        if not dot:
            return []
        try:
            payload = _unb64(encoded)
        except (binascii.Error, ValueError):
            return []
        if not hmac.compare_digest(signature, self._sign(payload)):
            return []
        ids = payload.decode(errors="replace").split(",")
        return [i for i in ids if SESSION_ID.fullmatch(i)]

    def placed(self, request: Request, session_id: str) -> bool:
        return session_id in self.session_ids(request)

    def add(self, request: Request, response: Response, session_id: str) -> None:
        """Set the cookie on `response`: this browser's calls and `session_id`."""
        ids = [i for i in self.session_ids(request) if i != session_id] + [session_id]
        payload = ",".join(ids[-MAX_CALLS:]).encode()
        response.set_cookie(
            COOKIE_NAME,
            f"{_b64(payload)}.{self._sign(payload)}",
            max_age=_MAX_AGE_SECONDS,
            path="/api",
            httponly=True,
            samesite="strict",
            # Behind the TLS proxy the scheme is https (uvicorn's proxy headers).
            secure=request.url.scheme == "https",
        )

"""The page's errors: the API's shape, `{"error": {"type", "code", "message", "param"}}`,
with a message written for the person in front of the page (402 → out of credits, 429 →
too many calls…): the page shows `message` as it is.

The issuer's errors the page names are listed here by their status, type and code, as the
API answers them (`callwright_shared.errors`, which this member does not import: the page's
image carries no database layer); tests/unit/test_web_member.py checks that they agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import httpx
from fastapi.responses import JSONResponse

SESSION_ID = re.compile(r"ses_[A-Za-z0-9]{1,64}")  # always with fullmatch: `$` admits a "\n"


@dataclass(frozen=True)
class ApiError:
    """One of the API's errors: its HTTP status, `type` and `code`."""

    http_status: int
    error_type: str
    code: str


INTERNAL = ApiError(500, "api_error", "internal_error")
INVALID_REQUEST = ApiError(400, "invalid_request_error", "invalid_request")
AGENT_ARCHITECTURE_UNSUPPORTED = ApiError(
    400, "invalid_request_error", "agent_architecture_unsupported"
)
AUTHENTICATION = ApiError(401, "authentication_error", "invalid_api_key")
INSUFFICIENT_CREDITS = ApiError(402, "billing_error", "insufficient_credits")
NOT_FOUND = ApiError(404, "invalid_request_error", "not_found")
AGENT_NOT_FOUND = ApiError(404, "invalid_request_error", "agent_not_found")
SESSION_NOT_FOUND = ApiError(404, "invalid_request_error", "session_not_found")
REQUEST_TOO_LARGE = ApiError(413, "invalid_request_error", "request_too_large")
RATE_LIMITED = ApiError(429, "rate_limit_error", "rate_limited")
CONCURRENCY_LIMIT = ApiError(429, "rate_limit_error", "concurrency_limit")
LIVEKIT_UNAVAILABLE = ApiError(503, "api_error", "livekit_unavailable")
DATABASE_UNAVAILABLE = ApiError(503, "api_error", "database_unavailable")


def error_body(
    error_type: str, code: str, message: str, param: str | None = None
) -> dict[str, dict[str, str]]:
    """The API's error body (`callwright_shared.errors.error_body`)."""
    detail = {"type": error_type, "code": code, "message": message}
    if param is not None:
        detail["param"] = param
    return {"error": detail}


_FRIENDLY: dict[str, str] = {
    INSUFFICIENT_CREDITS.code: "Your organization is out of credits. Add credits to place a call.",
    CONCURRENCY_LIMIT.code: "Too many calls in progress. "
    "Hang up another call or try again shortly.",
    LIVEKIT_UNAVAILABLE.code: "The call server (LiveKit) is unavailable right now. "
    "Try again in a moment.",
    DATABASE_UNAVAILABLE.code: "callwright is temporarily unavailable. Try again in a moment.",
    AGENT_NOT_FOUND.code: "This agent no longer exists. Reload the page to see the current agents.",
    AGENT_ARCHITECTURE_UNSUPPORTED.code: "This is a text agent; it cannot take voice calls.",
    AUTHENTICATION.code: "This page's server is not authorized by callwright: "
    "check CALLWRIGHT_WEB_API_KEY.",
    SESSION_NOT_FOUND.code: "This call is not known to callwright.",
}


@dataclass(frozen=True)
class PageError:
    """An error for the page, in the API's shape, with a message written for people."""

    status: int
    code: str
    message: str
    type: str = "api_error"
    param: str | None = None
    retry_after: str | None = None

    @classmethod
    def like(
        cls,
        kind: ApiError,
        message: str,
        *,
        param: str | None = None,
        retry_after: str | None = None,
    ) -> PageError:
        """One of the API's errors (its status, code and type), said for people."""
        return cls(kind.http_status, kind.code, message, kind.error_type, param, retry_after)

    def body(self) -> dict[str, dict[str, str]]:
        return error_body(self.type, self.code, self.message, self.param)

    def response(self, headers: dict[str, str] | None = None) -> JSONResponse:
        headers = dict(headers or {})
        if self.retry_after is not None:
            headers["Retry-After"] = self.retry_after
        return JSONResponse(self.body(), status_code=self.status, headers=headers)


class PageRequestTooLarge(Exception):
    """A body over the page's limit (callwright_http.body_limits), answered as the API's 413."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.error = PageError.like(REQUEST_TOO_LARGE, message)


def friendly_error(response: httpx.Response) -> PageError:
    """The issuer's error, passed on with its status and code and a message for people."""
    try:
        error = response.json()["error"]
        code, type_ = str(error["code"]), str(error.get("type", INTERNAL.error_type))
        message, param = str(error.get("message", "")), error.get("param")
    except (ValueError, KeyError, TypeError):
        code, type_, message, param = INTERNAL.code, INTERNAL.error_type, "", None
    message = _FRIENDLY.get(code) or message or "Something went wrong. Try again."
    retry_after = response.headers.get("Retry-After")
    if code == CONCURRENCY_LIMIT.code and retry_after is not None:
        message = f"Too many calls in progress. Try again in {retry_after} seconds."
    return PageError(
        status=response.status_code if response.status_code >= 400 else 502,
        code=code,
        message=message,
        type=type_,
        param=param if isinstance(param, str) else None,
        retry_after=retry_after,
    )


ISSUER_UNREACHABLE = PageError(
    502,
    "issuer_unavailable",
    "callwright's API is unreachable from this page's server. Is the issuer running?",
    retry_after="5",
)
RECORDING_UNREACHABLE = PageError(
    502,
    "recording_unavailable",
    "The recording could not be fetched from its storage. Try again.",
    retry_after="5",
)
NO_API_KEY = PageError(
    503, "web_not_configured", "This page's server has no API key: set CALLWRIGHT_WEB_API_KEY."
)
NOT_JSON = PageError(
    415,
    INVALID_REQUEST.code,
    "Send JSON (Content-Type: application/json).",
    INVALID_REQUEST.error_type,
)
NO_AGENT = PageError.like(INVALID_REQUEST, "Choose an agent to call.", param="agent_id")
UNKNOWN_SESSION = PageError.like(SESSION_NOT_FOUND, _FRIENDLY[SESSION_NOT_FOUND.code])
UNKNOWN_HOST = PageError(
    421,
    "host_not_allowed",
    "This page does not answer to that host name (CALLWRIGHT_WEB_ALLOWED_HOSTS).",
    "invalid_request_error",
)
SIGN_IN = PageError(
    401,
    "authentication_required",
    "Sign in to use this page.",
    AUTHENTICATION.error_type,
)
CONSOLE_SIGN_IN = PageError(
    401,
    "authentication_required",
    "Sign in with the console's own credentials (CALLWRIGHT_WEB_CONSOLE_AUTH).",
    AUTHENTICATION.error_type,
)
NOT_YOUR_CALL = PageError.like(
    SESSION_NOT_FOUND, "This call was not placed from this browser, or it is over."
)
CONSOLE_OFF = PageError.like(
    NOT_FOUND, "The console is turned off on this server (CALLWRIGHT_WEB_CONSOLE)."
)


def too_many(what: str, retry_after: int) -> PageError:
    """429 for one client: `what` is "calls" (the call page) or "requests" (the console)."""
    return PageError.like(
        RATE_LIMITED,
        f"Too many {what} from this browser. Try again in {retry_after} seconds.",
        retry_after=str(retry_after),
    )

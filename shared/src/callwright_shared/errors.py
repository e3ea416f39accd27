"""The one error hierarchy of callwright. The issuer maps it to HTTP in one handler.

    CallwrightError                      500 internal_error
    ├── InvalidRequestError              400 invalid_request (param = the field at fault)
    │   ├── AgentArchitectureUnsupportedError  400 agent_architecture_unsupported
    │   ├── UnknownVariableError         400 unknown_variable (a session variable the
    │   │                                    agent does not declare)
    │   ├── MissingVariableError         400 missing_variable (a required one not given)
    │   ├── InvalidVariableError         400 invalid_variable (wrong type, too long)
    │   ├── OverrideNotAllowedError      400 override_not_allowed (a field not in the
    │   │                                    agent's `overridable`, or a longer call)
    │   └── OutboundAddressError         400 invalid_request (param url: a webhook URL
    │                                        that is malformed or resolves to a private,
    │                                        loopback or link-local address)
    ├── AuthenticationError              401 invalid_api_key
    │   └── WebhookSignatureError        401 invalid_signature (LiveKit webhooks)
    ├── InsufficientCreditsError         402 insufficient_credits
    ├── PermissionDeniedError            403 permission_denied
    │   ├── InsufficientScopeError       403 insufficient_scope (a `sessions` key on a
    │   │                                    route only a `full` key may call)
    │   └── OrganizationSuspendedError   403 organization_suspended (the operator
    │                                        suspended the key's organization)
    ├── NotFoundError                    404 not_found
    │   ├── AgentNotFoundError           404 agent_not_found
    │   └── SessionNotFoundError         404 session_not_found
    ├── ConflictError                    409 (code given by subclass)
    │   ├── SessionEndedError            409 session_ended
    │   ├── MessageLimitError            409 message_limit_reached (a chat session's
    │   │                                    messages are used up)
    │   ├── IdempotencyConflictError     409 idempotency_conflict
    │   ├── WebhookEndpointDisabledError 409 endpoint_disabled (redeliver to a disabled
    │   │                                    webhook endpoint)
    │   └── WebhookEndpointLimitError    409 endpoint_limit_reached (the organization
    │                                        has CALLWRIGHT_WEBHOOK_ENDPOINTS_PER_ORG)
    ├── RequestTooLargeError             413 request_too_large
    ├── RateLimitedError                 429 rate_limited (Retry-After: when the next
    │   │                                    creation or webhook test is allowed)
    │   └── ConcurrencyLimitError        429 concurrency_limit (Retry-After)
    ├── ProviderError                    502 provider_error (the LLM provider failed or
    │                                        is not configured; nothing is charged
    │                                        unless part of a streamed reply went out)
    └── ServiceUnavailableError          503 (Retry-After)
        ├── LiveKitUnavailableError      503 livekit_unavailable
        └── DatabaseUnavailableError     503 database_unavailable

Messages are for people: never a stack trace, a key or a transcript.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from callwright_shared.tool_types import TOOL_TYPES

# FastAPI's location of a request field (RequestValidationError), not part of its name.
_REQUEST_PARTS = ("body", "query", "path", "header")


class CallwrightError(Exception):
    http_status: ClassVar[int] = 500
    error_type: ClassVar[str] = "api_error"
    code: ClassVar[str] = "internal_error"
    retryable: ClassVar[bool] = False
    # A class default; an error that knows better (a rate limit) sets its own.
    retry_after_seconds: int | None = None

    def __init__(self, message: str = "An internal error occurred.", *, param: str | None = None):
        super().__init__(message)
        self.message = message
        self.param = param

    def body(self) -> dict[str, dict[str, str]]:
        """The API's error body (the API, its server-sent `error` event, the CLI)."""
        return error_body(self.error_type, self.code, self.message, self.param)


def error_body(
    error_type: str, code: str, message: str, param: str | None = None
) -> dict[str, dict[str, str]]:
    """The API's error body, the one rendering of an error: `CallwrightError.body` and
    the page backend's errors, whose codes may be ones the issuer answered."""
    detail = {"type": error_type, "code": code, "message": message}
    if param is not None:
        detail["param"] = param
    return {"error": detail}


class InvalidRequestError(CallwrightError):
    http_status = 400
    error_type = "invalid_request_error"
    code = "invalid_request"

    @classmethod
    def from_validation(
        cls, errors: Sequence[Mapping[str, Any]], *, prefix: str | None = None
    ) -> InvalidRequestError:
        """Pydantic's first error (`ValidationError.errors()`, FastAPI's too) as a 400
        naming the field at fault, under `prefix` (e.g. "overrides")."""
        first = errors[0] if errors else {}
        if first.get("type") == "json_invalid":
            return cls("The request body is not valid JSON.")
        loc = [str(part) for part in first.get("loc", ())]
        if loc and loc[0] in _REQUEST_PARTS:
            loc = loc[1:]
        # Without the union tag pydantic puts after a tool's index, which is not part of
        # what the client sent.
        path = error_param(loc)
        loc = path.split(".") if path else []
        param = ".".join([prefix, *loc] if prefix else loc) or None
        message = str(first.get("msg", "Invalid request."))
        return cls(f"{param}: {message}" if param else message, param=param)


class AgentArchitectureUnsupportedError(InvalidRequestError):
    code = "agent_architecture_unsupported"


class UnknownVariableError(InvalidRequestError):
    code = "unknown_variable"


class MissingVariableError(InvalidRequestError):
    code = "missing_variable"


class InvalidVariableError(InvalidRequestError):
    code = "invalid_variable"


class OverrideNotAllowedError(InvalidRequestError):
    code = "override_not_allowed"


class OutboundAddressError(InvalidRequestError):
    pass


class AuthenticationError(CallwrightError):
    http_status = 401
    error_type = "authentication_error"
    code = "invalid_api_key"


class WebhookSignatureError(AuthenticationError):
    code = "invalid_signature"


class InsufficientCreditsError(CallwrightError):
    http_status = 402
    error_type = "billing_error"
    code = "insufficient_credits"


class PermissionDeniedError(CallwrightError):
    http_status = 403
    error_type = "permission_error"
    code = "permission_denied"


class InsufficientScopeError(PermissionDeniedError):
    code = "insufficient_scope"


class OrganizationSuspendedError(PermissionDeniedError):
    code = "organization_suspended"


class NotFoundError(CallwrightError):
    http_status = 404
    error_type = "invalid_request_error"
    code = "not_found"


class AgentNotFoundError(NotFoundError):
    code = "agent_not_found"


class SessionNotFoundError(NotFoundError):
    code = "session_not_found"


class ConflictError(CallwrightError):
    http_status = 409
    error_type = "invalid_request_error"
    code = "conflict"


class SessionEndedError(ConflictError):
    code = "session_ended"


class MessageLimitError(ConflictError):
    code = "message_limit_reached"


class IdempotencyConflictError(ConflictError):
    code = "idempotency_conflict"


class WebhookEndpointDisabledError(ConflictError):
    code = "endpoint_disabled"


class WebhookEndpointLimitError(ConflictError):
    code = "endpoint_limit_reached"


class RequestTooLargeError(CallwrightError):
    http_status = 413
    error_type = "invalid_request_error"
    code = "request_too_large"


class RateLimitedError(CallwrightError):
    http_status = 429
    error_type = "rate_limit_error"
    code = "rate_limited"
    retryable = True
    retry_after_seconds = 1

    def __init__(self, message: str, *, retry_after_seconds: int | None = None) -> None:
        super().__init__(message)
        if retry_after_seconds is not None:
            self.retry_after_seconds = max(1, retry_after_seconds)


class ConcurrencyLimitError(RateLimitedError):
    code = "concurrency_limit"
    retry_after_seconds = 5


class ProviderError(CallwrightError):
    http_status = 502
    error_type = "api_error"
    code = "provider_error"
    retryable = True


class ServiceUnavailableError(CallwrightError):
    http_status = 503
    error_type = "api_error"
    code = "service_unavailable"
    retryable = True
    retry_after_seconds = 2


class LiveKitUnavailableError(ServiceUnavailableError):
    code = "livekit_unavailable"


class DatabaseUnavailableError(ServiceUnavailableError):
    code = "database_unavailable"


def error_param(loc: Sequence[str | int]) -> str | None:
    """The `param` of a pydantic error's location, without the union tag pydantic puts
    after a tool's index (`tools.0.http.parameters` → `tools.0.parameters`)."""
    parts = [str(p) for p in loc]
    kept = [
        part
        for i, part in enumerate(parts)
        if not (part in TOOL_TYPES and i >= 2 and parts[i - 2] == "tools")
    ]
    return ".".join(kept) or None

"""Path and query parameters checked before any query (docs/decisions.md#bad-input-is-400).

Postgres refuses NUL in text, so `%00` in an id or a cursor that reached a query was a
500. Every path and query parameter of the `/v1` routers that use `checked_parameters`
is refused with 400 `invalid_request` (`param` = its name) when it holds a control
character, and a session id of the wrong shape is 404 without a query. Runs after
authentication (401 comes first, as for bodies).
"""

from __future__ import annotations

from fastapi import Request

from callwright_issuer.http.deps import CurrentKey, OperatorDep
from callwright_shared.errors import InvalidRequestError, SessionNotFoundError
from callwright_shared.ids import SESSION_ID_PATTERN
from callwright_shared.text import has_control_characters


async def checked_parameters(request: Request, _key: CurrentKey) -> None:
    _check(request)


async def checked_operator_parameters(request: Request, _operator: OperatorDep) -> None:
    """The same checks for the operator API, after its token (401 first)."""
    _check(request)


def _check(request: Request) -> None:
    parameters = [*request.path_params.items(), *request.query_params.multi_items()]
    for name, value in parameters:
        if has_control_characters(name):
            raise InvalidRequestError("A parameter name contains control characters.")
        if has_control_characters(str(value)):
            raise InvalidRequestError(f"{name}: must not contain control characters", param=name)
    session_id = request.path_params.get("session_id")
    if session_id is not None and not SESSION_ID_PATTERN.fullmatch(session_id):
        raise SessionNotFoundError(f"No session with id '{session_id[:60]}'.")

import datetime
from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.end_reason import EndReason
from ...models.error_body import ErrorBody
from ...models.session_kind import SessionKind
from ...models.session_list import SessionList
from ...models.session_status import SessionStatus
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    limit: int | Unset = 20,
    starting_after: None | str | Unset = UNSET,
    agent_id: None | str | Unset = UNSET,
    kind: None | SessionKind | Unset = UNSET,
    status: None | SessionStatus | Unset = UNSET,
    end_reason: EndReason | None | Unset = UNSET,
    from_: datetime.datetime | None | Unset = UNSET,
    to: datetime.datetime | None | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["limit"] = limit

    json_starting_after: str | Unset | None
    if isinstance(starting_after, Unset):
        json_starting_after = UNSET
    else:
        json_starting_after = starting_after
    params["starting_after"] = json_starting_after

    json_agent_id: str | Unset | None
    if isinstance(agent_id, Unset):
        json_agent_id = UNSET
    else:
        json_agent_id = agent_id
    params["agent_id"] = json_agent_id

    json_kind: str | Unset | None
    if isinstance(kind, Unset):
        json_kind = UNSET
    elif isinstance(kind, SessionKind):
        json_kind = kind.value
    else:
        json_kind = kind
    params["kind"] = json_kind

    json_status: str | Unset | None
    if isinstance(status, Unset):
        json_status = UNSET
    elif isinstance(status, SessionStatus):
        json_status = status.value
    else:
        json_status = status
    params["status"] = json_status

    json_end_reason: str | Unset | None
    if isinstance(end_reason, Unset):
        json_end_reason = UNSET
    elif isinstance(end_reason, EndReason):
        json_end_reason = end_reason.value
    else:
        json_end_reason = end_reason
    params["end_reason"] = json_end_reason

    json_from_: str | Unset | None
    if isinstance(from_, Unset):
        json_from_ = UNSET
    elif isinstance(from_, datetime.datetime):
        json_from_ = from_.isoformat()
    else:
        json_from_ = from_
    params["from"] = json_from_

    json_to: str | Unset | None
    if isinstance(to, Unset):
        json_to = UNSET
    elif isinstance(to, datetime.datetime):
        json_to = to.isoformat()
    else:
        json_to = to
    params["to"] = json_to

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/sessions",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | SessionList | None:
    if response.status_code == 200:
        response_200 = SessionList.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = ErrorBody.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorBody.from_dict(response.json())

        return response_401

    if response.status_code == 404:
        response_404 = ErrorBody.from_dict(response.json())

        return response_404

    if response.status_code == 429:
        response_429 = ErrorBody.from_dict(response.json())

        return response_429

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ErrorBody | SessionList]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 20,
    starting_after: None | str | Unset = UNSET,
    agent_id: None | str | Unset = UNSET,
    kind: None | SessionKind | Unset = UNSET,
    status: None | SessionStatus | Unset = UNSET,
    end_reason: EndReason | None | Unset = UNSET,
    from_: datetime.datetime | None | Unset = UNSET,
    to: datetime.datetime | None | Unset = UNSET,
) -> Response[ErrorBody | SessionList]:
    """List Sessions

     Every filter given must match: `agent_id`, `kind`, `status`, `end_reason`, and
    `created_at` in [from, to) (ISO 8601, UTC when no offset; either may be left out).
    `starting_after` is the previous page's last id, with the same filters.

    Args:
        limit (int | Unset):  Default: 20.
        starting_after (None | str | Unset):
        agent_id (None | str | Unset):
        kind (None | SessionKind | Unset):
        status (None | SessionStatus | Unset):
        end_reason (EndReason | None | Unset):
        from_ (datetime.datetime | None | Unset):
        to (datetime.datetime | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | SessionList]
    """

    kwargs = _get_kwargs(
        limit=limit,
        starting_after=starting_after,
        agent_id=agent_id,
        kind=kind,
        status=status,
        end_reason=end_reason,
        from_=from_,
        to=to,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 20,
    starting_after: None | str | Unset = UNSET,
    agent_id: None | str | Unset = UNSET,
    kind: None | SessionKind | Unset = UNSET,
    status: None | SessionStatus | Unset = UNSET,
    end_reason: EndReason | None | Unset = UNSET,
    from_: datetime.datetime | None | Unset = UNSET,
    to: datetime.datetime | None | Unset = UNSET,
) -> ErrorBody | SessionList | None:
    """List Sessions

     Every filter given must match: `agent_id`, `kind`, `status`, `end_reason`, and
    `created_at` in [from, to) (ISO 8601, UTC when no offset; either may be left out).
    `starting_after` is the previous page's last id, with the same filters.

    Args:
        limit (int | Unset):  Default: 20.
        starting_after (None | str | Unset):
        agent_id (None | str | Unset):
        kind (None | SessionKind | Unset):
        status (None | SessionStatus | Unset):
        end_reason (EndReason | None | Unset):
        from_ (datetime.datetime | None | Unset):
        to (datetime.datetime | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | SessionList
    """

    return sync_detailed(
        client=client,
        limit=limit,
        starting_after=starting_after,
        agent_id=agent_id,
        kind=kind,
        status=status,
        end_reason=end_reason,
        from_=from_,
        to=to,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 20,
    starting_after: None | str | Unset = UNSET,
    agent_id: None | str | Unset = UNSET,
    kind: None | SessionKind | Unset = UNSET,
    status: None | SessionStatus | Unset = UNSET,
    end_reason: EndReason | None | Unset = UNSET,
    from_: datetime.datetime | None | Unset = UNSET,
    to: datetime.datetime | None | Unset = UNSET,
) -> Response[ErrorBody | SessionList]:
    """List Sessions

     Every filter given must match: `agent_id`, `kind`, `status`, `end_reason`, and
    `created_at` in [from, to) (ISO 8601, UTC when no offset; either may be left out).
    `starting_after` is the previous page's last id, with the same filters.

    Args:
        limit (int | Unset):  Default: 20.
        starting_after (None | str | Unset):
        agent_id (None | str | Unset):
        kind (None | SessionKind | Unset):
        status (None | SessionStatus | Unset):
        end_reason (EndReason | None | Unset):
        from_ (datetime.datetime | None | Unset):
        to (datetime.datetime | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | SessionList]
    """

    kwargs = _get_kwargs(
        limit=limit,
        starting_after=starting_after,
        agent_id=agent_id,
        kind=kind,
        status=status,
        end_reason=end_reason,
        from_=from_,
        to=to,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 20,
    starting_after: None | str | Unset = UNSET,
    agent_id: None | str | Unset = UNSET,
    kind: None | SessionKind | Unset = UNSET,
    status: None | SessionStatus | Unset = UNSET,
    end_reason: EndReason | None | Unset = UNSET,
    from_: datetime.datetime | None | Unset = UNSET,
    to: datetime.datetime | None | Unset = UNSET,
) -> ErrorBody | SessionList | None:
    """List Sessions

     Every filter given must match: `agent_id`, `kind`, `status`, `end_reason`, and
    `created_at` in [from, to) (ISO 8601, UTC when no offset; either may be left out).
    `starting_after` is the previous page's last id, with the same filters.

    Args:
        limit (int | Unset):  Default: 20.
        starting_after (None | str | Unset):
        agent_id (None | str | Unset):
        kind (None | SessionKind | Unset):
        status (None | SessionStatus | Unset):
        end_reason (EndReason | None | Unset):
        from_ (datetime.datetime | None | Unset):
        to (datetime.datetime | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | SessionList
    """

    return (
        await asyncio_detailed(
            client=client,
            limit=limit,
            starting_after=starting_after,
            agent_id=agent_id,
            kind=kind,
            status=status,
            end_reason=end_reason,
            from_=from_,
            to=to,
        )
    ).parsed

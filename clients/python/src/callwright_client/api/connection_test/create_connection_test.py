from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.connection_test_public import ConnectionTestPublic
from ...models.error_body import ErrorBody
from ...types import Response


def _get_kwargs() -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/connection-test",
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ConnectionTestPublic | ErrorBody | None:
    if response.status_code == 200:
        response_200 = ConnectionTestPublic.from_dict(response.json())

        return response_200

    if response.status_code == 401:
        response_401 = ErrorBody.from_dict(response.json())

        return response_401

    if response.status_code == 429:
        response_429 = ErrorBody.from_dict(response.json())

        return response_429

    if response.status_code == 503:
        response_503 = ErrorBody.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ConnectionTestPublic | ErrorBody]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
) -> Response[ConnectionTestPublic | ErrorBody]:
    """Create Connection Test

     A room with no agent and a participant token valid for two minutes, for
    livekit-client's `ConnectionCheck` (signal, WebRTC, TURN, publishing audio). No session
    is created and nothing is charged; LiveKit closes the room soon after the check leaves
    it. Rate-limited per API key: 429 `rate_limited` with Retry-After.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ConnectionTestPublic | ErrorBody]
    """

    kwargs = _get_kwargs()

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
) -> ConnectionTestPublic | ErrorBody | None:
    """Create Connection Test

     A room with no agent and a participant token valid for two minutes, for
    livekit-client's `ConnectionCheck` (signal, WebRTC, TURN, publishing audio). No session
    is created and nothing is charged; LiveKit closes the room soon after the check leaves
    it. Rate-limited per API key: 429 `rate_limited` with Retry-After.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ConnectionTestPublic | ErrorBody
    """

    return sync_detailed(
        client=client,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
) -> Response[ConnectionTestPublic | ErrorBody]:
    """Create Connection Test

     A room with no agent and a participant token valid for two minutes, for
    livekit-client's `ConnectionCheck` (signal, WebRTC, TURN, publishing audio). No session
    is created and nothing is charged; LiveKit closes the room soon after the check leaves
    it. Rate-limited per API key: 429 `rate_limited` with Retry-After.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ConnectionTestPublic | ErrorBody]
    """

    kwargs = _get_kwargs()

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
) -> ConnectionTestPublic | ErrorBody | None:
    """Create Connection Test

     A room with no agent and a participant token valid for two minutes, for
    livekit-client's `ConnectionCheck` (signal, WebRTC, TURN, publishing audio). No session
    is created and nothing is charged; LiveKit closes the room soon after the check leaves
    it. Rate-limited per API key: 429 `rate_limited` with Retry-After.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ConnectionTestPublic | ErrorBody
    """

    return (
        await asyncio_detailed(
            client=client,
        )
    ).parsed

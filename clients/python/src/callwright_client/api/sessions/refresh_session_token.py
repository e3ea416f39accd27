from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.voice_session_created import VoiceSessionCreated
from ...types import Response


def _get_kwargs(
    session_id: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/sessions/{session_id}/token".format(
            session_id=quote(str(session_id), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | VoiceSessionCreated | None:
    if response.status_code == 200:
        response_200 = VoiceSessionCreated.from_dict(response.json())

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

    if response.status_code == 409:
        response_409 = ErrorBody.from_dict(response.json())

        return response_409

    if response.status_code == 429:
        response_429 = ErrorBody.from_dict(response.json())

        return response_429

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ErrorBody | VoiceSessionCreated]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    session_id: str,
    *,
    client: AuthenticatedClient,
) -> Response[ErrorBody | VoiceSessionCreated]:
    """Token

     A fresh participant token for the same room and user while the session is
    `created` or `active` (a reload, a second device, a dropped network: the worker waits
    CALLWRIGHT_REJOIN_GRACE_SECONDS for the user); 409 `session_ended` after that. The
    session's time limit and hold are unchanged. Only a key of the session's user may
    ask (another user's session is 404), and it is rate-limited per key.

    Args:
        session_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | VoiceSessionCreated]
    """

    kwargs = _get_kwargs(
        session_id=session_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    session_id: str,
    *,
    client: AuthenticatedClient,
) -> ErrorBody | VoiceSessionCreated | None:
    """Token

     A fresh participant token for the same room and user while the session is
    `created` or `active` (a reload, a second device, a dropped network: the worker waits
    CALLWRIGHT_REJOIN_GRACE_SECONDS for the user); 409 `session_ended` after that. The
    session's time limit and hold are unchanged. Only a key of the session's user may
    ask (another user's session is 404), and it is rate-limited per key.

    Args:
        session_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | VoiceSessionCreated
    """

    return sync_detailed(
        session_id=session_id,
        client=client,
    ).parsed


async def asyncio_detailed(
    session_id: str,
    *,
    client: AuthenticatedClient,
) -> Response[ErrorBody | VoiceSessionCreated]:
    """Token

     A fresh participant token for the same room and user while the session is
    `created` or `active` (a reload, a second device, a dropped network: the worker waits
    CALLWRIGHT_REJOIN_GRACE_SECONDS for the user); 409 `session_ended` after that. The
    session's time limit and hold are unchanged. Only a key of the session's user may
    ask (another user's session is 404), and it is rate-limited per key.

    Args:
        session_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | VoiceSessionCreated]
    """

    kwargs = _get_kwargs(
        session_id=session_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    session_id: str,
    *,
    client: AuthenticatedClient,
) -> ErrorBody | VoiceSessionCreated | None:
    """Token

     A fresh participant token for the same room and user while the session is
    `created` or `active` (a reload, a second device, a dropped network: the worker waits
    CALLWRIGHT_REJOIN_GRACE_SECONDS for the user); 409 `session_ended` after that. The
    session's time limit and hold are unchanged. Only a key of the session's user may
    ask (another user's session is 404), and it is rate-limited per key.

    Args:
        session_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | VoiceSessionCreated
    """

    return (
        await asyncio_detailed(
            session_id=session_id,
            client=client,
        )
    ).parsed

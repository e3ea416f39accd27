from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.webhook_endpoint_public import WebhookEndpointPublic
from ...models.webhook_endpoint_update import WebhookEndpointUpdate
from ...types import Response


def _get_kwargs(
    endpoint_id: str,
    *,
    body: WebhookEndpointUpdate,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "patch",
        "url": "/v1/webhook-endpoints/{endpoint_id}".format(
            endpoint_id=quote(str(endpoint_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | WebhookEndpointPublic | None:
    if response.status_code == 200:
        response_200 = WebhookEndpointPublic.from_dict(response.json())

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

    if response.status_code == 413:
        response_413 = ErrorBody.from_dict(response.json())

        return response_413

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ErrorBody | WebhookEndpointPublic]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    endpoint_id: str,
    *,
    client: AuthenticatedClient,
    body: WebhookEndpointUpdate,
) -> Response[ErrorBody | WebhookEndpointPublic]:
    """Update Webhook Endpoint

    Args:
        endpoint_id (str):
        body (WebhookEndpointUpdate): The body of PATCH /v1/webhook-endpoints/{id}: any subset;
            `agent_id: null` clears the
            filter, `enabled: true` re-enables an endpoint that was disabled.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | WebhookEndpointPublic]
    """

    kwargs = _get_kwargs(
        endpoint_id=endpoint_id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    endpoint_id: str,
    *,
    client: AuthenticatedClient,
    body: WebhookEndpointUpdate,
) -> ErrorBody | WebhookEndpointPublic | None:
    """Update Webhook Endpoint

    Args:
        endpoint_id (str):
        body (WebhookEndpointUpdate): The body of PATCH /v1/webhook-endpoints/{id}: any subset;
            `agent_id: null` clears the
            filter, `enabled: true` re-enables an endpoint that was disabled.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | WebhookEndpointPublic
    """

    return sync_detailed(
        endpoint_id=endpoint_id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    endpoint_id: str,
    *,
    client: AuthenticatedClient,
    body: WebhookEndpointUpdate,
) -> Response[ErrorBody | WebhookEndpointPublic]:
    """Update Webhook Endpoint

    Args:
        endpoint_id (str):
        body (WebhookEndpointUpdate): The body of PATCH /v1/webhook-endpoints/{id}: any subset;
            `agent_id: null` clears the
            filter, `enabled: true` re-enables an endpoint that was disabled.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | WebhookEndpointPublic]
    """

    kwargs = _get_kwargs(
        endpoint_id=endpoint_id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    endpoint_id: str,
    *,
    client: AuthenticatedClient,
    body: WebhookEndpointUpdate,
) -> ErrorBody | WebhookEndpointPublic | None:
    """Update Webhook Endpoint

    Args:
        endpoint_id (str):
        body (WebhookEndpointUpdate): The body of PATCH /v1/webhook-endpoints/{id}: any subset;
            `agent_id: null` clears the
            filter, `enabled: true` re-enables an endpoint that was disabled.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | WebhookEndpointPublic
    """

    return (
        await asyncio_detailed(
            endpoint_id=endpoint_id,
            client=client,
            body=body,
        )
    ).parsed

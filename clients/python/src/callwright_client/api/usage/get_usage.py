import datetime
from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.get_usage_group_by import GetUsageGroupBy
from ...models.usage_report import UsageReport
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    from_: datetime.datetime | None | Unset = UNSET,
    to: datetime.datetime | None | Unset = UNSET,
    group_by: GetUsageGroupBy | Unset = GetUsageGroupBy.DAY,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

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

    json_group_by: str | Unset = UNSET
    if not isinstance(group_by, Unset):
        json_group_by = group_by.value

    params["group_by"] = json_group_by

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/usage",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | UsageReport | None:
    if response.status_code == 200:
        response_200 = UsageReport.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = ErrorBody.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorBody.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = ErrorBody.from_dict(response.json())

        return response_403

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ErrorBody | UsageReport]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    from_: datetime.datetime | None | Unset = UNSET,
    to: datetime.datetime | None | Unset = UNSET,
    group_by: GetUsageGroupBy | Unset = GetUsageGroupBy.DAY,
) -> Response[ErrorBody | UsageReport]:
    """Get Usage

     Usage in [from, to) (ISO 8601, UTC when no offset; either may be left out), by UTC
    day or by agent: credits captured (the ledger's captures), voice seconds (of the
    calls settled in the range), chat messages charged, post-call analyses. `total` is
    the sum of the groups and equals the ledger's captures in the range.

    Args:
        from_ (datetime.datetime | None | Unset):
        to (datetime.datetime | None | Unset):
        group_by (GetUsageGroupBy | Unset):  Default: GetUsageGroupBy.DAY.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | UsageReport]
    """

    kwargs = _get_kwargs(
        from_=from_,
        to=to,
        group_by=group_by,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    from_: datetime.datetime | None | Unset = UNSET,
    to: datetime.datetime | None | Unset = UNSET,
    group_by: GetUsageGroupBy | Unset = GetUsageGroupBy.DAY,
) -> ErrorBody | UsageReport | None:
    """Get Usage

     Usage in [from, to) (ISO 8601, UTC when no offset; either may be left out), by UTC
    day or by agent: credits captured (the ledger's captures), voice seconds (of the
    calls settled in the range), chat messages charged, post-call analyses. `total` is
    the sum of the groups and equals the ledger's captures in the range.

    Args:
        from_ (datetime.datetime | None | Unset):
        to (datetime.datetime | None | Unset):
        group_by (GetUsageGroupBy | Unset):  Default: GetUsageGroupBy.DAY.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | UsageReport
    """

    return sync_detailed(
        client=client,
        from_=from_,
        to=to,
        group_by=group_by,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    from_: datetime.datetime | None | Unset = UNSET,
    to: datetime.datetime | None | Unset = UNSET,
    group_by: GetUsageGroupBy | Unset = GetUsageGroupBy.DAY,
) -> Response[ErrorBody | UsageReport]:
    """Get Usage

     Usage in [from, to) (ISO 8601, UTC when no offset; either may be left out), by UTC
    day or by agent: credits captured (the ledger's captures), voice seconds (of the
    calls settled in the range), chat messages charged, post-call analyses. `total` is
    the sum of the groups and equals the ledger's captures in the range.

    Args:
        from_ (datetime.datetime | None | Unset):
        to (datetime.datetime | None | Unset):
        group_by (GetUsageGroupBy | Unset):  Default: GetUsageGroupBy.DAY.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | UsageReport]
    """

    kwargs = _get_kwargs(
        from_=from_,
        to=to,
        group_by=group_by,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    from_: datetime.datetime | None | Unset = UNSET,
    to: datetime.datetime | None | Unset = UNSET,
    group_by: GetUsageGroupBy | Unset = GetUsageGroupBy.DAY,
) -> ErrorBody | UsageReport | None:
    """Get Usage

     Usage in [from, to) (ISO 8601, UTC when no offset; either may be left out), by UTC
    day or by agent: credits captured (the ledger's captures), voice seconds (of the
    calls settled in the range), chat messages charged, post-call analyses. `total` is
    the sum of the groups and equals the ledger's captures in the range.

    Args:
        from_ (datetime.datetime | None | Unset):
        to (datetime.datetime | None | Unset):
        group_by (GetUsageGroupBy | Unset):  Default: GetUsageGroupBy.DAY.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | UsageReport
    """

    return (
        await asyncio_detailed(
            client=client,
            from_=from_,
            to=to,
            group_by=group_by,
        )
    ).parsed

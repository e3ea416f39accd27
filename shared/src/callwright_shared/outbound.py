"""Requests callwright sends to URLs its tenants chose (webhooks, tools): the address policy.

Outbound requests never follow redirects and refuse private, loopback and
link-local addresses unless the operator allows them (`CALLWRIGHT_OUTBOUND_ALLOW_PRIVATE`,
for a receiver on the same network or a test's loopback receiver).

- `check_url` when a URL is saved: scheme, host, and the address when the host is one.
- `send` (and `post`) when a request is sent: resolves again, checks every address, and
  connects to the checked address itself (the Host header and TLS name stay the URL's),
  so a second DNS answer cannot swap in a private address (DNS rebinding). Redirects are
  answers, never followed; the body read back is bounded, decoded included (only
  `identity` is asked for; gzip or deflate is decoded up to the bound, another
  encoding is refused).
- `signature_headers`: the Standard Webhooks signature both webhooks and tools carry
  (`webhook-id`, `webhook-timestamp`, `webhook-signature`: `v1,<base64 HMAC-SHA256>` of
  `id.timestamp.body` per secret, space-separated), with secrets from `new_signing_secret`.
"""

from __future__ import annotations

import asyncio
import base64
import ipaddress
import secrets
import socket
import time
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from urllib.parse import SplitResult, urlsplit

import httpx
from standardwebhooks import Webhook

from callwright_shared.errors import OutboundAddressError

_SCHEMES = {"http": 80, "https": 443}
_REFUSED = "url: a private, loopback or link-local address (not allowed by the operator)"
_PORT_REFUSED = "url: port {port} is not allowed (80 and 443 only, but on the operator's network)"
IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Method = Literal["GET", "POST", "PUT", "PATCH", "DELETE"]


def new_signing_secret() -> str:
    """`whsec_` + 32 random bytes, base64: the Standard Webhooks secret format."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def signature_headers(
    message_id: str, body: str, keys: Sequence[str], *, at: datetime
) -> dict[str, str]:
    """The three Standard Webhooks headers, signed by every key (receivers accept any)."""
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": " ".join(Webhook(key).sign(message_id, at, body) for key in keys),
    }


@dataclass(frozen=True, slots=True)
class OutboundResponse:
    status_code: int
    headers: httpx.Headers
    excerpt: str
    latency_ms: int
    # The bytes read back (at most `excerpt_bytes`), for a caller that parses them.
    body: bytes = b""


def new_client() -> httpx.AsyncClient:
    """One per process (opened in the issuer's lifespan): no redirects, no proxy from the
    environment (a proxy would bypass the address check), and no connection kept for a
    next request: requests go to the pinned address, and httpcore pools by address, not
    by name, so a kept TLS connection verified for one tenant's host would carry another
    tenant's request to a second name at the same address
    (docs/security.md#no-kept-connections)."""
    return httpx.AsyncClient(
        follow_redirects=False,
        trust_env=False,
        limits=httpx.Limits(max_keepalive_connections=0),
    )


Network = ipaddress.IPv4Network | ipaddress.IPv6Network
# The operator's "allow private": False (none), True (`PRIVATE_NETWORKS`), or its own CIDRs.
AllowPrivate = bool | Sequence[Network]
# What "allow private" opens when it is just true: RFC 1918, loopback, unique local.
PRIVATE_NETWORKS: tuple[Network, ...] = tuple(
    ipaddress.ip_network(n)
    for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8", "::1/128", "fc00::/7")
)
# Never reached, whatever the operator allows: "this network", link-local (cloud metadata
# at 169.254.169.254), AWS's IPv6 metadata, Alibaba's metadata, the local-use NAT64
# prefix (its IPv4 layout is the site's choice, so what it reaches cannot be told),
# multicast and broadcast.
NEVER_NETWORKS: tuple[Network, ...] = tuple(
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8",
        "169.254.0.0/16",
        "100.100.100.200/32",
        "224.0.0.0/4",
        "255.255.255.255/32",
        "::/128",
        "fe80::/10",
        "fd00:ec2::/32",
        "64:ff9b:1::/48",
        "ff00::/8",
    )
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_SIIT = ipaddress.ip_network("::ffff:0:0:0/96")
_COMPATIBLE = ipaddress.ip_network("::/96")
# Reached on these ports only, unless the address is on an allowed private network.
_PORTS = frozenset(_SCHEMES.values())


def _private_networks(allow_private: AllowPrivate) -> Sequence[Network]:
    if allow_private is True:
        return PRIVATE_NETWORKS
    if allow_private is False:
        return ()
    return allow_private


def reached(address: IpAddress) -> list[IpAddress]:
    """The addresses a packet to `address` ends at: the IPv4 address an IPv6 one carries
    (mapped, compatible, SIIT, NAT64, 6to4; Teredo's server and client), else itself."""
    if isinstance(address, ipaddress.IPv4Address):
        return [address]
    low = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.ipv4_mapped is not None:
        return [address.ipv4_mapped]
    if address in _SIIT or address in _NAT64:
        return [low]
    if address in _COMPATIBLE and int(address) > 1:  # not :: or ::1
        return [low]
    if address.sixtofour is not None:
        return [address.sixtofour]
    if address.teredo is not None:
        return list(address.teredo)
    return [address]


def _on(address: IpAddress, networks: Sequence[Network]) -> bool:
    return any(address.version == n.version and address in n for n in networks)


def is_allowed_address(address: IpAddress, *, allow_private: AllowPrivate) -> bool:
    """Public, or on a private network the operator allows; never `NEVER_NETWORKS`,
    checked on the address and on the IPv4 address it carries (see
    docs/security.md#outbound-address-policy)."""
    private = _private_networks(allow_private)
    for target in {address, *reached(address)}:
        if _on(target, NEVER_NETWORKS):
            return False
    for target in reached(address):
        if _on(target, private):
            continue
        if not target.is_global or target.is_multicast:
            return False
    return True


def _allowed_port(port: int, addresses: Sequence[IpAddress], allow_private: AllowPrivate) -> bool:
    """80 and 443 anywhere; any port on an allowed private network (a receiver on the
    operator's own network, a test's loopback server)."""
    if port in _PORTS:
        return True
    private = _private_networks(allow_private)
    return bool(addresses) and all(
        all(_on(t, private) for t in reached(address)) for address in addresses
    )


def _parse(url: str) -> tuple[SplitResult, str, int]:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise OutboundAddressError("url: not a valid URL", param="url") from None
    if parts.scheme not in _SCHEMES:
        raise OutboundAddressError("url: must be an http or https URL", param="url")
    if not parts.hostname:
        raise OutboundAddressError("url: has no host", param="url")
    if parts.username is not None or parts.password is not None:
        raise OutboundAddressError("url: must not hold credentials", param="url")
    return parts, parts.hostname, port or _SCHEMES[parts.scheme]


async def resolve(url: str, *, allow_private: AllowPrivate) -> list[IpAddress]:
    """Every address the URL's host resolves to, each checked; refused if any is refused
    (a host with one public and one private address would be a coin toss)."""
    _, host, port = _parse(url)
    try:
        literal: IpAddress | None = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        addresses = [literal]
    else:
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(
                host, port, type=socket.SOCK_STREAM
            )
        except (socket.gaierror, UnicodeError):
            raise OutboundAddressError("url: the host does not resolve", param="url") from None
        addresses = list(dict.fromkeys(ipaddress.ip_address(info[4][0]) for info in infos))
    if not addresses:
        raise OutboundAddressError("url: the host does not resolve", param="url")
    for address in addresses:
        if not is_allowed_address(address, allow_private=allow_private):
            raise OutboundAddressError(_REFUSED, param="url")
    if not _allowed_port(port, addresses, allow_private):
        raise OutboundAddressError(_PORT_REFUSED.format(port=port), param="url")
    return addresses


def check_url(url: str, *, allow_private: AllowPrivate) -> None:
    """At save time: the shape, and the host when it is an address or `localhost`. A name
    is not resolved here (its DNS may not exist yet); `post` resolves and checks it."""
    _, host, port = _parse(url)
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        if not is_allowed_address(literal, allow_private=allow_private):
            raise OutboundAddressError(_REFUSED, param="url")
        if not _allowed_port(port, [literal], allow_private):
            raise OutboundAddressError(_PORT_REFUSED.format(port=port), param="url")
        return
    if allow_private:
        return  # a name may be on the operator's network: checked when sent
    if port not in _PORTS:
        raise OutboundAddressError(_PORT_REFUSED.format(port=port), param="url")
    name = host.lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        raise OutboundAddressError(_REFUSED, param="url")


async def post(
    client: httpx.AsyncClient,
    url: str,
    *,
    content: bytes,
    headers: dict[str, str],
    timeout_seconds: float,
    allow_private: AllowPrivate,
    excerpt_bytes: int = 1024,
) -> OutboundResponse:
    """POST to the first checked address (see `send`)."""
    return await send(
        client,
        "POST",
        url,
        content=content,
        headers=headers,
        timeout_seconds=timeout_seconds,
        allow_private=allow_private,
        excerpt_bytes=excerpt_bytes,
    )


async def send(
    client: httpx.AsyncClient,
    method: Method,
    url: str,
    *,
    content: bytes | None = None,
    headers: dict[str, str],
    timeout_seconds: float,
    allow_private: AllowPrivate,
    excerpt_bytes: int = 1024,
) -> OutboundResponse:
    """Send to the first checked address; raises OutboundAddressError or httpx.HTTPError
    (TimeoutError past `timeout_seconds`).

    `timeout_seconds` bounds the whole
    exchange (httpx's own timeouts are per read, so a receiver dripping bytes could hold
    a request for ever)."""
    parts, host, port = _parse(url)
    started = time.perf_counter()
    # The deadline covers name resolution too: a black-holed nameserver is one slow receiver.
    async with asyncio.timeout(timeout_seconds):
        address = (await resolve(url, allow_private=allow_private))[0]
        netloc = f"[{address}]" if address.version == 6 else str(address)
        pinned = parts._replace(netloc=f"{netloc}:{port}").geturl()
        default_port = _SCHEMES[parts.scheme] == port
        request_headers = {
            **{k: v for k, v in headers.items() if k.lower() != "accept-encoding"},
            # Only identity is asked for: a compressed answer is decoded by `_read_bounded`.
            "Accept-Encoding": "identity",
            "Host": host if default_port else f"{host}:{port}",
        }
        extensions = {"sni_hostname": host} if parts.scheme == "https" else {}
        request = client.build_request(
            method,
            pinned,
            content=content,
            headers=request_headers,
            timeout=timeout_seconds,
            extensions=extensions,
        )
        response = await client.send(request, stream=True)
        try:
            body = await _read_bounded(response, excerpt_bytes)
        finally:
            await response.aclose()
    return OutboundResponse(
        status_code=response.status_code,
        headers=response.headers,
        # NUL replaced: Postgres text cannot hold it, and the excerpt is stored.
        excerpt=body[:excerpt_bytes].decode("utf-8", errors="replace").replace("\x00", "\ufffd"),
        latency_ms=round((time.perf_counter() - started) * 1000),
        body=body[:excerpt_bytes],
    )


# zlib's window bits: 47 reads a gzip or a zlib header, -15 raw deflate.
_DECODERS = {"gzip": 47, "x-gzip": 47, "deflate": 47}


async def _read_bounded(response: httpx.Response, limit: int) -> bytes:
    """At most `limit` bytes of the body, decoded. httpx's own decoding hands over each
    network read decoded in one piece (64 KB of gzip is 64 MB), so the raw bytes are read
    and decoded here, never more than `limit` out (see
    docs/security.md#bounded-decoding). An
    encoding zlib cannot bound (br, zstd, several stacked) raises httpx.DecodingError."""
    if limit <= 0:
        return b""  # decompress's max_length 0 would mean no bound at all
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    if encoding in ("", "identity"):
        decoder = None
    elif encoding in _DECODERS:
        decoder = zlib.decompressobj(_DECODERS[encoding])
    else:
        raise httpx.DecodingError(f"unsupported content-encoding {encoding[:40]!r}")
    body = b""
    async for chunk in response.aiter_raw():
        if decoder is not None:
            try:
                # max_length bounds the output; the input left over is never needed.
                chunk = decoder.decompress(chunk, limit - len(body))
            except zlib.error as exc:
                raise httpx.DecodingError(f"invalid {encoding} body: {exc}") from None
        body += chunk
        if len(body) >= limit:
            break
    return body

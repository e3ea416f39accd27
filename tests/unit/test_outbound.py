"""The outbound address policy (callwright_shared.outbound) on addresses and URLs alone
(no DNS, no network), and what a send reads back from a loopback server."""

from __future__ import annotations

import asyncio
import ipaddress
import tracemalloc
import zlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from callwright_devstack.services.tool_server import Answer, ToolServer
from callwright_shared import outbound
from callwright_shared.errors import OutboundAddressError

pytestmark = pytest.mark.unit

REFUSED = [
    "127.0.0.1",
    "10.0.0.8",
    "172.16.3.4",
    "192.168.1.1",
    "169.254.169.254",  # cloud metadata
    "100.64.0.1",  # carrier-grade NAT
    "0.0.0.0",
    "224.0.0.1",
    "::1",
    "fe80::1",
    "fc00::1",
    "::ffff:127.0.0.1",  # IPv4-mapped loopback
    "::ffff:10.0.0.1",
]
PUBLIC = ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111"]


@pytest.mark.parametrize("address", REFUSED)
def test_private_loopback_and_link_local_addresses_are_refused(address: str) -> None:
    ip = ipaddress.ip_address(address)
    assert not outbound.is_allowed_address(ip, allow_private=False)


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_are_allowed(address: str) -> None:
    assert outbound.is_allowed_address(ipaddress.ip_address(address), allow_private=False)


def test_the_operator_may_allow_private_addresses() -> None:
    assert outbound.is_allowed_address(ipaddress.ip_address("127.0.0.1"), allow_private=True)
    assert outbound.is_allowed_address(ipaddress.ip_address("10.0.0.8"), allow_private=True)


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/x",
        "file:///etc/passwd",
        "https:///nohost",
        "https://user:pass@example.com/",
        "https://example.com:99999/",
        "http://localhost:8000/",
        "http://api.localhost/",
        "http://127.0.0.1/",
        "http://[::1]:8080/",
    ],
)
def test_urls_refused_when_saved(url: str) -> None:
    with pytest.raises(OutboundAddressError) as refused:
        outbound.check_url(url, allow_private=False)
    assert refused.value.param == "url"


def test_a_public_name_is_checked_when_sent_not_when_saved() -> None:
    outbound.check_url("https://hooks.example.com/callwright", allow_private=False)
    outbound.check_url("http://127.0.0.1:8080/hooks", allow_private=True)


async def test_a_name_resolving_to_loopback_is_refused_when_sent() -> None:
    # `localhost` resolves from /etc/hosts: no DNS server involved.
    with pytest.raises(OutboundAddressError):
        await outbound.resolve("http://localhost:1/", allow_private=False)
    addresses = await outbound.resolve("http://localhost:1/", allow_private=True)
    assert addresses and all(a.is_loopback for a in addresses)


# -- what is read back ----------------------------------------------------------------------

BOMB_BYTES = 64 << 20


def gzip_bomb() -> bytes:
    """64 MB of zeros, gzipped (about 64 KB), built a megabyte at a time."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = bytes(1 << 20)
    return b"".join(packer.compress(zeros) for _ in range(BOMB_BYTES >> 20)) + packer.flush()


@pytest.fixture
async def bomb_server() -> AsyncIterator[ToolServer]:
    async with ToolServer(secret=outbound.new_signing_secret()) as running:
        # The server gzips whatever the request asked for (a hostile or careless one).
        running.answer(
            "/bomb",
            Answer(
                body=gzip_bomb(), content_type="text/plain", headers={"Content-Encoding": "gzip"}
            ),
        )
        yield running


async def test_a_compressed_answer_is_decoded_only_up_to_the_cap(bomb_server: ToolServer) -> None:
    tracemalloc.start()
    try:
        async with outbound.new_client() as client:
            response = await outbound.post(
                client,
                bomb_server.url("/bomb"),
                content=b"{}",
                headers={},
                timeout_seconds=30,
                allow_private=True,
                excerpt_bytes=4096,
            )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert response.status_code == 200
    assert response.body == bytes(4096)
    assert len(response.excerpt.encode()) <= 4096 * 3  # NUL shown as U+FFFD
    # Decoding the whole answer would hold 64 MB at once; the bound leaves room for the
    # client, the loopback server and the 64 KB read off the wire.
    assert peak < 16 << 20, f"peak {peak} bytes"
    (request,) = bomb_server.to("/bomb")
    assert request.headers["accept-encoding"] == "identity"


async def test_an_encoding_that_cannot_be_bounded_is_refused(bomb_server: ToolServer) -> None:
    url = bomb_server.answer("/br", Answer(body=b"\x1b\x00", headers={"Content-Encoding": "br"}))
    async with outbound.new_client() as client:
        with pytest.raises(httpx.DecodingError):
            await outbound.post(
                client, url, content=b"{}", headers={}, timeout_seconds=30, allow_private=True
            )


# -- the address policy: embedded IPv4, what is never allowed, ports ------------------------

# IPv6 forms that carry an IPv4 address a host may reach through it (NAT64, 6to4, SIIT,
# Teredo): each is judged by the IPv4 inside.
EMBEDDED_PRIVATE = [
    "::127.0.0.1",  # IPv4-compatible
    "::ffff:0:7f00:1",  # SIIT
    "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
    "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
    "64:ff9b:1::7f00:1",  # local-use NAT64
    "2002:7f00:1::",  # 6to4 of 127.0.0.1
    "2002:a9fe:a9fe::1",  # 6to4 of 169.254.169.254
    "2001:0:4136:e378:8000:63bf:f5ff:fffe",  # Teredo, client 10.0.0.1
]
# Never allowed, even when the operator allows private networks.
NEVER = [
    "169.254.169.254",
    "169.254.0.1",
    "fe80::1",
    "fd00:ec2::254",  # AWS metadata over IPv6
    "100.100.100.200",  # Alibaba Cloud metadata
    "0.0.0.0",
    "0.1.2.3",
    "::ffff:169.254.169.254",
    "64:ff9b::a9fe:a9fe",
    "224.0.0.1",
    "ff02::1",
]
# What "allow private" (true) opens: RFC 1918, loopback, unique local.
PRIVATE = ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "::1", "fd12:3456::1"]


@pytest.mark.parametrize("address", EMBEDDED_PRIVATE)
def test_ipv6_forms_embedding_a_private_ipv4_are_refused(address: str) -> None:
    assert not outbound.is_allowed_address(ipaddress.ip_address(address), allow_private=False)


@pytest.mark.parametrize("address", ["64:ff9b::808:808", "2002:808:808::1"])
def test_ipv6_forms_embedding_a_public_ipv4_are_allowed(address: str) -> None:
    assert outbound.is_allowed_address(ipaddress.ip_address(address), allow_private=False)


@pytest.mark.parametrize("address", NEVER)
def test_metadata_link_local_and_this_network_are_never_allowed(address: str) -> None:
    ip = ipaddress.ip_address(address)
    assert not outbound.is_allowed_address(ip, allow_private=True)
    everything = [ipaddress.ip_network("0.0.0.0/0"), ipaddress.ip_network("::/0")]
    assert not outbound.is_allowed_address(ip, allow_private=everything)


@pytest.mark.parametrize("address", PRIVATE)
def test_allowing_private_networks_opens_rfc1918_loopback_and_ula(address: str) -> None:
    assert outbound.is_allowed_address(ipaddress.ip_address(address), allow_private=True)


def test_private_networks_may_be_an_allowlist_of_cidrs() -> None:
    only = [ipaddress.ip_network("10.8.0.0/16")]
    assert outbound.is_allowed_address(ipaddress.ip_address("10.8.1.2"), allow_private=only)
    assert not outbound.is_allowed_address(ipaddress.ip_address("10.9.1.2"), allow_private=only)
    assert not outbound.is_allowed_address(ipaddress.ip_address("127.0.0.1"), allow_private=only)
    assert outbound.is_allowed_address(ipaddress.ip_address("8.8.8.8"), allow_private=only)


@pytest.fixture
async def stand_in_dns(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """Names resolved from this table instead of DNS (nothing is sent)."""
    table: dict[str, list[str]] = {}

    async def getaddrinfo(host: str, port: int, **_: object) -> list[tuple[Any, ...]]:
        return [(0, 0, 0, "", (address, port)) for address in table[host]]

    loop = asyncio.get_running_loop()
    monkeypatch.setattr(loop, "getaddrinfo", getaddrinfo)
    return table


async def test_public_hosts_are_reached_on_80_and_443_only(
    stand_in_dns: dict[str, list[str]],
) -> None:
    stand_in_dns["hooks.example.com"] = ["93.184.216.34"]
    stand_in_dns["nat64.example.com"] = ["64:ff9b::7f00:1"]
    for url in ("https://hooks.example.com/", "http://hooks.example.com:80/x"):
        assert await outbound.resolve(url, allow_private=False)
    for url in ("https://hooks.example.com:8443/", "http://hooks.example.com:6379/"):
        with pytest.raises(OutboundAddressError) as refused:
            await outbound.resolve(url, allow_private=False)
        assert "port" in refused.value.message
        with pytest.raises(OutboundAddressError):
            outbound.check_url(url, allow_private=False)
    with pytest.raises(OutboundAddressError):
        await outbound.resolve("https://nat64.example.com/", allow_private=False)


async def test_an_allowed_private_host_is_reached_on_any_port(
    stand_in_dns: dict[str, list[str]],
) -> None:
    # What `callwright dev` and the tests do: loopback tool servers on random ports.
    stand_in_dns["receiver.internal"] = ["10.0.0.7"]
    assert await outbound.resolve("http://receiver.internal:8080/", allow_private=True)
    assert await outbound.resolve("http://127.0.0.1:34567/", allow_private=True)
    with pytest.raises(OutboundAddressError):
        await outbound.resolve("http://169.254.169.254:80/", allow_private=True)


async def test_name_resolution_is_within_the_requests_deadline(
    stand_in_dns: dict[str, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    never = asyncio.Event()

    async def black_hole(host: str, port: int, **_: object) -> list[tuple[Any, ...]]:
        await never.wait()  # a nameserver that never answers
        return []

    monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", black_hole)
    async with outbound.new_client() as client:
        with pytest.raises(TimeoutError):
            await outbound.post(
                client,
                "https://hooks.example.com/",
                content=b"{}",
                headers={},
                timeout_seconds=0.2,
                allow_private=False,
            )


async def test_a_connection_is_never_reused_for_another_host_name(
    stand_in_dns: dict[str, list[str]],
) -> None:
    """Two names at one address: the second request opens its own connection (a kept
    TLS connection was verified for the first name only)."""
    connections: list[list[bytes]] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        hosts: list[bytes] = []
        connections.append(hosts)
        try:
            while head := await reader.readuntil(b"\r\n\r\n"):
                host = [line for line in head.split(b"\r\n") if line.lower().startswith(b"host:")]
                hosts.append(host[0][5:].strip())
                length = [
                    int(line.split(b":")[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                ]
                await reader.readexactly(length[0] if length else 0)
                # HTTP/1.1 keep-alive: the server would serve a second request here.
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    stand_in_dns["a.tenant.test"] = ["127.0.0.1"]
    stand_in_dns["b.tenant.test"] = ["127.0.0.1"]
    try:
        async with outbound.new_client() as client:
            for name in ("a.tenant.test", "b.tenant.test"):
                answer = await outbound.post(
                    client,
                    f"http://{name}:{port}/hook",
                    content=b"{}",
                    headers={},
                    timeout_seconds=5,
                    allow_private=True,
                )
                assert answer.status_code == 200
    finally:
        server.close()
        await server.wait_closed()
    assert [hosts for hosts in connections if hosts] == [
        [f"a.tenant.test:{port}".encode()],
        [f"b.tenant.test:{port}".encode()],
    ]

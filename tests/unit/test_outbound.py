"""The outbound address policy (callwright_shared.outbound) on addresses and URLs alone
(no DNS, no network), and what a send reads back from a loopback server."""

from __future__ import annotations

import ipaddress
import tracemalloc
import zlib
from collections.abc import AsyncIterator

import httpx
import pytest

from callwright_shared import outbound
from callwright_shared.errors import OutboundAddressError
from tests.support.tool_server import Answer, ToolServer

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

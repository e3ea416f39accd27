"""The outbound address policy (callwright_shared.outbound) on addresses and URLs alone:
no DNS, no network."""

from __future__ import annotations

import ipaddress

import pytest

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

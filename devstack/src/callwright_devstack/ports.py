"""Free ports for the servers the tests start.

Ports come from below the kernel's ephemeral range: a port the kernel hands out for
`bind(0)` is also the pool it draws outgoing connections from, so between our check and
the server's own bind an outgoing connection of another test could take it (CI saw
livekit-server exit on exactly that). Each port is handed out once per process and is
checked free on every interface, as livekit-server binds its RTC TCP port on all of them.
"""

from __future__ import annotations

import random
import socket
from pathlib import Path

_DEFAULT_EPHEMERAL_START = 32768
_LOWEST = 20000
_handed_out: set[tuple[int, int]] = set()


def _ephemeral_start() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return _DEFAULT_EPHEMERAL_START


def _free_port(kind: int) -> int:
    high = _ephemeral_start() - 1
    low = _LOWEST if high - _LOWEST > 2000 else 10000
    for _ in range(500):
        port = random.randint(low, high)
        if (kind, port) in _handed_out:
            continue
        with socket.socket(socket.AF_INET, kind) as s:
            try:
                s.bind(("0.0.0.0", port))
            except OSError:
                continue
        _handed_out.add((kind, port))
        return port
    raise RuntimeError(f"no free port between {low} and {high}")


def free_tcp_port() -> int:
    return _free_port(socket.SOCK_STREAM)


def free_udp_port() -> int:
    return _free_port(socket.SOCK_DGRAM)

"""livekit-server's configuration for local runs and tests: the repository's livekit.yaml
with development overrides (loopback, chosen ports, one UDP mux port, given keys, no
Redis unless a node of several is asked for), so the file users deploy is the file every
test run starts the server with.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from callwright_devstack.checkout import REPO_ROOT

LIVEKIT_YAML = REPO_ROOT / "livekit.yaml"
LIVEKIT_BINARY = REPO_ROOT / ".tools" / "bin" / "livekit-server"


def load_livekit_yaml(path: Path = LIVEKIT_YAML) -> dict[str, Any]:
    loaded = yaml.safe_load(path.read_text())
    if not isinstance(loaded, dict):
        raise ValueError(f"{path} does not hold a YAML mapping")
    return loaded


def dev_config(
    *,
    port: int,
    rtc_tcp_port: int,
    rtc_udp_port: int,
    api_key: str,
    api_secret: str,
    webhook_url: str | None,
    base: dict[str, Any] | None = None,
    redis_address: str | None = None,
) -> dict[str, Any]:
    """With `redis_address` (host:port) the server is one node of several sharing that
    Redis, as in production; without it a single node keeps its state in memory."""
    config = copy.deepcopy(base if base is not None else load_livekit_yaml())
    config["port"] = port
    config["bind_addresses"] = ["127.0.0.1"]
    rtc = config.setdefault("rtc", {})
    rtc.pop("port_range_start", None)
    rtc.pop("port_range_end", None)
    rtc.update(
        tcp_port=rtc_tcp_port, udp_port=rtc_udp_port, use_external_ip=False, node_ip="127.0.0.1"
    )
    if redis_address is None:
        config.pop("redis", None)
    else:
        config["redis"] = {**config.get("redis", {}), "address": redis_address}
    config["keys"] = {api_key: api_secret}
    if webhook_url is None:
        config.pop("webhook", None)
    else:
        config["webhook"] = {"api_key": api_key, "urls": [webhook_url]}
    config.setdefault("logging", {})["level"] = "info"
    return config


def dump(config: dict[str, Any]) -> str:
    text: str = yaml.safe_dump(config, sort_keys=False)
    return text

"""`callwright dev` (what `make run` starts): LiveKit, the issuer and the worker on this
machine, with a seeded demo organization, user, key, agent and credits.

The demo tenant is created once and remembered in `.run/demo.json` (git-ignored, mode
0600: it holds the demo API key), so a second `make run` reuses the same key. The URLs and
the `curl` are printed only once the worker has registered with LiveKit, so the first
call gets an agent. Ctrl-C stops everything.

CALLWRIGHT_RUN_DIR moves `.run/` (the tests run the dev runner in a directory of their
own); LiveKit listens on the port of LIVEKIT_URL (7880 by default) and the next two.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from callwright_devstack.checkout import REPO_ROOT, WEB_DIST
from callwright_devstack.demo_agent import demo_stages, fit_demo_agent
from callwright_devstack.launch import Process, answers_http
from callwright_devstack.livekit_config import LIVEKIT_BINARY, dev_config, dump
from callwright_shared.agents import definitions as agents
from callwright_shared.agents.definitions import AgentSpec
from callwright_shared.agents.registry import registry_of
from callwright_shared.billing import credits
from callwright_shared.db.engine import create_engine, create_session_factory
from callwright_shared.db.migrate import upgrade
from callwright_shared.db.models import Organization
from callwright_shared.settings import CallwrightSettings
from callwright_shared.tenants import api_keys, organizations
from callwright_web.settings import WebSettings

DEMO_CREDITS = 10_000
SERVICE_START_TIMEOUT_S = 30.0
WORKER_REGISTRATION_TIMEOUT_S = 120.0


def _dev_tools_env(settings: CallwrightSettings) -> dict[str, str]:
    """On a laptop the tool server being written is on localhost: `callwright dev` lets
    agents' tools call private and loopback addresses (and plain http) unless the
    developer set CALLWRIGHT_TOOLS_ALLOW_PRIVATE_NETWORKS. Production stays closed."""
    allow = (
        settings.tools_allow_private_networks
        if "tools_allow_private_networks" in settings.model_fields_set
        else True
    )
    return {"CALLWRIGHT_TOOLS_ALLOW_PRIVATE_NETWORKS": "true" if allow else "false"}


def run_dir() -> Path:
    return Path(os.environ.get("CALLWRIGHT_RUN_DIR") or REPO_ROOT / ".run")


def _private_file(path: Path, text: str) -> None:
    path.parent.mkdir(exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    path.chmod(0o600)


async def _seed(settings: CallwrightSettings, known: dict[str, Any] | None) -> dict[str, Any]:
    """The demo tenant: the known one if the database still has it, else a new one."""
    engine = create_engine(settings.database_url)
    try:
        async with create_session_factory(engine)() as db:
            if known is not None and await db.get(Organization, known["org_id"]) is not None:
                await fit_demo_agent(
                    db, settings, org_id=known["org_id"], agent_id=known["agent_id"]
                )
                await db.commit()
                return known
            org = await organizations.create_org(db, name="Demo")
            await organizations.create_user(db, org_id=org.id, user_id="demo-user")
            key = await api_keys.mint_key(db, org_id=org.id, user_id="demo-user")
            agent = await agents.create_agent(
                db,
                org_id=org.id,
                spec=AgentSpec(
                    name="Demo agent",
                    architecture="pipeline",
                    greeting="Hi! I'm the callwright demo agent. How can I help?",
                    # On the providers file's servers when one is given (make run).
                    **demo_stages(registry_of(settings)),
                ),
            )
            await credits.grant(db, org.id, DEMO_CREDITS)
            await db.commit()
            demo: dict[str, Any] = {
                "org_id": org.id,
                "user_id": "demo-user",
                "api_key": key.api_key,
                "agent_id": agent.id,
            }
            return demo
    finally:
        await engine.dispose()


def ports_in_use(host_ports: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """The TCP addresses something already listens on (for example another `make run`,
    which would otherwise answer this run's readiness checks)."""
    taken = []
    for host, port in host_ports:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.settimeout(1)
            if probe.connect_ex((host, port)) == 0:
                taken.append((host, port))
    return taken


def _exit_once(signum: int, _frame: object) -> None:
    """The first Ctrl-C or SIGTERM stops the runner; later ones are ignored, so they cannot
    cut the children's shutdown short (uv forwards the signal it got: one `kill` of
    `make run` may arrive twice)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise SystemExit(128 + signum)


def _stop_all(children: list[Process]) -> None:
    """Stop every child, even when another signal arrives meanwhile."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    for child in reversed(children):
        child.terminate()
    for child in children:
        with contextlib.suppress(Exception):
            child.stop(timeout=10)


def run_dev() -> None:
    settings = CallwrightSettings()
    if not LIVEKIT_BINARY.exists():
        sys.exit("livekit-server is not installed: run `make tools` (or `make run`).")
    issuer_url = f"http://{settings.issuer_host}:{settings.issuer_port}"
    livekit_port = urlsplit(settings.livekit_url).port or 7880
    page_settings = WebSettings(issuer_url=issuer_url)
    wanted = [
        ("127.0.0.1", livekit_port),
        ("127.0.0.1", livekit_port + 1),
        (settings.issuer_host, settings.issuer_port),
        (page_settings.host, page_settings.port),
    ]
    if taken := ports_in_use(wanted):
        listed = ", ".join(f"{host}:{port}" for host, port in taken)
        sys.exit(
            f"{listed} already in use: is another `make run` still running? Stop it (Ctrl-C "
            "in its terminal), or move this one with LIVEKIT_URL, CALLWRIGHT_ISSUER_PORT and "
            "CALLWRIGHT_WEB_PORT."
        )
    runs = run_dir()
    runs.mkdir(exist_ok=True)
    upgrade(settings.database_url)
    demo_file = runs / "demo.json"
    known = json.loads(demo_file.read_text()) if demo_file.exists() else None
    demo = asyncio.run(_seed(settings, known))
    if demo != known:
        _private_file(demo_file, json.dumps(demo, indent=2))
    ready_file = runs / "worker.ready"
    ready_file.unlink(missing_ok=True)
    config = dev_config(
        port=livekit_port,
        rtc_tcp_port=livekit_port + 1,
        rtc_udp_port=livekit_port + 2,
        api_key=settings.livekit_api_key,
        api_secret=settings.livekit_api_secret.get_secret_value(),
        webhook_url=f"{issuer_url}/v1/livekit/webhook",
    )
    cli = [sys.executable, "-m", "callwright.cli"]
    # The page's backend holds the demo key; the browser never sees it.
    # The page serves the checkout's bundle (`make web-build`), wherever the runner starts.
    web = WebSettings(issuer_url=issuer_url, api_key=demo["api_key"], static_dir=WEB_DIST)

    def service(name: str, command: list[str], **env: str) -> Process:
        # 0600: the logs may show the demo key.
        return Process(command, log_path=runs / f"{name}.log", env=env, log_mode=0o600)

    livekit = service("livekit", [str(LIVEKIT_BINARY), "--dev", "--config-body", dump(config)])
    tools = _dev_tools_env(settings)
    issuer = service("issuer", [*cli, "issuer", "--no-migrate"], **tools)
    worker = service(
        "worker",
        [*cli, "worker", "dev"],
        CALLWRIGHT_WORKER_READY_FILE=str(ready_file),
        **tools,
    )
    page = service("web", [*cli, "web"], **web.to_env("issuer_url", "api_key", "static_dir"))
    children = [livekit, issuer, worker, page]
    signal.signal(signal.SIGTERM, _exit_once)
    signal.signal(signal.SIGINT, _exit_once)
    try:
        livekit.start()
        livekit.wait_ready(
            lambda: answers_http(f"http://127.0.0.1:{livekit_port}/"),
            within=SERVICE_START_TIMEOUT_S,
            what="livekit-server",
        )
        issuer.start()
        issuer.wait_ready(
            lambda: answers_http(f"{issuer_url}/healthz"),
            within=SERVICE_START_TIMEOUT_S,
            what="the issuer",
        )
        worker.start()
        page.start()
        page.wait_ready(
            lambda: answers_http(f"{web.page_url}/healthz"),
            within=SERVICE_START_TIMEOUT_S,
            what="the page",
        )
        print("waiting for the worker to register with LiveKit ...", file=sys.stderr, flush=True)
        # A dispatch before the worker has registered is lost.
        worker.wait_ready(
            ready_file.exists, within=WORKER_REGISTRATION_TIMEOUT_S, what="the worker"
        )
        print(
            json.dumps(
                {
                    "ready": "the worker is registered with LiveKit: calls get an agent now",
                    "page_url": web.page_url,
                    "issuer_url": issuer_url,
                    "livekit_url": settings.client_livekit_url,
                    "api_key": demo["api_key"],
                    "agent_id": demo["agent_id"],
                    "logs": str(runs),
                    "try": (
                        f"curl -s -X POST {issuer_url}/v1/sessions/voice "
                        f"-H 'X-API-Key: {demo['api_key']}' -H 'Content-Type: application/json' "
                        f'-d \'{{"agent_id": "{demo["agent_id"]}"}}\''
                    ),
                },
                indent=2,
            ),
            flush=True,
        )
        while livekit.running() and issuer.running():
            time.sleep(0.5)
        sys.exit(f"a service exited; see its log in {runs}/")
    finally:
        _stop_all(children)

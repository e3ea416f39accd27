"""`callwright dev` (what `make run` starts): LiveKit, the issuer and the worker on this
machine, with a seeded demo organization, user, key, agent and credits.

The demo tenant is created once and remembered in `.run/demo.json` (git-ignored), so a
second `make run` reuses the same key. Ctrl-C stops everything.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from typing import Any

from callwright.livekit_config import LIVEKIT_BINARY, REPO_ROOT, dev_config, dump
from callwright.web import WebSettings
from callwright_shared import agents, api_keys, credits, organizations
from callwright_shared.agents import AgentSpec
from callwright_shared.db.engine import create_engine, create_session_factory
from callwright_shared.db.migrate import upgrade
from callwright_shared.db.models import Organization
from callwright_shared.settings import CallwrightSettings

RUN_DIR = REPO_ROOT / ".run"
DEMO_FILE = RUN_DIR / "demo.json"
DEMO_CREDITS = 10_000


async def _seed(settings: CallwrightSettings) -> dict[str, Any]:
    engine = create_engine(settings.database_url)
    try:
        async with create_session_factory(engine)() as db:
            if DEMO_FILE.exists():
                demo: dict[str, Any] = json.loads(DEMO_FILE.read_text())
                if await db.get(Organization, demo["org_id"]) is not None:
                    return demo
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
                ),
            )
            await credits.grant(db, org.id, DEMO_CREDITS)
            await db.commit()
            demo = {
                "org_id": org.id,
                "user_id": "demo-user",
                "api_key": key.api_key,
                "agent_id": agent.id,
            }
            RUN_DIR.mkdir(exist_ok=True)
            DEMO_FILE.write_text(json.dumps(demo, indent=2))
            return demo
    finally:
        await engine.dispose()


def _wait_http(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


def run_dev() -> None:
    settings = CallwrightSettings()
    if not LIVEKIT_BINARY.exists():
        sys.exit("livekit-server is not installed: run `make tools` (or `make run`).")
    upgrade(settings.database_url)
    demo = asyncio.run(_seed(settings))
    RUN_DIR.mkdir(exist_ok=True)
    issuer_url = f"http://{settings.issuer_host}:{settings.issuer_port}"
    config = dev_config(
        port=7880,
        rtc_tcp_port=7881,
        rtc_udp_port=7882,
        api_key=settings.livekit_api_key,
        api_secret=settings.livekit_api_secret.get_secret_value(),
        webhook_url=f"{issuer_url}/v1/livekit/webhook",
    )
    children: list[subprocess.Popen[bytes]] = []

    def spawn(name: str, cmd: list[str]) -> None:
        with open(RUN_DIR / f"{name}.log", "ab") as log:
            children.append(subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT))

    try:
        spawn("livekit", [str(LIVEKIT_BINARY), "--dev", "--config-body", dump(config)])
        _wait_http("http://127.0.0.1:7880/")
        cli = [sys.executable, "-m", "callwright.cli"]
        spawn("issuer", [*cli, "issuer", "--no-migrate"])
        _wait_http(f"{issuer_url}/healthz")
        spawn("worker", [*cli, "worker", "dev"])
        # The page's backend holds the demo key; the browser never sees it.
        os.environ["CALLWRIGHT_WEB_ISSUER_URL"] = issuer_url
        os.environ["CALLWRIGHT_WEB_API_KEY"] = demo["api_key"]
        page_url = WebSettings().page_url
        spawn("web", [*cli, "web"])
        _wait_http(f"{page_url}/healthz")
        print(
            json.dumps(
                {
                    "page_url": page_url,
                    "issuer_url": issuer_url,
                    "livekit_url": settings.client_livekit_url,
                    "api_key": demo["api_key"],
                    "agent_id": demo["agent_id"],
                    "logs": str(RUN_DIR),
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
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        while all(child.poll() is None for child in children[:2]):
            time.sleep(0.5)
        print("a service exited; see the logs in .run/", file=sys.stderr)
    except KeyboardInterrupt:
        pass
    finally:
        for child in reversed(children):
            if child.poll() is None:
                child.terminate()
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()

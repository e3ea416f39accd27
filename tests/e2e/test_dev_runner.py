"""`make run` as a new user meets it: `callwright dev` starts everything, prints the
URLs and a `curl` only once the worker has registered, and that `curl`, run the moment
it appears, gets an agent."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import httpx
import pytest

from callwright_devstack.checkout import ARTIFACTS
from callwright_devstack.dev import ports_in_use
from callwright_devstack.emulators import DeepgramEmulator, OpenAIEmulator
from callwright_devstack.livekit_config import LIVEKIT_BINARY
from callwright_devstack.ports import free_tcp_port
from callwright_devstack.required import service_missing
from callwright_devstack.services.worker_process import DEEPGRAM_KEY, OPENAI_KEY
from callwright_devstack.waiting import eventually
from tests.e2e.support import join

pytestmark = pytest.mark.e2e

DEMO_GREETING = "Hi! I'm the callwright demo agent."


def three_free_ports() -> int:
    """A port whose next two are free as well (LiveKit's HTTP, ICE/TCP and UDP ports)."""
    for _ in range(50):
        base = free_tcp_port()
        try:
            for offset, kind in ((1, socket.SOCK_STREAM), (2, socket.SOCK_DGRAM)):
                with socket.socket(socket.AF_INET, kind) as s:
                    s.bind(("0.0.0.0", base + offset))
        except OSError:
            continue
        return base
    raise RuntimeError("no three consecutive free ports")


def read_printed_object(stream: IO[str]) -> dict[str, Any]:
    """The JSON object the runner prints (indented: it ends with a lone `}`)."""
    lines: list[str] = []
    for line in stream:
        if lines or line.startswith("{"):
            lines.append(line)
        if line.rstrip() == "}":
            parsed: dict[str, Any] = json.loads("".join(lines))
            return parsed
    raise AssertionError("the dev runner exited without printing its URLs")


@contextmanager
def dev_runner(env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[str]]:
    with open(log, "w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "callwright.cli", "dev"],
            env={**os.environ, **env},
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            start_new_session=True,
        )
    try:
        yield process
    finally:
        process.send_signal(signal.SIGTERM)  # the runner stops its children
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


LOCAL_TOOL = {
    "type": "http",
    "name": "lookup_order",
    "description": "Look up an order.",
    "parameters": {"type": "object", "properties": {"order_id": {"type": "string"}}},
    "url": "http://127.0.0.1:3000/orders/lookup",
}


async def test_the_printed_curl_run_at_once_gets_an_agent(tmp_path: Path) -> None:
    if not LIVEKIT_BINARY.exists():
        service_missing("livekit-server (make tools installs it into .tools/bin)")
    livekit_port = three_free_ports()
    openai = OpenAIEmulator(reply="Yes, I can hear you.")
    deepgram = DeepgramEmulator(transcript="hello")
    async with openai, deepgram:
        env = {
            "CALLWRIGHT_RUN_DIR": str(tmp_path / "run"),
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'callwright.db'}",
            "LIVEKIT_URL": f"ws://127.0.0.1:{livekit_port}",
            "LIVEKIT_AGENT_NAME": f"callwright-dev-{uuid.uuid4().hex[:6]}",
            "CALLWRIGHT_ISSUER_PORT": str(free_tcp_port()),
            "CALLWRIGHT_WEB_PORT": str(free_tcp_port()),
            "CALLWRIGHT_WORKER_PORT": str(free_tcp_port()),
            "OPENAI_API_KEY": OPENAI_KEY,
            "OPENAI_BASE_URL": openai.base_url,
            "DEEPGRAM_API_KEY": DEEPGRAM_KEY,
            "DEEPGRAM_BASE_URL": deepgram.base_url,
            "PYTHONUNBUFFERED": "1",
        }
        with dev_runner(env, ARTIFACTS / "dev-runner.log") as runner:
            assert runner.stdout is not None
            printed = await asyncio.to_thread(read_printed_object, runner.stdout)
            assert "registered" in printed["ready"]
            # The `curl` exactly as printed, at once.
            curl = await asyncio.to_thread(
                subprocess.run,
                ["bash", "-c", printed["try"]],
                capture_output=True,
                text=True,
                timeout=30,
                check=True,
            )
            body = json.loads(curl.stdout)
            assert body["room_name"].startswith(f"agent_{printed['agent_id']}_demo-user_")
            caller = await join(body)
            try:
                await eventually(caller.agent_joined.is_set, within=60, what="the agent")
                await eventually(
                    lambda: DEMO_GREETING.split("!")[0] in caller.agent_text(),
                    within=60,
                    what="the demo agent's greeting",
                )
            finally:
                await caller.leave()
            # A developer's tool server is on localhost: `callwright dev` allows it.
            async with httpx.AsyncClient(base_url=printed["issuer_url"], timeout=30) as api:
                created = await api.post(
                    "/v1/agents",
                    headers={"X-API-Key": printed["api_key"]},
                    json={"name": "Local tools", "architecture": "pipeline", "tools": [LOCAL_TOOL]},
                )
            assert created.status_code == 200, created.text

            # A second `make run` beside the first says so, instead of reporting ready
            # on the first one's services.
            second = await asyncio.to_thread(
                subprocess.run,
                [sys.executable, "-m", "callwright.cli", "dev"],
                env={**os.environ, **env},
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert second.returncode != 0
            assert "already in use" in second.stderr, second.stderr
            # Stopped twice over (uv forwards the signal it got): every child still stops.
            wanted = [
                ("127.0.0.1", livekit_port),
                ("127.0.0.1", int(env["CALLWRIGHT_ISSUER_PORT"])),
                ("127.0.0.1", int(env["CALLWRIGHT_WEB_PORT"])),
            ]
            assert ports_in_use(wanted) == wanted
            runner.send_signal(signal.SIGTERM)
            runner.send_signal(signal.SIGTERM)
            await asyncio.to_thread(runner.wait, 60)
            assert ports_in_use(wanted) == []
        run_dir = tmp_path / "run"
        assert (run_dir / "demo.json").stat().st_mode & 0o777 == 0o600

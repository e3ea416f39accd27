"""The compose tier: docker-compose.yml as users run it, on a real Docker engine.

The engine is Debian's docker.io started by the tier (host networking only: no bridge, no
iptables), the base images are local stand-ins from Debian packages
(docker/local/build-images.sh: no registry is needed), and docker-compose.yml runs with
tests/compose/docker-compose.test.yml on top (host network, free loopback ports, the
provider emulators this process serves on 127.0.0.1).
"""

from __future__ import annotations

import asyncio
import fcntl
import json
import os
import shutil
import subprocess
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pytest
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import NullPool

from callwright_devstack.checkout import ARTIFACTS
from callwright_devstack.emulators import DeepgramEmulator, OpenAIEmulator
from callwright_devstack.livekit_config import dev_config, dump
from callwright_devstack.ports import free_tcp_port, free_udp_port
from callwright_devstack.required import service_missing
from callwright_devstack.speech import make_speech_wav
from callwright_devstack.tenants import Tenant
from callwright_shared.db.engine import create_engine

REPO = Path(__file__).resolve().parents[2]
OVERRIDE = Path(__file__).with_name("docker-compose.test.yml")
COMPOSE_PLUGIN = REPO / ".tools" / "bin" / "docker-compose"
BUILD_IMAGES = REPO / "docker" / "local" / "build-images.sh"
# The engine's state outlives the run (the base images are its cache) unless the machine
# is fresh; one engine at a time uses it (ENGINE_LOCK).
DATA_ROOT = Path(os.environ.get("CALLWRIGHT_DOCKER_DATA_ROOT", "/var/lib/callwright-docker"))
RUN_DIR = Path("/run/callwright-docker")
SOCKET = RUN_DIR / "docker.sock"
ENGINE_LOCK = Path("/run/callwright-docker.lock")

AGENT_REPLY = "Yes, I can hear you clearly. How can I help today?"
USER_TRANSCRIPT = "hello can you hear me"
CREDITS_PER_MINUTE = 6
# Slow machines (a clean-clone CI run shares 2 cores with everything else): every wait is
# for a condition, bounded generously; a fast machine waits no longer for it.
BUILD_TIMEOUT_S = 1800  # a cold build downloads and installs every locked wheel
# The tier's fixtures have these deadlines of their own; pytest-timeout's 300 s applies
# to the tests' bodies only (test_compose_stack.py: func_only).
ENGINE_WAIT_S = 2400  # another suite's whole compose tier, its cold build included
UP_TIMEOUT_S = 900  # above docker-compose.test.yml's start_period (300 s) and retries
# For the agent: to join (a job process starts), to listen, to answer one turn.
AGENT_TIMEOUT_S = 300
# For a session to end once the caller has left, and for a draining worker's call.
END_TIMEOUT_S = 300


def worker_cannot_use_postgres() -> bool:
    """The worker's CallStore asks for a NullPool engine on PostgreSQL, and
    callwright_shared.db.engine.create_engine adds pool_size/max_overflow regardless, which
    SQLAlchemy refuses: every job process of a worker on PostgreSQL (docker-compose.yml's
    database) fails to initialize, and the worker never registers. Only the compose tier
    runs a worker on PostgreSQL. The calls are expected to fail until that is fixed."""
    try:
        create_engine("postgresql+asyncpg://u@127.0.0.1:1/x", poolclass=NullPool)
    except (ArgumentError, TypeError):
        return True
    return False


needs_worker_on_postgres = pytest.mark.xfail(
    worker_cannot_use_postgres(),
    reason="create_engine passes pool_size to a NullPool engine (shared/db/engine.py)",
    run=False,
)


def _docker_env() -> dict[str, str]:
    config = ARTIFACTS / "docker-config"
    plugins = config / "cli-plugins"
    plugins.mkdir(parents=True, exist_ok=True)
    link = plugins / "docker-compose"
    if not link.exists():
        link.symlink_to(COMPOSE_PLUGIN)
    return {**os.environ, "DOCKER_HOST": f"unix://{SOCKET}", "DOCKER_CONFIG": str(config)}


def _engine_answers(env: dict[str, str]) -> bool:
    result = subprocess.run(["docker", "version"], env=env, capture_output=True, check=False)
    return result.returncode == 0


def _wait_for_engine_lock(lock: IO[str]) -> None:
    """One suite at a time uses the engine: a second suite on this machine (another
    clone's `make test`) waits for the first one's compose tier, within ENGINE_WAIT_S.
    The engine's fixtures are module-scoped, so the lock is held for the compose tests
    only, not for the rest of the suite."""
    deadline = time.monotonic() + ENGINE_WAIT_S
    while True:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() > deadline:
                pytest.fail(f"another suite held {ENGINE_LOCK} for {ENGINE_WAIT_S:.0f} s")
            time.sleep(1)


@pytest.fixture(scope="module")
def docker_env() -> Iterator[dict[str, str]]:
    """The tier's Docker engine (started here unless one already answers on SOCKET), and
    the environment that points `docker` and `docker compose` at it."""
    for tool in ("docker", "dockerd", "debootstrap"):
        if shutil.which(tool) is None:
            service_missing(f"{tool} (make system-deps installs docker.io and debootstrap)")
    if not COMPOSE_PLUGIN.exists():
        service_missing("the compose plugin (make tools builds .tools/bin/docker-compose)")
    if os.geteuid() != 0:
        service_missing("root, to run dockerd")
    env = _docker_env()
    RUN_DIR.mkdir(parents=True, exist_ok=True)
    with open(ENGINE_LOCK, "w") as lock:
        _wait_for_engine_lock(lock)
        engine: subprocess.Popen[bytes] | None = None
        if not _engine_answers(env):
            DATA_ROOT.mkdir(parents=True, exist_ok=True)
            with open(ARTIFACTS / "dockerd.log", "ab") as log:
                engine = subprocess.Popen(
                    [
                        "dockerd",
                        f"--data-root={DATA_ROOT}",
                        f"--exec-root={RUN_DIR / 'exec'}",
                        f"--pidfile={RUN_DIR / 'dockerd.pid'}",
                        f"--host=unix://{SOCKET}",
                        # This machine's network rule: host networking only.
                        "--bridge=none",
                        "--iptables=false",
                        "--ip6tables=false",
                    ],
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            deadline = time.monotonic() + 120
            while not _engine_answers(env):
                if engine.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("dockerd did not start; see tests/artifacts/dockerd.log")
                time.sleep(0.5)
        try:
            yield env
        finally:
            if engine is not None:
                engine.terminate()
                try:
                    engine.wait(60)
                except subprocess.TimeoutExpired:
                    engine.kill()
                    engine.wait()


@pytest.fixture(scope="module")
def local_images(docker_env: dict[str, str]) -> dict[str, str]:
    """PYTHON_IMAGE, UV_IMAGE, NODE_IMAGE, LIVEKIT_IMAGE, POSTGRES_IMAGE, REDIS_IMAGE."""
    started = time.monotonic()
    result = subprocess.run(
        [str(BUILD_IMAGES)],
        env=docker_env,
        capture_output=True,
        text=True,
        check=False,
        timeout=BUILD_TIMEOUT_S,
    )
    (ARTIFACTS / "compose-base-images.log").write_text(
        f"{result.stderr}\nbuild-images.sh: {time.monotonic() - started:.0f} s\n"
    )
    assert result.returncode == 0, result.stderr
    return dict(line.split("=", 1) for line in result.stdout.split())


def compose_env_file(path: Path, values: dict[str, str]) -> Path:
    """A user's .env (.env.example with the secrets filled in) plus the test's values."""
    lines = [(REPO / ".env.example").read_text()]
    lines += [f"{name}={value}" for name, value in values.items()]
    path.write_text("\n".join(lines) + "\n")
    return path


@dataclass
class ComposeStack:
    env: dict[str, str]
    project: str
    env_file: Path
    issuer_url: str
    web_url: str
    web_credentials: tuple[str, str]
    openai: OpenAIEmulator
    deepgram: DeepgramEmulator
    speech_wav: Path

    def argv(self, *args: str) -> list[str]:
        return [
            "docker",
            "compose",
            "-f",
            str(REPO / "docker-compose.yml"),
            "-f",
            str(OVERRIDE),
            "--env-file",
            str(self.env_file),
            "-p",
            self.project,
            *args,
        ]

    def run(self, *args: str, timeout: float = UP_TIMEOUT_S) -> str:
        """`docker compose <args>` for this project, from the repository root."""
        result = subprocess.run(
            self.argv(*args),
            env=self.env,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        with open(ARTIFACTS / f"compose-{self.project}.log", "a") as log:
            log.write(f"$ docker compose {' '.join(args)}\n{result.stdout}{result.stderr}\n")
        assert result.returncode == 0, f"docker compose {' '.join(args)}: {result.stderr}"
        return result.stdout

    async def arun(self, *args: str) -> str:
        # In a thread: the emulators this event loop serves must answer meanwhile.
        return await asyncio.to_thread(self.run, *args)

    def note(self, text: str) -> None:
        with open(ARTIFACTS / f"compose-{self.project}.log", "a") as log:
            log.write(text + "\n")

    def tear_down(self) -> None:
        """The services' logs into tests/artifacts, then `down` with the volumes."""
        with open(ARTIFACTS / f"compose-{self.project}-services.log", "w") as log:
            subprocess.run(
                self.argv("logs", "--no-color"),
                env=self.env,
                cwd=REPO,
                stdout=log,
                stderr=subprocess.STDOUT,
                check=False,
            )
        subprocess.run(
            self.argv("down", "-v", "--remove-orphans", "-t", "30"),
            env=self.env,
            cwd=REPO,
            capture_output=True,
            check=False,
        )

    async def admin(self, *args: str) -> dict[str, Any]:
        """`docker compose exec issuer callwright admin …` (docs/deploy.md section 1)."""
        out = await self.arun("exec", "-T", "issuer", "callwright", "admin", *args)
        result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
        return result

    def containers(self, service: str) -> list[dict[str, Any]]:
        out = self.run("ps", "-a", "--format", "json", service)
        rows = [json.loads(line) for line in out.splitlines() if line.strip()]
        # One JSON array on older compose releases, one object a line on newer ones.
        flat = [r for row in rows for r in (row if isinstance(row, list) else [row])]
        return flat

    async def new_tenant(self) -> Tenant:
        org = (await self.admin("create-org", "--name", "Compose Test"))["org_id"]
        user = (await self.admin("create-user", "--org", org, "--user-id", "alice"))["user_id"]
        key = await self.admin("create-key", "--org", org, "--user", user)
        await self.admin("add-credits", "--org", org, "--amount", "1000")
        await self.admin("set-price", "--org", org, "--credits-per-minute", str(CREDITS_PER_MINUTE))
        agent = await self.admin(
            "create-agent", "--org", org, "--name", "Support", "--architecture", "pipeline"
        )
        return Tenant(org, user, key["api_key"], key["key_id"], agent["agent_id"])


@pytest.fixture(scope="module")
async def compose_stack(
    docker_env: dict[str, str],
    local_images: dict[str, str],
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[ComposeStack]:
    tmp = tmp_path_factory.mktemp("compose")
    openai = OpenAIEmulator(reply=AGENT_REPLY)
    deepgram = DeepgramEmulator(transcript=USER_TRANSCRIPT)
    async with openai, deepgram:
        ports = {
            name: free_tcp_port() for name in ("livekit", "rtc_tcp", "redis", "pg", "iss", "web")
        }
        issuer_url = f"http://127.0.0.1:{ports['iss']}"
        livekit = dev_config(
            port=ports["livekit"],
            rtc_tcp_port=ports["rtc_tcp"],
            rtc_udp_port=free_udp_port(),
            api_key="callwright",
            api_secret="unused",
            webhook_url=f"{issuer_url}/v1/livekit/webhook",
        )
        # The keys come from LIVEKIT_KEYS as in docker-compose.yml; Redis is the compose one.
        livekit.pop("keys")
        livekit["redis"] = {"address": f"127.0.0.1:{ports['redis']}"}
        livekit_yaml = tmp / "livekit.yaml"
        livekit_yaml.write_text(dump(livekit))
        livekit_yaml.chmod(0o644)
        web_password = uuid.uuid4().hex
        env_file = compose_env_file(
            tmp / "compose.env",
            {
                "POSTGRES_PASSWORD": uuid.uuid4().hex,
                "REDIS_PASSWORD": uuid.uuid4().hex,
                "LIVEKIT_API_SECRET": uuid.uuid4().hex + uuid.uuid4().hex,
                "CALLWRIGHT_WEB_BASIC_AUTH": f"page:{web_password}",
                **local_images,
                "TEST_LIVEKIT_CONFIG": str(livekit_yaml),
                "TEST_LIVEKIT_PORT": str(ports["livekit"]),
                "TEST_REDIS_PORT": str(ports["redis"]),
                "TEST_POSTGRES_PORT": str(ports["pg"]),
                "TEST_ISSUER_PORT": str(ports["iss"]),
                "TEST_WEB_PORT": str(ports["web"]),
                "TEST_OPENAI_BASE_URL": openai.base_url,
                "TEST_DEEPGRAM_BASE_URL": deepgram.base_url,
            },
        )
        wav = await asyncio.to_thread(make_speech_wav, "Hello, can you hear me?", tmp / "hi.wav")
        stack = ComposeStack(
            env=docker_env,
            project=f"cwtest-{uuid.uuid4().hex[:8]}",
            env_file=env_file,
            issuer_url=issuer_url,
            web_url=f"http://127.0.0.1:{ports['web']}",
            web_credentials=("page", web_password),
            openai=openai,
            deepgram=deepgram,
            speech_wav=wav,
        )
        try:
            started = time.monotonic()
            await asyncio.to_thread(stack.run, "build", timeout=BUILD_TIMEOUT_S)
            built = time.monotonic()
            # Everything but the worker, which the call tests start (and scale, and stop).
            await stack.arun("up", "-d", "--wait", "livekit", "redis", "postgres", "issuer", "web")
            await asyncio.to_thread(
                stack.note, f"build {built - started:.0f} s, up {time.monotonic() - built:.0f} s"
            )
            yield stack
        finally:
            await asyncio.to_thread(stack.tear_down)

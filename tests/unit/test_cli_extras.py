"""Each image installs the `callwright` command with one extra: in a real
environment synced the way docker/*.Dockerfile syncs it, the command runs what its extra
installs and names the extra a command lacks.

The environments are built by uv from its cache, offline (`make install` filled it), from
this checkout's uv.lock: a few seconds each, no Docker engine.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from callwright.cli import COMMAND_EXTRAS
from callwright_devstack.required import service_missing

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[2]
WORKSPACE = (
    "callwright",
    "callwright-shared",
    "callwright-issuer",
    "callwright-worker",
    "callwright-http",
    "callwright-web",
)
SYNC_TIMEOUT_S = 600


def _uv() -> str:
    # `uv run` names itself in UV; otherwise the uv on PATH.
    uv = os.environ.get("UV") or shutil.which("uv")
    if uv is None:
        service_missing("uv (run the tests with `python3 -m uv run pytest`)")
    return uv


@dataclass(frozen=True)
class ImageEnv:
    extra: str  # the one extra installed
    other: str  # the extra left out
    venv: Path

    def callwright(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.venv / "bin" / "callwright"), *args],
            capture_output=True,
            text=True,
            env={"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/"), **env},
            timeout=120,
            check=False,
        )


@pytest.fixture(scope="module", params=["issuer", "worker"])
def image_env(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> ImageEnv:
    """A virtual environment with what the `extra` image's `uv sync` installs."""
    extra: str = request.param
    venv = tmp_path_factory.mktemp(f"image-{extra}") / "venv"
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    env["UV_PROJECT_ENVIRONMENT"] = str(venv)
    # Our own packages are rebuilt: uv's cached wheel of a local package outlives edits to
    # its sources.
    reinstall = [arg for name in WORKSPACE for arg in ("--reinstall-package", name)]
    subprocess.run(
        [
            *(_uv(), "sync", "--quiet", "--offline", "--frozen", "--no-dev", "--no-editable"),
            *("--package", "callwright", "--extra", extra, *reinstall),
        ],
        cwd=REPO,
        env=env,
        check=True,
        timeout=SYNC_TIMEOUT_S,
    )
    return ImageEnv(extra=extra, other={"issuer": "worker", "worker": "issuer"}[extra], venv=venv)


def test_the_environment_has_its_member_and_not_the_other(image_env: ImageEnv) -> None:
    # Found, not imported: importing every entry (the Dockerfiles do it at build time) costs
    # tens of seconds without bytecode; test_deploy_config.py checks what they import.
    script = (
        "import importlib.util as u; "
        f"print(u.find_spec('callwright_{image_env.extra}') is not None, "
        f"u.find_spec('callwright_{image_env.other}') is not None)"
    )
    python = str(image_env.venv / "bin" / "python")
    found = subprocess.run([python, "-c", script], capture_output=True, text=True, check=True)
    assert found.stdout.split() == ["True", "False"]


def test_a_command_without_its_extra_names_it(image_env: ImageEnv) -> None:
    lacking = {"issuer": ["worker", "web", "dev"], "worker": ["issuer", "web", "dev"]}
    for command in lacking[image_env.extra]:
        other = ",".join(e for e in COMMAND_EXTRAS[command] if e != image_env.extra)
        args = [command, "start"] if command == "worker" else [command]
        result = image_env.callwright(*args)
        assert result.returncode == 1, (command, result.stdout, result.stderr)
        error = json.loads(result.stderr)["error"]
        assert error["type"] == "invalid_request_error" and error["param"] == "command"
        assert f"`callwright {command}` needs callwright[{other}]" in error["message"]
        assert all(f"--extra {e}" in error["message"] for e in other.split(","))


def test_db_upgrade_needs_no_extra(image_env: ImageEnv, tmp_path: Path) -> None:
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'callwright.db'}"
    result = image_env.callwright("db", "upgrade", DATABASE_URL=database_url)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"upgraded": True}

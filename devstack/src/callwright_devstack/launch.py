"""Starting a local service and knowing when it is ready: the one launcher of the dev
runner (`callwright dev`), the tests' real services and the benchmarks.

- `Process`: a command in a process of its own, its output appended to a log file;
  `stop()` asks it to end (SIGTERM) and kills it when it does not.
- `wait_until`: poll a readiness check until it holds, failing early when what it waits
  on (a process, a server thread) is gone.
- `Service` / `AsyncService`: the `with` protocol of anything that has `start()` and
  `stop()`.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Self


class LaunchError(RuntimeError):
    """A service did not start: it exited, or was not ready in time."""


def wait_until(
    ready: Callable[[], bool],
    *,
    within: float,
    what: str,
    alive: Callable[[], bool] | None = None,
    poll: float = 0.1,
) -> None:
    """Until `ready()` holds; `LaunchError` once `alive()` says what would make it hold is
    gone, or after `within` seconds."""
    deadline = time.monotonic() + within
    while not ready():
        if alive is not None and not alive():
            raise LaunchError(f"{what} exited before it was ready")
        if time.monotonic() > deadline:
            raise LaunchError(f"{what}: not ready within {within:.0f} s")
        time.sleep(poll)


def answers_http(url: str) -> bool:
    """Whether `url` answers a GET with a 2xx (a refused connection is not an answer)."""
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return 200 <= int(response.status) < 300
    except OSError:
        return False


class Service:
    """`with service:` starts it and stops it whatever happens."""

    def start(self) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


class AsyncService:
    """`async with service:` starts it and stops it whatever happens."""

    async def start(self) -> None:
        raise NotImplementedError

    async def stop(self) -> None:
        raise NotImplementedError

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()


class Process:
    """One command in a process of its own, its output appended to `log_path`.

    `env` is the whole environment unless `inherit_env`; `own_group` puts it in a
    process group of its own, so `kill()` reaches its children too (the worker's job
    processes); `log_mode` is the log file's mode when it is created (0o600 for a log
    that may hold a key).
    """

    def __init__(
        self,
        command: Sequence[str],
        *,
        log_path: Path,
        env: Mapping[str, str] | None = None,
        inherit_env: bool = True,
        cwd: Path | None = None,
        own_group: bool = False,
        log_mode: int = 0o644,
    ) -> None:
        self.command = list(command)
        self.log_path = log_path
        self._env = {**(os.environ if inherit_env else {}), **(env or {})}
        self._cwd = cwd
        self._own_group = own_group
        self._log_mode = log_mode
        self._popen: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        fd = os.open(self.log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, self._log_mode)
        with os.fdopen(fd, "ab") as log:  # the child keeps its own descriptor
            self._popen = subprocess.Popen(
                self.command,
                env=self._env,
                cwd=self._cwd,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=self._own_group,
            )

    def wait_ready(
        self, ready: Callable[[], bool], *, within: float, what: str, poll: float = 0.1
    ) -> None:
        """Until `ready()`; a process that exits or is not ready in time is a
        `LaunchError` naming its log (a process still running is stopped first)."""
        try:
            wait_until(ready, within=within, what=what, alive=self.running, poll=poll)
        except LaunchError as exc:
            self.stop()
            raise LaunchError(f"{exc}; see {self.log_path}") from None

    def running(self) -> bool:
        return self._popen is not None and self._popen.poll() is None

    @property
    def pid(self) -> int:
        if self._popen is None:
            raise LaunchError(f"{self.command[0]} is not started")
        return self._popen.pid

    @property
    def returncode(self) -> int | None:
        return None if self._popen is None else self._popen.poll()

    def terminate(self) -> None:
        if self.running():
            assert self._popen is not None
            self._popen.send_signal(signal.SIGTERM)

    def wait(self, timeout: float) -> int | None:
        """The exit status, or None when it still runs after `timeout` seconds."""
        if self._popen is None:
            return None
        try:
            return self._popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def kill(self) -> None:
        """SIGKILL (to its whole group when it has one): no drain, like a crashed host."""
        if self._popen is not None and self.running():
            if self._own_group:
                os.killpg(self._popen.pid, signal.SIGKILL)
            else:
                self._popen.kill()
            self._popen.wait()

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM, then SIGKILL when it has not ended within `timeout` seconds."""
        if not self.running():
            return
        self.terminate()
        if self.wait(timeout) is None:
            self.kill()

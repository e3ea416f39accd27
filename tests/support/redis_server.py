"""A real, throwaway Redis server (Debian's redis-server package) for multi-node LiveKit."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field

from tests.support.ports import free_tcp_port


@dataclass
class RedisServer:
    port: int = field(default_factory=free_tcp_port)
    _process: subprocess.Popen[bytes] | None = None
    _datadir: str | None = None

    @staticmethod
    def available() -> bool:
        return shutil.which("redis-server") is not None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self, timeout: float = 20.0) -> None:
        self._datadir = tempfile.mkdtemp(prefix="callwright-redis-")
        binary = shutil.which("redis-server")
        assert binary
        # No persistence: the state lives as long as the test's nodes.
        self._process = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                self._datadir,
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"redis-server exited with {self._process.returncode}")
            if self.command("PING") == "PONG":
                return
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("redis-server did not become ready")

    def command(self, *args: str) -> str | None:
        """One command over RESP; the reply's first line (None for a nil or no answer)."""
        request = f"*{len(args)}\r\n" + "".join(f"${len(a.encode())}\r\n{a}\r\n" for a in args)
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=2) as conn:
                conn.sendall(request.encode())
                lines = conn.makefile("rb")
                reply = lines.readline().decode().rstrip("\r\n")
                if reply.startswith("$"):  # a bulk string: its length, then the value
                    if reply == "$-1":
                        return None
                    return lines.readline().decode().rstrip("\r\n")
                return reply[1:]
        except OSError:
            return None

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None
        if self._datadir:
            shutil.rmtree(self._datadir, ignore_errors=True)

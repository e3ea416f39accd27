"""A real, throwaway Redis server (Debian's redis-server package) for multi-node LiveKit."""

from __future__ import annotations

import shutil
import socket
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from callwright_devstack.launch import Process, Service
from callwright_devstack.ports import free_tcp_port


@dataclass
class RedisServer(Service):
    port: int = field(default_factory=free_tcp_port)
    _process: Process | None = None
    _datadir: str | None = None

    @staticmethod
    def available() -> bool:
        return shutil.which("redis-server") is not None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> None:
        self._datadir = tempfile.mkdtemp(prefix="callwright-redis-")
        binary = shutil.which("redis-server")
        assert binary
        # No persistence: the state lives as long as the test's nodes.
        self._process = Process(
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
            log_path=Path(self._datadir) / "redis.log",
        )
        self._process.start()
        self._process.wait_ready(
            lambda: self.command("PING") == "PONG", within=timeout, what="redis-server"
        )

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
        if self._process is not None:
            self._process.stop(timeout=10)
        self._process = None
        if self._datadir:
            shutil.rmtree(self._datadir, ignore_errors=True)

"""The load balancer in front of several LiveKit nodes, as an operator runs one: a TCP
(layer 4) balancer that hands each new connection to the next node in turn and skips a
node that refuses it. It carries HTTP, the Twirp API and WebSocket signalling; media
never passes through it (each node advertises its own RTC address).

It runs its own event loop in a thread, so a test's loop waiting on something never
stalls the issuer's or the workers' connections through it.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import threading

from callwright_devstack.launch import Service
from callwright_devstack.ports import free_tcp_port

_CONNECT_TIMEOUT_S = 3.0


class TcpBalancer(Service):
    def __init__(self, upstreams: list[int]) -> None:
        self.upstreams = upstreams
        self.port = free_tcp_port()
        self.connections: list[int] = []  # the upstream port each connection went to
        self._turn = itertools.count()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="lb", daemon=True)
        self._server: asyncio.Server | None = None

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def start(self) -> None:
        self._thread.start()
        future = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._serve, "127.0.0.1", self.port), self._loop
        )
        self._server = future.result(timeout=10)

    def stop(self) -> None:
        async def close() -> None:
            if self._server is not None:
                self._server.close()
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            if self._server is not None:
                await self._server.wait_closed()

        asyncio.run_coroutine_threadsafe(close(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        start = next(self._turn)
        for i in range(len(self.upstreams)):
            port = self.upstreams[(start + i) % len(self.upstreams)]
            try:
                up_reader, up_writer = await asyncio.wait_for(
                    asyncio.open_connection("127.0.0.1", port), _CONNECT_TIMEOUT_S
                )
            except (OSError, TimeoutError):
                continue  # a node that is down: the next one takes the connection
            self.connections.append(port)
            try:
                await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))
            finally:
                for w in (writer, up_writer):
                    w.close()
                    with contextlib.suppress(Exception):
                        await w.wait_closed()
            return
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Copy one direction until its end closes, then pass the close on."""
    with contextlib.suppress(OSError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    writer.close()

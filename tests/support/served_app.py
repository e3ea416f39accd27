"""An ASGI app served by uvicorn on a loopback port, in the test's own event loop.

For apps the test drives from its loop and a browser must reach over the network (the
page backend, an issuer whose lifespan shares the test's loop); the issuer alone, in a
thread of its own, is tests/support/served_issuer.py.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn
from fastapi import FastAPI

from callwright_devstack.ports import free_tcp_port


@asynccontextmanager
async def served(app: FastAPI, port: int | None = None) -> AsyncIterator[str]:
    """`app` served by uvicorn on a loopback port (a free one by default), in this loop;
    yields its URL."""
    port = port or free_tcp_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
            raise RuntimeError("uvicorn stopped before it started")
        await asyncio.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task

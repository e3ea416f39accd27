"""The examples in examples/ run as users run them: the Node proxy with `node`, the Next.js
routes bundled by esbuild (from the React example's node_modules, installed by
`make examples-build`, with the TypeScript SDK they import) and their exported POST called
with a web Request in `node`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from callwright_devstack.ports import free_tcp_port
from callwright_devstack.required import service_missing

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
NODE_PROXY = EXAMPLES / "node-proxy" / "server.mjs"
NEXT_ROUTE = EXAMPLES / "nextjs-token-route" / "app" / "api" / "token" / "route.ts"
NEXT_END_ROUTE = EXAMPLES / "nextjs-token-route" / "app" / "api" / "end" / "route.ts"
REACT_CLIENT_DIST = EXAMPLES / "react-client" / "dist"
ESBUILD = EXAMPLES / "react-client" / "node_modules" / ".bin" / "esbuild"


def node() -> str:
    path = shutil.which("node")
    if path is None:
        service_missing("node (the examples run on Node 18+)")
    return path


@contextmanager
def node_proxy(
    *, issuer_url: str, api_key: str, agent_id: str, log_path: Path, static_dir: Path | None = None
) -> Iterator[str]:
    """examples/node-proxy/server.mjs on a free loopback port; yields its base URL."""
    port = free_tcp_port()
    env = {
        "PATH": os.environ.get("PATH", ""),
        "CALLWRIGHT_URL": issuer_url,
        "CALLWRIGHT_API_KEY": api_key,
        "CALLWRIGHT_AGENT_ID": agent_id,
        "PORT": str(port),
        **({"STATIC_DIR": str(static_dir)} if static_dir else {}),
    }
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log_path.touch()
    start = log_path.stat().st_size  # the log is appended to: only this run's lines count
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            [node(), str(NODE_PROXY)], env=env, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + 30
        while b"listening on" not in log_path.read_bytes()[start:]:
            if process.poll() is not None:
                raise RuntimeError(
                    f"the node proxy exited with {process.returncode}; see {log_path}"
                )
            if time.monotonic() > deadline:
                raise RuntimeError(f"the node proxy did not listen; see {log_path}")
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def compile_route(out_dir: Path, source: Path = NEXT_ROUTE) -> Path:
    """A Next.js route as an ES module that Node runs, bundled with its imports (the SDK) as
    Next's compiler would."""
    if not ESBUILD.exists():
        service_missing(f"esbuild in {ESBUILD.parent} (make examples-build)")
    if not (source.parents[3] / "node_modules" / "@callwright" / "client").exists():
        service_missing(f"the SDK in {source.parents[3]}/node_modules (make examples-build)")
    out = out_dir / f"{source.parent.name}.mjs"
    subprocess.run(
        [
            str(ESBUILD),
            str(source),
            "--bundle",
            "--format=esm",
            "--platform=node",
            f"--outfile={out}",
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return out


# Calls the route's POST with a web Request, prints {status, headers, body} as JSON.
_CALL_ROUTE = """
const { POST } = await import(process.argv[1]);
const init = { method: 'POST', headers: { 'Content-Type': 'application/json' } };
if (process.argv[2] !== '') init.body = process.argv[2];
const answer = await POST(new Request('http://localhost:3000/api/token', init));
const text = await answer.text();
let body; try { body = JSON.parse(text); } catch { body = text; }
console.log(JSON.stringify({
  status: answer.status, headers: Object.fromEntries(answer.headers), body }));
"""


@dataclass
class RouteAnswer:
    status: int
    headers: dict[str, str]
    body: Any


def call_route(module: Path, body: str, env: dict[str, str]) -> RouteAnswer:
    done = subprocess.run(
        [node(), "--input-type=module", "-e", _CALL_ROUTE, str(module), body],
        env={"PATH": os.environ.get("PATH", ""), **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    return RouteAnswer(answer["status"], answer["headers"], answer["body"])

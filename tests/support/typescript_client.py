"""The TypeScript SDK (clients/typescript) as a program uses it: its build in dist/ (made
by `make clients-build`), imported by an ES module that `node` runs."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

from callwright_devstack.required import service_missing
from callwright_devstack.sdk import TS_CLIENT
from tests.support.examples import node

TS_CLIENT_DIST = TS_CLIENT / "dist" / "index.js"


def run_with_client(script: str, payload: Any, *, env: dict[str, str] | None = None) -> Any:
    """Runs `script` (an ES module body in which `sdk` is the SDK's module and `input` the
    JSON `payload`) and answers what it prints, as JSON."""
    if not TS_CLIENT_DIST.exists():
        service_missing(f"the TypeScript SDK's build {TS_CLIENT_DIST} (make clients-build)")
    program = (
        f"const sdk = await import({json.dumps(TS_CLIENT_DIST.as_uri())});\n"
        "const input = JSON.parse(process.argv[1]);\n"
        f"{script}\n"
    )
    done = subprocess.run(
        [node(), "--input-type=module", "-e", program, json.dumps(payload)],
        env={"PATH": os.environ.get("PATH", ""), **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=Path(TS_CLIENT),
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)

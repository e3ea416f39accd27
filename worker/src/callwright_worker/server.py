"""The worker's entry: a livekit-agents AgentServer (built in the worker issue)."""

from __future__ import annotations

import sys


def run(argv: list[str]) -> None:
    print("the callwright worker is not built yet", file=sys.stderr)
    sys.exit(2)

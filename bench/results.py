"""Result files of the benchmarks: `bench/results/<name>[-<variant>].json`, one per kind of
run, overwritten by each `--write` run. `bench.report` renders them into
docs/benchmarks.md (docs/decisions.md#bench-result-files)."""

from __future__ import annotations

import datetime
import json
import os
import platform
import shlex
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from callwright_devstack.livekit_config import LIVEKIT_BINARY

RESULTS_DIR = Path(__file__).resolve().parent / "results"


def result_path(name: str, variant: str = "") -> Path:
    return RESULTS_DIR / (f"{name}-{variant}.json" if variant else f"{name}.json")


def _livekit_version() -> str | None:
    """`livekit-server --version`, when the binary is there; a bench need not use it."""
    try:
        out = subprocess.run(
            [str(LIVEKIT_BINARY), "--version"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.strip().split()[-1] if out.strip() else None


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


@dataclass
class Recording:
    """Started before a bench measures (the load average before) and written after."""

    name: str
    command: str = field(
        default_factory=lambda: shlex.join(
            ["uv", "run", "python", "-m", f"bench.{Path(sys.argv[0]).stem}", *sys.argv[1:]]
        )
    )
    started: datetime.datetime = field(
        default_factory=lambda: datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    )
    load_before: list[float] = field(default_factory=_load)

    def write(self, figures: dict[str, Any], variant: str = "") -> Path:
        path = result_path(self.name, variant)
        document = {
            "benchmark": self.name,
            "variant": variant,
            "command": self.command,
            "date": self.started.isoformat(),
            "machine": {
                "cores": os.cpu_count(),
                "load_average_before": self.load_before,
                "load_average_after": _load(),
                "python": platform.python_version(),
                "livekit_server": _livekit_version(),
            },
            "figures": figures,
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
        print(f"wrote {path.relative_to(RESULTS_DIR.parent.parent)}", file=sys.stderr)
        return path


def load_results() -> dict[str, dict[str, Any]]:
    """Every result file, by its stem (`turn_latency-density`)."""
    return {path.stem: json.loads(path.read_text()) for path in sorted(RESULTS_DIR.glob("*.json"))}

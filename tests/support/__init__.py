"""The tests' library: real services, seeded tenants, clients and waits (fixtures that
use them live in the conftest files)."""

from pathlib import Path

# Logs of the services the tests start, kept for CI to upload.
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
# Made here, once: a clean clone has no such folder, and a service whose log cannot be
# opened fails its whole module before it starts (what a first browser module hit).
ARTIFACTS.mkdir(exist_ok=True)

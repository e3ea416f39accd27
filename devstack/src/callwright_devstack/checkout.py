"""Paths of the repository checkout the dev stack runs from (it is installed editable by
`uv sync`, so its sources stay in the checkout)."""

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[3]
# The page's bundle, built by `make web-build`: the dev runner hands it to the page.
WEB_DIST = REPO_ROOT / "web" / "dist"
# Logs of the services the tests start, kept for CI to upload.
ARTIFACTS = REPO_ROOT / "tests" / "artifacts"
# `make test` runs the tests in two processes (pytest-xdist): each keeps its logs in its
# own folder, so that two modules' services never write one file.
if worker := os.environ.get("PYTEST_XDIST_WORKER"):
    ARTIFACTS = ARTIFACTS / worker
# Made here, once: a clean clone has no such folder, and a service whose log cannot be
# opened fails its whole module before it starts (what a first browser module hit).
ARTIFACTS.mkdir(parents=True, exist_ok=True)

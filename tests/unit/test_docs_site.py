"""The documentation site builds with no broken link and no page left out of its nav, the
README stays a front door, and nothing in the repository cites a document it lacks.

Decisions are cited as `docs/decisions.md#<anchor>`; a contract section, an issue number
or a review finding would send a reader to a document that is not here.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[2]
README_MAX_LINES = 200
# What the repository's code, tests and docs are: tracked text files of these kinds.
CHECKED_SUFFIXES = {".py", ".ts", ".tsx", ".mjs", ".md", ".yml", ".yaml", ".toml", ".sh"}
# Built from pieces so that this file does not match itself.
DANGLING = re.compile(
    "|".join(
        (
            r"\bSPEC\b",  # the product contract, not shipped here
            r"\b[Ii]ssue [0-9]+\b",  # an issue tracker's numbers
            r"\bF[0-9]{1,2}\b",  # a review's finding numbers
            r"\bN[0-9]{1,2}\b",  # the security review's finding numbers
        )
    )
)


def test_the_site_builds_strictly(tmp_path: Path) -> None:
    """Strict: a broken link or anchor, or a page missing from the nav, fails the build."""
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "decisions" / "index.html").is_file()


def test_the_readme_is_a_front_door() -> None:
    readme = (REPO / "README.md").read_text()
    assert len(readme.splitlines()) <= README_MAX_LINES
    assert "make run" in readme and "make test" in readme


def tracked_files() -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return [
        path
        for path in listed.split("\0")
        if Path(path).suffix in CHECKED_SUFFIXES
        and path != "tests/unit/test_docs_site.py"
        and (REPO / path).is_file()
    ]


def test_nothing_cites_a_document_the_repository_lacks() -> None:
    files = tracked_files()
    assert "README.md" in files and "docs/decisions.md" in files
    hits = [
        f"{path}:{number}: {line.strip()}"
        for path in files
        for number, line in enumerate((REPO / path).read_text().splitlines(), start=1)
        if DANGLING.search(line)
    ]
    assert not hits, "cite docs/decisions.md#<anchor> or say why instead:\n" + "\n".join(hits)


def test_decisions_have_stable_anchors() -> None:
    """Every decision is a heading with an explicit kebab-case anchor, each used once."""
    headings = [
        line
        for line in (REPO / "docs" / "decisions.md").read_text().splitlines()
        if line.startswith("### ")
    ]
    anchors = [re.search(r"\{#([a-z0-9]+(?:-[a-z0-9]+)*)\}$", line) for line in headings]
    assert headings and all(anchors), [
        h for h, a in zip(headings, anchors, strict=True) if a is None
    ]
    names = [a.group(1) for a in anchors if a is not None]
    assert len(names) == len(set(names))

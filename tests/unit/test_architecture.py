"""The architecture as import contracts (pyproject.toml `[tool.importlinter]`): shared imports
no service, the issuer and the worker never import each other, each package's layers hold,
and no sibling modules or packages import each other in a cycle."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(*config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", *map(str, config)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_import_contracts_hold() -> None:
    result = lint_imports()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_broken_contract_fails_the_check(tmp_path: Path) -> None:
    # The issuer is built on shared: a contract forbidding it must be reported broken, so
    # the check above cannot pass by checking nothing.
    config = tmp_path / "contracts.toml"
    config.write_text(
        "[tool.importlinter]\n"
        'root_packages = ["callwright_shared", "callwright_issuer"]\n'
        "[[tool.importlinter.contracts]]\n"
        'name = "the issuer without shared"\n'
        'type = "forbidden"\n'
        'source_modules = ["callwright_issuer"]\n'
        'forbidden_modules = ["callwright_shared"]\n'
    )
    result = lint_imports(config)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "BROKEN" in result.stdout

"""Fixtures shared by every tier: real services and fresh databases (what they are built
from is the library in tests/support/).

Tiers are markers (declared in pyproject.toml); each test module sets `pytestmark`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from callwright_devstack.services.livekit_server import LiveKitServer, running_livekit
from callwright_devstack.services.postgres_server import (
    PostgresServer,
    fresh_postgres_url,
    running_postgres,
)
from callwright_shared.db.migrate import upgrade_async

TESTS = Path(__file__).parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """One tier per module, the tier of its folder (tests/<tier>/): `-m <tier>` and the
    folder then select the same tests, and a test's services are its folder's."""
    tiers = {line.split(":")[0].strip() for line in config.getini("markers")}
    wrong: dict[str, str] = {}
    for item in items:
        module = getattr(item, "module", None)
        if module is None:
            continue
        marks = getattr(module, "pytestmark", [])
        names = [m.name for m in (marks if isinstance(marks, list) else [marks])]
        module_tiers = [name for name in names if name in tiers]
        folder = item.path.relative_to(TESTS).parts[0]
        if module_tiers != [folder]:
            wrong[str(item.path.relative_to(TESTS.parent))] = (
                f"marked {module_tiers or 'with no tier'}, in the {folder!r} folder"
            )
    if wrong:
        raise pytest.UsageError(
            "each test module sets `pytestmark = pytest.mark.<tier>` for its folder's tier: "
            + "; ".join(f"{path} is {why}" for path, why in sorted(wrong.items()))
        )


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Each tier's time (setup, call and teardown of its tests), to see where a run goes."""
    seconds: dict[str, float] = {}
    for reports in terminalreporter.stats.values():
        for report in reports:
            if isinstance(report, pytest.TestReport):
                # The node id, not the location: a generated test (schemathesis) is
                # located in the library that made it.
                tier = Path(report.nodeid.split("::")[0]).parts[1]  # tests/<tier>/…
                seconds[tier] = seconds.get(tier, 0.0) + report.duration
    if seconds:
        terminalreporter.write_sep("-", "time per tier")
        for tier, total in sorted(seconds.items(), key=lambda item: -item[1]):
            terminalreporter.write_line(f"{tier:>10} {total:8.1f} s")


@pytest.fixture(scope="session")
def livekit_server() -> Iterator[LiveKitServer]:
    with running_livekit("livekit-server.log") as server:
        yield server


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    with running_postgres() as server:
        yield server


@pytest.fixture(params=["sqlite", "postgres"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database: SQLite file and a real Postgres database."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'callwright.db'}"
    else:
        url = await fresh_postgres_url(request.getfixturevalue("postgres_server"))
    await upgrade_async(url)
    return url


@pytest.fixture
async def sqlite_url(tmp_path: Path) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'callwright.db'}"
    await upgrade_async(url)
    return url

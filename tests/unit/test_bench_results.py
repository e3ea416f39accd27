"""docs/benchmarks.md's tables are rendered from bench/results/*.json: a result file that
changed without a re-render, or a table edited by hand, fails here."""

from __future__ import annotations

import pytest

from bench.report import BLOCKS, PAGE, REFRESH, render, unshown
from bench.results import load_results

pytestmark = pytest.mark.unit


def test_benchmarks_md_is_the_rendered_results() -> None:
    assert PAGE.read_text() == render(PAGE.read_text(), load_results()), (
        f"docs/benchmarks.md is out of date: run `{REFRESH}`"
    )


def test_every_result_file_has_a_table() -> None:
    assert unshown(load_results()) == []


def test_every_result_file_says_where_it_comes_from() -> None:
    for stem, result in load_results().items():
        assert result["command"].startswith("uv run python -m bench."), stem
        assert {"cores", "python"} <= set(result["machine"]), stem
        assert result["date"], stem


def test_every_block_is_on_the_page() -> None:
    text = PAGE.read_text()
    for name in BLOCKS:
        assert f"<!-- bench:{name} -->" in text

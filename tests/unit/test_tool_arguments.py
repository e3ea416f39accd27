"""A tool's arguments against its parameters: tenant regular expressions run on RE2 (no
backtracking), refused at save when RE2 cannot compile them, and the arguments' size is
bounded before anything is parsed or matched."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest
from pydantic import ValidationError

from callwright_shared.agents.definitions import AgentConfig
from callwright_shared.errors import error_param
from callwright_shared.tools import arguments as tool_arguments
from callwright_shared.tools.executor import parse_arguments
from callwright_shared.tools.models import HttpTool

pytestmark = pytest.mark.unit

EVIL = "^(a+)+$"


def tool_body(pattern: str | None = None) -> dict[str, Any]:
    schema = {"type": "string"} if pattern is None else {"type": "string", "pattern": pattern}
    return {
        "type": "http",
        "name": "lookup",
        "description": "Look up.",
        "parameters": {"type": "object", "properties": {"q": schema}, "required": ["q"]},
        "url": "https://api.example.com/lookup",
    }


def tool_with(pattern: str | None = None) -> HttpTool:
    return HttpTool.model_validate(tool_body(pattern))


def test_a_catastrophic_pattern_refuses_its_input_without_backtracking() -> None:
    # Python's `re` takes hours on this input (each extra `a` doubles it) and holds the
    # GIL meanwhile, so the call runs in a child process that is killed past a generous
    # bound; RE2, linear, answers in microseconds (the bound covers the imports).
    script = (
        "from callwright_shared.tools.executor import parse_arguments\n"
        "from callwright_shared.tools.models import HttpTool\n"
        f"tool = HttpTool.model_validate({json.dumps(tool_body(EVIL))})\n"
        "print(parse_arguments(tool, {'q': 'a' * 40 + '!'}))\n"
        "print(parse_arguments(tool, {'q': 'a' * 40}))\n"
    )
    try:
        done = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
        )
    except subprocess.TimeoutExpired:
        pytest.fail("the pattern backtracked")
    assert done.returncode == 0, done.stderr
    refused, accepted = done.stdout.splitlines()
    assert refused.startswith("lookup: invalid arguments (q:") and "does not match" in refused
    assert accepted == repr({"q": "a" * 40})


def test_the_pattern_keyword_is_the_re2_one() -> None:
    assert tool_arguments.Validator.VALIDATORS["pattern"] is tool_arguments._pattern
    assert type(tool_arguments.compile_pattern(EVIL)).__module__.startswith("re2")


def test_patterns_still_match_as_before() -> None:
    tool = tool_with("^[A-Z][0-9]+$")
    assert parse_arguments(tool, '{"q": "A42"}') == {"q": "A42"}
    refused = parse_arguments(tool, '{"q": "x42"}')
    assert isinstance(refused, str) and refused.startswith("lookup: invalid arguments (q:")
    # JSON Schema's `pattern` is a search, not a full match.
    assert parse_arguments(tool_with("[0-9]"), {"q": "a1"})


@pytest.mark.parametrize("pattern", [r"^(a)\1$", "^(?=a)a$", "^(?!b)a$", "(?<=a)b"])
def test_a_pattern_re2_cannot_run_is_refused_at_save(pattern: str) -> None:
    tool = {
        "type": "http",
        "name": "lookup",
        "description": "Look up.",
        "parameters": {
            "type": "object",
            "properties": {"q": {"type": "array", "items": {"type": "string", "pattern": pattern}}},
        },
        "url": "https://api.example.com/lookup",
    }
    with pytest.raises(ValidationError) as caught:
        AgentConfig.model_validate({"tools": [tool]})
    first = caught.value.errors()[0]
    assert error_param(first["loc"]) == "tools.0.parameters"
    assert "q[]: pattern is not supported" in first["msg"] and "RE2" in first["msg"]


def test_arguments_longer_than_the_cap_are_refused_unparsed() -> None:
    tool = tool_with()
    long = "b" * tool_arguments.MAX_ARGUMENT_CHARS
    for arguments in ({"q": long}, '{"q": "' + long + '"}'):
        refused = parse_arguments(tool, arguments)
        assert isinstance(refused, str) and "longer than" in refused

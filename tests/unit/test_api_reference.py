"""docs/api.md is the issuer's API: rendered from create_app(settings).openapi(), and every
path and method of the schema has its section (and nothing else does)."""

from __future__ import annotations

import re

import pytest

from callwright_devstack.api_reference import API_MD, METHODS, UNDOCUMENTED, current_schema, render

pytestmark = pytest.mark.unit

REGENERATE = (
    "docs/api.md is out of date: run `uv run python -m callwright_devstack.api_reference --write`"
)


def test_api_md_is_the_rendered_schema() -> None:
    assert API_MD.read_text() == render(current_schema()), REGENERATE


def test_every_path_and_method_has_a_section_and_no_other() -> None:
    schema = current_schema()
    served = {
        (method.upper(), path)
        for path, ops in schema["paths"].items()
        for method in ops
        if method in METHODS
    }
    documented = set(
        re.findall(r"^### (GET|POST|PATCH|PUT|DELETE) `([^`]+)`$", API_MD.read_text(), re.M)
    )
    assert documented == served, REGENERATE


def test_every_operation_says_what_it_does() -> None:
    assert UNDOCUMENTED not in render(current_schema()), (
        "an operation has neither a docstring nor an entry in "
        "callwright_devstack.api_reference.WHAT"
    )


def test_links_point_at_sections() -> None:
    text = API_MD.read_text()
    anchors = {
        heading.lower().translate(str.maketrans("", "", "/{}`")).replace(" ", "-")
        for heading in re.findall(r"^#+ (.+)$", text, re.M)
    }
    links = set(re.findall(r"\]\(#([^)]+)\)", text))
    assert links - anchors == set()

"""Text callwright accepts from tenants: no control characters where none can make sense.

Postgres refuses NUL in text (SQLSTATE 22021), so a NUL that reaches a query is a 500;
other control characters in a name, an id or a model name are never intended. Free text
(instructions, a greeting, a chat message) may hold tabs and line breaks, nothing else.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_BUT_WHITESPACE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def has_control_characters(value: str, *, multiline: bool = False) -> bool:
    pattern = _CONTROL_BUT_WHITESPACE if multiline else _CONTROL
    return pattern.search(value) is not None


def _single_line(value: str) -> str:
    if has_control_characters(value):
        raise PydanticCustomError("control_characters", "must not contain control characters")
    return value


def _multiline(value: str) -> str:
    if has_control_characters(value, multiline=True):
        raise PydanticCustomError(
            "control_characters",
            "must not contain control characters other than tabs and line breaks",
        )
    return value


# Field types for request models.
SingleLine = Annotated[str, AfterValidator(_single_line)]
MultiLine = Annotated[str, AfterValidator(_multiline)]
